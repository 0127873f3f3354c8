#include <stddef.h>
#include <stdint.h>

/// libFuzzer's driver (compiler-rt FuzzerInterface.h): runs the fuzzing loop with the given callback.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

/// SwiftPM links each executable with main=<target>_main; each target defines that function as a call to this.
int fuzz_run(int argc, char **argv, int (*callback)(const uint8_t *data, size_t size));
