import ArgumentParser
import Glibc

/// One line on stderr (fd 2 directly: the C `stderr` global is not concurrency-safe in Swift 6).
func printToStandardError(_ message: String) {
    let line = Array((message + "\n").utf8)
    var offset = 0
    while offset < line.count {
        let n = line[offset...].withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { return }
        offset += n
    }
}

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
