public import Control
public import Foundation
import Glibc

/// One running `newsinboxd` (or the daemon under a wrapper such as `setpriv` or `unshare`), its log file and
/// its control socket, reached through the real `ControlClient`. The test harnesses build on this.
public final class DaemonProcess: @unchecked Sendable {
    /// The directory holding the built executables: `$NEWSINBOX_BIN_DIR`, next to the test bundle
    /// (`swift test` runs `<build>/debug/NewsInboxPackageTests.xctest`), or the checkout's `.build/debug`.
    public static let binDirectory: URL = {
        if let dir = ProcessInfo.processInfo.environment["NEWSINBOX_BIN_DIR"] { return URL(fileURLWithPath: dir) }
        var candidates: [URL] = []
        if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            var dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
            while dir.path != "/" { candidates.append(dir); dir = dir.deletingLastPathComponent() }
        }
        let checkout = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        candidates.append(checkout.appendingPathComponent(".build/debug"))
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.appendingPathComponent("newsinboxd").path) }
            ?? checkout.appendingPathComponent(".build/debug")
    }()

    public static func binary(_ name: String) -> String { binDirectory.appendingPathComponent(name).path }

    /// Why the daemon tests cannot run here, or nil.
    public static var missingBinaries: String? {
        for name in ["newsinboxd", "newsinboxctl"] where !FileManager.default.isExecutableFile(atPath: binary(name)) {
            return "\(name) is not built next to the tests (run `swift build` first; looked in \(binDirectory.path))"
        }
        return nil
    }

    public let socket: String
    public let logPath: String
    public private(set) var process: Process?

    public init(socket: String, logPath: String) {
        self.socket = socket
        self.logPath = logPath
    }

    deinit { stop(signal: SIGKILL) }

    /// Starts `newsinboxd arguments...` (under `wrapper`, which must exec it) and waits until it answers
    /// `ping`; throws with the log's tail when it exits first or does not answer within `timeout`.
    public func start(arguments: [String], wrapper: [String] = [], environment: [String: String] = [:],
                      directory: String? = nil, timeout: Double = 30) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: wrapper.isEmpty ? Self.binary("newsinboxd") : "/usr/bin/env")
        p.arguments = wrapper + (wrapper.isEmpty ? [] : [Self.binary("newsinboxd")]) + arguments
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "NOTIFY_SOCKET")
        env.removeValue(forKey: "LISTEN_FDS")
        for (k, v) in environment { env[k] = v }
        p.environment = env
        if let directory { p.currentDirectoryURL = URL(fileURLWithPath: directory) }
        if !FileManager.default.fileExists(atPath: logPath) { FileManager.default.createFile(atPath: logPath, contents: nil) }
        guard let log = FileHandle(forWritingAtPath: logPath) else { throw HarnessError("cannot open \(logPath)") }
        log.seekToEndOfFile()
        p.standardOutput = log
        p.standardError = log
        try p.run()
        process = p
        let up = waitFor(seconds: timeout) { !p.isRunning || self.ping() }
        guard up, p.isRunning else {
            if p.isRunning { kill(p.processIdentifier, SIGKILL) }
            p.waitUntilExit()
            process = nil
            throw HarnessError("newsinboxd did not come up within \(timeout)s (exit \(p.isRunning ? "-" : "\(p.terminationStatus)"))\n--- daemon log ---\n\(self.log.suffix(3000))")
        }
    }

    /// The daemon's pid (a wrapper execs it, so it is the same process).
    public var pid: Int32? { process?.processIdentifier }

    public var isRunning: Bool { process?.isRunning == true }

    public var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    public func signal(_ sig: Int32) {
        if let p = process, p.isRunning { kill(p.processIdentifier, sig) }
    }

    /// Sends `sig`, waits up to `timeout` for the exit (then SIGKILL); returns the exit status.
    @discardableResult
    public func stop(signal sig: Int32 = SIGTERM, timeout: Double = 30) -> Int32? {
        guard let p = process else { return nil }
        process = nil
        if p.isRunning { kill(p.processIdentifier, sig) }
        if !waitFor(seconds: timeout, { !p.isRunning }) { kill(p.processIdentifier, SIGKILL) }
        p.waitUntilExit()
        return p.terminationStatus
    }

    /// Waits for the daemon to exit by itself (drain, a fatal error); nil when it is still running.
    public func waitForExit(timeout: Double = 20) -> Int32? {
        guard let p = process, waitFor(seconds: timeout, { !p.isRunning }) else { return nil }
        process = nil
        p.waitUntilExit()
        return p.terminationStatus
    }

    // MARK: - The control socket

    public func client(timeoutSeconds: Int = 30) -> ControlClient { ControlClient(socketPath: socket, timeoutSeconds: timeoutSeconds) }

    public func ping() -> Bool {
        guard FileManager.default.fileExists(atPath: socket) else { return false }
        return (try? client(timeoutSeconds: 2).send(ControlRequest(command: "ping")))?.ok == true
    }

    public func send(_ command: String, _ args: [String: JSONValue] = [:]) throws -> ControlResponse {
        try client().send(ControlRequest(command: command, args: args))
    }

    /// One raw request line; returns the answer as the daemon encodes it (one JSON line, sorted keys).
    public func request(_ line: String) throws -> String {
        String(decoding: try client().exchange(Array((line + "\n").utf8)).encodedLine().dropLast(), as: UTF8.self)
    }
}
