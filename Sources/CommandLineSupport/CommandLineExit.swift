import ArgumentParser
import Foundation

/// The exit statuses the three tools share (README, "EXIT STATUS"): 0 ok, 1 failed (an I/O error names
/// the file and strerror), 2 usage error. ArgumentParser's own usage status (64, EX_USAGE) becomes 2.
extension ParsableCommand {
    /// Parses the command line and runs the command, exiting 2 on a usage error. `Exit`-like errors a
    /// command throws keep their own status.
    public static func mainWithUsageStatus2() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            if exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}

/// "PATH: strerror(errno)", for I/O errors on a named file.
public func ioErrorMessage(_ path: String, errno code: Int32 = errno) -> String {
    "\(path): \(String(cString: strerror(code)))"
}
