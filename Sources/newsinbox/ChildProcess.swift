import FoundationEssentials
import Glibc
import NewsInbox

/// A program started with posix_spawn(3): standard input from /dev/null, standard output and error
/// to a file, emptied first (or a pipe this process reads). Foundation's `Process` would link ICU into the binary.
final class ChildProcess {
    let pid: pid_t
    private let argv0: String
    private var status: Int32?

    /// Starts `argv` (`argv[0]` a path) with `environment`; its output goes to `outputFile` (emptied first), or
    /// to a pipe whose read end is `outputPipe` when `outputFile` is nil.
    init(_ argv: [String], environment: [String: String]? = nil, outputFile: String?) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0)
        var pipeFDs: [Int32] = [-1, -1]
        if let outputFile {
            posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, outputFile, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO)
        } else {
            guard pipe(&pipeFDs) == 0 else { throw ChildProcessError("pipe: \(String(cString: strerror(errno)))") }
            // Neither end may leak into other children (the write end would keep their reads open).
            for fd in pipeFDs { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
            posix_spawn_file_actions_adddup2(&actions, pipeFDs[1], STDOUT_FILENO)
        }
        let environment = environment ?? ProcessInfo.processInfo.environment
        let cArgs = argv.map { strdup($0) } + [nil]
        let cEnv = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (cArgs + cEnv).forEach { free($0) } }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, argv[0], &actions, nil, cArgs, cEnv)
        if outputFile == nil { close(pipeFDs[1]) }
        guard spawned == 0 else {
            if outputFile == nil { close(pipeFDs[0]) }
            throw ChildProcessError("\(argv[0]): \(String(cString: strerror(spawned)))")
        }
        self.pid = pid
        argv0 = argv[0]
        outputPipe = outputFile == nil ? pipeFDs[0] : -1
    }

    /// The read end of the child's standard output when no file was given (closed by `readAllOutput`).
    private(set) var outputPipe: Int32

    /// Everything the child writes to its standard output, until it closes it.
    func readAllOutput() throws -> [UInt8] {
        guard outputPipe >= 0 else { return [] }
        defer { close(outputPipe); outputPipe = -1 }
        return try FileBytes.read(descriptor: outputPipe, name: "\(argv0)'s output")
    }

    /// Still running (reaps it, without waiting, if it has exited).
    var isRunning: Bool {
        guard status == nil else { return false }
        var raw: Int32 = 0
        if waitpid(pid, &raw, WNOHANG) == pid { status = raw; return false }
        return true
    }

    /// Waits for it to exit; its wait status.
    @discardableResult
    func wait() -> Int32 {
        while status == nil {
            var raw: Int32 = 0
            let r = waitpid(pid, &raw, 0)
            if r == pid { status = raw } else if r < 0 && errno != EINTR { status = -1 }
        }
        return status!
    }

    /// The exit code, or 128 + the signal that ended it (as a shell says), once it has exited.
    var terminationStatus: Int32 {
        guard let status else { return -1 }
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }
}

struct ChildProcessError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
