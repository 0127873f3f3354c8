import ArgumentParser
import CommandLineSupport
import Glibc

/// The control tool's entry point, called by the `newsinboxctl` executable and by the multi-call binary.
public enum NewsinboxctlEntry {
    public static func main() {
        // Exit codes are part of the interface (README, "newsinboxctl"): ArgumentParser's usage errors (64) become 2.
        do {
            var command = try Newsinboxctl.parseAsRoot()
            try command.run()
        } catch let exit as Exit {
            printToStandardError(exit.message)
            Glibc.exit(exit.code)
        } catch {
            let code = Newsinboxctl.exitCode(for: error)
            if code == .validationFailure {
                printToStandardError(Newsinboxctl.fullMessage(for: error))
                Glibc.exit(2)
            }
            Newsinboxctl.exit(withError: error)
        }
    }
}
