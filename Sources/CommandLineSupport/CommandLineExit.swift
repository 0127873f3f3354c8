public import ArgumentParser
import Glibc
import POSIXSupport

/// The exit statuses the three tools share (README, "SYNOPSIS"): 0 ok, 1 failed (an I/O error names
/// the file and strerror), 2 usage error. ArgumentParser's own usage status (64, EX_USAGE) becomes 2.
/// (newsinboxctl maps its own in its main.swift, next to its statuses 3 and 4.)
extension ParsableCommand {
    /// Parses the command line and runs the command, exiting 2 on a usage error.
    public static func mainWithUsageStatus2() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            if exitCode(for: error) == .validationFailure {
                printToStandardError(fullMessage(for: error))
                Glibc.exit(2)
            }
            exit(withError: error)
        }
    }
}

/// "PATH: strerror(errno)", for I/O errors on a named file.
public func ioErrorMessage(_ path: String, errno code: Int32) -> String {
    "\(path): \(String(cString: strerror(code)))"
}

/// One line on stderr (fd 2 directly: the C `stderr` global is not concurrency-safe in Swift 6).
public func printToStandardError(_ message: String) {
    DescriptorIO.writeAll(2, Array((message + "\n").utf8))
}
