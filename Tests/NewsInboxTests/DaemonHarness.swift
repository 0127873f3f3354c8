import Foundation
import Glibc
@testable import NewsInbox

/// Runs the real `newsinboxd` binary against a temporary inbox, output and state directory.
final class DaemonHarness: @unchecked Sendable {
    let root: URL
    let inbox: URL
    let output: URL
    let state: URL
    let socket: URL
    let logFile: URL
    private(set) var process: Process?
    var extraArguments: [String] = []
    /// A command the daemon is started under, e.g. `["unshare", "-m", "--propagation", "private", "--"]`
    /// or `["setpriv", "--reuid=nobody", ...]`.
    var wrapper: [String] = []
    var configFile: URL?

    /// The directory holding the built executables: next to the test bundle.
    static let binDirectory: URL = {
        if let dir = ProcessInfo.processInfo.environment["NEWSINBOX_BIN_DIR"] { return URL(fileURLWithPath: dir) }
        let exe = URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0])
        var dir = exe.deletingLastPathComponent()
        // swift test runs <build>/debug/NewsInboxPackageTests.xctest
        while !FileManager.default.fileExists(atPath: dir.appendingPathComponent("newsinboxd").path) && dir.path != "/" {
            dir = dir.deletingLastPathComponent()
        }
        return dir
    }()

    static var daemonBinary: String { binDirectory.appendingPathComponent("newsinboxd").path }

    init(name: String = #function) throws {
        let base = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("newsinbox-test-\(getpid())-\(UUID().uuidString.prefix(8))")
        root = base
        inbox = base.appendingPathComponent("inbox")
        output = base.appendingPathComponent("out")
        state = base.appendingPathComponent("state")
        socket = base.appendingPathComponent("control.sock")
        logFile = base.appendingPathComponent("daemon.log")
        try FileManager.default.createDirectory(at: inbox, withIntermediateDirectories: true)
    }

    deinit {
        stop(signal: SIGKILL)
        try? FileManager.default.removeItem(at: root)
    }

    func writeConfig(_ text: String) throws {
        let url = root.appendingPathComponent("newsinboxd.conf")
        try text.write(to: url, atomically: true, encoding: .utf8)
        configFile = url
    }

    /// Starts the daemon and waits until its control socket answers.
    func start(environment: [String: String] = [:], foreground: Bool = true) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: wrapper.isEmpty ? Self.daemonBinary : "/usr/bin/env")
        var args = wrapper + (wrapper.isEmpty ? [] : [Self.daemonBinary]) + ["--inbox", inbox.path, "--output", output.path, "--state", state.path, "--control-socket", socket.path]
        if foreground { args.append("--foreground") }
        if let configFile { args += ["--config", configFile.path] }
        p.arguments = args + extraArguments
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "NOTIFY_SOCKET")
        env.removeValue(forKey: "LISTEN_FDS")
        for (k, v) in environment { env[k] = v }
        p.environment = env
        FileManager.default.createFile(atPath: logFile.path, contents: nil)
        let log = try FileHandle(forWritingTo: logFile)
        log.seekToEndOfFile()
        p.standardOutput = log
        p.standardError = log
        try p.run()
        process = p
        try waitUntil("the control socket answers", timeout: 30) { self.ping() }
    }

    func ping() -> Bool {
        guard FileManager.default.fileExists(atPath: socket.path) else { return false }
        return (try? request(#"{"version":1,"command":"ping","args":{}}"#))?.contains("pong") == true
    }

    /// One raw request line over the control socket; returns the response line.
    func request(_ line: String) throws -> String {
        let fd = socket_(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(socket.path.utf8)
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in raw.copyBytes(from: bytes); raw[bytes.count] = 0 }
        let rc = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
        guard rc == 0 else { throw SystemError("connect", socket.path) }
        let out = Array((line + "\n").utf8)
        _ = out.withUnsafeBytes { send(fd, $0.baseAddress!, $0.count, 0) }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
            if n <= 0 { break }
            response += buffer[0..<n]
        }
        return String(decoding: response, as: UTF8.self)
    }

    /// The daemon's pid (the wrapper execs it, so it is the same process).
    var pid: Int32? { process?.processIdentifier }

    func signal(_ sig: Int32) {
        if let p = process, p.isRunning { kill(p.processIdentifier, sig) }
    }

    /// Sends `signal` and waits for the process to exit; returns its exit status.
    @discardableResult
    func stop(signal sig: Int32 = SIGTERM, timeout: Double = 30) -> Int32? {
        guard let p = process else { return nil }
        if p.isRunning { kill(p.processIdentifier, sig) }
        let deadline = Date().addingTimeInterval(timeout)
        while p.isRunning && Date() < deadline { usleep(10_000) }
        if p.isRunning { kill(p.processIdentifier, SIGKILL); p.waitUntilExit() }
        process = nil
        return p.terminationStatus
    }

    var isRunning: Bool { process?.isRunning == true }

    var log: String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }

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

struct HarnessError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Glibc's socket(2), named apart from the `socket` URL property above.
func socket_(_ domain: Int32, _ type: Int32, _ proto: Int32) -> Int32 { Glibc.socket(domain, type, proto) }

/// The shared corpora beside the repository.
enum Corpora {
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/corpora")

    static func bytes(_ relative: String) -> [UInt8]? {
        (try? Data(contentsOf: root.appendingPathComponent(relative))).map { [UInt8]($0) }
    }

    static var isPresent: Bool { FileManager.default.fileExists(atPath: root.appendingPathComponent("seed").path) }

    static func bbcFiles(limit: Int) -> [(String, [UInt8])] {
        var result: [(String, [UInt8])] = []
        for category in ["business", "entertainment", "politics", "sport", "tech"] {
            let dir = root.appendingPathComponent("bbc/\(category)")
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).filter { $0.hasSuffix(".txt") }.sorted()
            for name in names {
                if let data = FileManager.default.contents(atPath: dir.appendingPathComponent(name).path) {
                    result.append(("\(category)/\(name)", [UInt8](data)))
                }
            }
        }
        // Interleave categories so a limit still covers all of them.
        result.sort { a, b in
            let ai = Int(a.0.split(separator: "/")[1].prefix(3)) ?? 0, bi = Int(b.0.split(separator: "/")[1].prefix(3)) ?? 0
            return (ai, a.0) < (bi, b.0)
        }
        return Array(result.prefix(limit))
    }
}
