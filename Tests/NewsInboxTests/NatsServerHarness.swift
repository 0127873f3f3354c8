import Foundation
import Glibc
import JetStream
import TestSupport

/// A real `nats-server` with JetStream, on a free loopback port, with its store in a temporary
/// directory; restartable on the same port and store.
final class NatsServerHarness: @unchecked Sendable {
    static let binary = ["/usr/sbin/nats-server", "/usr/bin/nats-server"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// Why the NATS tests cannot run here: they fail with it under CI=true and are skipped elsewhere.
    static let missing = "nats-server is not installed (Debian package nats-server; scripts/setup installs it)"

    let port: Int
    let storeDirectory: URL
    let logFile: URL
    private(set) var process: Process?

    var url: String { "nats://127.0.0.1:\(port)" }

    init() throws {
        guard Self.binary != nil else {
            throw HarnessError(Self.missing)
        }
        port = try Self.freeLoopbackPort()
        let base = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("nats-test-\(getpid())-\(UUID().uuidString.prefix(8))")
        storeDirectory = base.appendingPathComponent("store")
        logFile = base.appendingPathComponent("nats-server.log")
        try FileManager.default.createDirectory(at: storeDirectory, withIntermediateDirectories: true)
    }

    deinit {
        stop(signal: SIGKILL)
        try? FileManager.default.removeItem(at: storeDirectory.deletingLastPathComponent())
    }

    /// Starts the server and waits until a JetStream client can connect.
    func start() throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.binary!)
        p.arguments = ["-js", "-sd", storeDirectory.path, "-a", "127.0.0.1", "-p", String(port)]
        if !FileManager.default.fileExists(atPath: logFile.path) { _ = FileManager.default.createFile(atPath: logFile.path, contents: nil) }
        let log = try FileHandle(forWritingTo: logFile)
        log.seekToEndOfFile()
        p.standardOutput = log
        p.standardError = log
        try p.run()
        process = p
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if (try? JetStreamConnection(ConnectOptions(url: url))) != nil { return }
            guard p.isRunning else { break }
            usleep(50_000)
        }
        throw HarnessError("nats-server on port \(port) did not accept a connection\n\(log_.suffix(2000))")
    }

    /// Stops the server (SIGTERM: it flushes its store) and waits for it to exit.
    func stop(signal sig: Int32 = SIGTERM) {
        guard let p = process else { return }
        if p.isRunning { kill(p.processIdentifier, sig) }
        let deadline = Date().addingTimeInterval(30)
        while p.isRunning && Date() < deadline { usleep(10_000) }
        if p.isRunning { kill(p.processIdentifier, SIGKILL); p.waitUntilExit() }
        process = nil
    }

    func restart() throws {
        stop()
        try start()
    }

    var log_: String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }

    /// A client connection for the test's own reading and publishing.
    func client() throws -> JetStreamConnection { try JetStreamConnection(ConnectOptions(url: url)) }

    /// A port nothing listens on right now: bind port 0 on loopback, read it, close.
    static func freeLoopbackPort() throws -> Int {
        let fd = socket_(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw HarnessError("socket: errno \(errno)") }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &addr) { ptr in
            ptr.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
        }
        guard bound else { throw HarnessError("bind: errno \(errno)") }
        return Int(UInt16(bigEndian: addr.sin_port))
    }
}

/// What a results stream holds, read back message by message.
struct StreamContents {
    var messages: [StoredMessage]

    init(_ server: NatsServerHarness, stream: String) throws {
        let client = try server.client()
        messages = try client.allMessages(stream: stream)
    }

    func on(_ subject: String) -> [StoredMessage] { messages.filter { $0.subject == subject } }

    var distinctIDs: Set<String> { Set(messages.compactMap(\.messageID)) }
}
