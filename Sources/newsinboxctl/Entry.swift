import ArgumentParser
import Foundation

/// The control tool's entry point, called by the `newsinboxctl` executable and by the multi-call binary.
public enum NewsinboxctlEntry {
    public static func main() {
        // Exit codes are part of the interface (README, "newsinboxctl"): ArgumentParser's usage errors (64) become 2.
        do {
            var command = try Newsinboxctl.parseAsRoot()
            try command.run()
        } catch let exit as Exit {
            FileHandle.standardError.write(Data((exit.message + "\n").utf8))
            Foundation.exit(exit.code)
        } catch {
            let code = Newsinboxctl.exitCode(for: error)
            if code == .validationFailure {
                FileHandle.standardError.write(Data((Newsinboxctl.fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            Newsinboxctl.exit(withError: error)
        }
    }
}
