import Foundation
import Glibc
import Testing
@testable import NewsInbox
import TestSupport
import POSIXSupport

/// Runs the real `newsinboxd` binary against a temporary inbox, output and state directory.
/// Process handling and the control socket are `DaemonProcess`'s (TestSupport), shared with ControlTests.
final class DaemonHarness: @unchecked Sendable {
    let root: URL
    let inbox: URL
    let output: URL
    let state: URL
    let socket: URL
    let logFile: URL
    let daemon: DaemonProcess
    var process: Process? { daemon.process }
    var extraArguments: [String] = []
    /// A command the daemon is started under, e.g. `["unshare", "-m", "--propagation", "private", "--"]`
    /// or `["setpriv", "--reuid=nobody", ...]`.
    var wrapper: [String] = []
    var configFile: URL?

    static var binDirectory: URL { DaemonProcess.binDirectory }
    static var daemonBinary: String { DaemonProcess.binary("newsinboxd") }

    init(name: String = #function) throws {
        let base = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("newsinbox-test-\(getpid())-\(UUID().uuidString.prefix(8))")
        root = base
        inbox = base.appendingPathComponent("inbox")
        output = base.appendingPathComponent("out")
        state = base.appendingPathComponent("state")
        socket = base.appendingPathComponent("control.sock")
        logFile = base.appendingPathComponent("daemon.log")
        daemon = DaemonProcess(socket: socket.path, logPath: logFile.path)
        try FileManager.default.createDirectory(at: inbox, withIntermediateDirectories: true)
    }

    deinit {
        stop(signal: SIGKILL)
        SchemaCheck.recordProblems(output: output.path, failed: failed.path)
        if ProcessInfo.processInfo.environment["NEWSINBOX_KEEP_TEST_DIRS"] == nil { try? FileManager.default.removeItem(at: root) }
    }

    func writeConfig(_ text: String) throws {
        let url = root.appendingPathComponent("newsinboxd.conf")
        try text.write(to: url, atomically: true, encoding: .utf8)
        configFile = url
    }

    /// Starts the daemon and waits until its control socket answers.
    func start(environment: [String: String] = [:], foreground: Bool = true) throws {
        var args = ["--inbox", inbox.path, "--output", output.path, "--state", state.path, "--control-socket", socket.path]
        if foreground { args.append("--foreground") }
        if let configFile { args += ["--config", configFile.path] }
        try daemon.start(arguments: args + extraArguments, wrapper: wrapper, environment: environment)
    }

    func ping() -> Bool { daemon.ping() }

    /// One raw request line over the control socket; returns the response line.
    func request(_ line: String) throws -> String { try daemon.request(line) }

    /// The daemon's pid (the wrapper execs it, so it is the same process).
    var pid: Int32? { daemon.pid }

    func signal(_ sig: Int32) { daemon.signal(sig) }

    /// Sends `signal` and waits for the process to exit; returns its exit status.
    @discardableResult
    func stop(signal sig: Int32 = SIGTERM, timeout: Double = 30) -> Int32? { daemon.stop(signal: sig, timeout: timeout) }

    var isRunning: Bool { daemon.isRunning }

    var log: String { daemon.log }

    // MARK: - Dropping files

    /// Writes a file in place in the inbox (open, write, close: IN_CLOSE_WRITE).
    func dropInPlace(_ relative: String, _ bytes: [UInt8]) throws {
        let url = inbox.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: url)
    }

    /// Writes elsewhere on the same filesystem, then renames into the inbox (IN_MOVED_TO).
    func dropByRename(_ relative: String, _ bytes: [UInt8]) throws {
        let staging = root.appendingPathComponent("staging-\(UUID().uuidString)")
        try Data(bytes).write(to: staging)
        let url = inbox.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        guard rename(staging.path, url.path) == 0 else { throw SystemError("rename", url.path) }
    }

    // MARK: - Looking at the results

    func outputs() -> [URL] {
        ((try? FileManager.default.contentsOfDirectory(at: output, includingPropertiesForKeys: nil)) ?? [])
            .filter { $0.pathExtension == "json" && !$0.lastPathComponent.hasPrefix(".") }
    }

    func outputDocuments() throws -> [[String: Any]] {
        try outputs().map { try JSONSerialization.jsonObject(with: Data(contentsOf: $0)) as! [String: Any] }
    }

    func document(forSource file: String) throws -> [String: Any]? {
        try outputDocuments().first { (($0["source"] as? [String: Any])?["file"] as? String) == file }
    }

    func files(in dir: URL) -> [String] {
        guard let e = FileManager.default.enumerator(atPath: dir.path) else { return [] }
        var out: [String] = []
        while let name = e.nextObject() as? String {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: dir.appendingPathComponent(name).path, isDirectory: &isDir), isDir.boolValue { continue }
            var st = stat()
            if lstat(dir.appendingPathComponent(name).path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR { continue }
            out.append(name)
        }
        return out.sorted()
    }

    var done: URL { state.appendingPathComponent("done") }
    var failed: URL { state.appendingPathComponent("failed") }
    var processing: URL { state.appendingPathComponent("processing") }

    func sidecar(for relative: String) throws -> [String: Any] {
        let url = failed.appendingPathComponent(relative + ".error.json")
        return try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
    }

    func waitUntil(_ what: String, timeout: Double = 60, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try condition() { return }
            usleep(20_000)
        }
        throw HarnessError("timed out after \(timeout)s waiting until \(what)\n--- daemon log ---\n\(log.suffix(3000))")
    }
}

/// Glibc's socket(2), named apart from the harness's `socket` URL property.
func socket_(_ domain: Int32, _ type: Int32, _ proto: Int32) -> Int32 { Glibc.socket(domain, type, proto) }
