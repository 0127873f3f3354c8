import CLinuxShim
import FoundationEssentials
public import Glibc
import POSIXSupport

/// A thin client: connect, send one request line, read one response line.
public struct ControlClient: Sendable {
    public enum Failure: Error, CustomStringConvertible {
        /// Nothing listens on the socket (no file, or a stale one).
        case notRunning(path: String, reason: String)
        case permissionDenied(path: String)
        case io(String)
        case badResponse(String)

        public var description: String {
            switch self {
            case .notRunning(let path, let reason): return "newsinboxd is not running (no daemon at \(path): \(reason))"
            case .permissionDenied(let path): return "permission denied connecting to \(path)"
            case .io(let message): return message
            case .badResponse(let message): return "unexpected response from the daemon: \(message)"
            }
        }
    }

    public let socketPath: String
    public let timeoutSeconds: Int

    public init(socketPath: String, timeoutSeconds: Int = 30) {
        self.socketPath = socketPath
        self.timeoutSeconds = timeoutSeconds
    }

    /// Sends one request and returns the answer. A `busy` answer (the server is at its connection cap and
    /// did nothing) is retried a few times with a growing pause before it is returned.
    public func send(_ request: ControlRequest, busyRetries: Int = 8) throws -> ControlResponse {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        var line = try [UInt8](encoder.encode(request))
        line.append(0x0A)
        var pause: UInt32 = 20_000
        for _ in 0..<busyRetries {
            let response = try exchange(line)
            guard response.code == .busy else { return response }
            usleep(pause + UInt32.random(in: 0..<pause))
            pause = min(pause * 2, 500_000)
        }
        return try exchange(line)
    }

    /// Sends raw bytes (for tests of malformed input) and reads one response line.
    public func exchange(_ bytes: [UInt8]) throws -> ControlResponse {
        let fd = try connectSocket()
        defer { close(fd) }
        let sendFailure = DescriptorIO.writeAll(fd, bytes, socket: true)
        // EPIPE/ECONNRESET: the server may answer and close early (a request too large), so read on.
        if sendFailure != 0 && sendFailure != EPIPE && sendFailure != ECONNRESET {
            throw Failure.io("send to \(socketPath): \(String(cString: strerror(sendFailure)))")
        }
        var response: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while response.last != 0x0A {
            let n = chunk.withUnsafeMutableBytes { buffer in retryingOnInterrupt { recv(fd, buffer.baseAddress!, buffer.count, 0) } }
            if n < 0 {
                if errno == EAGAIN { throw Failure.io("no answer from the daemon at \(socketPath) within \(timeoutSeconds)s") }
                throw Failure.io("receive from \(socketPath): \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            response.append(contentsOf: chunk[0..<n])
        }
        guard !response.isEmpty else { throw Failure.badResponse("the connection closed without an answer") }
        do {
            return try JSONDecoder().decode(ControlResponse.self, from: Data(response))
        } catch {
            throw Failure.badResponse(String(decoding: response.prefix(200), as: UTF8.self))
        }
    }

    /// Sends a streaming request (`follow`): `onLine` gets the answer line (a `ControlResponse`), then
    /// each streamed line, until the daemon closes the connection or `onLine` returns false. Only the
    /// answer is bound by `timeoutSeconds`; the stream may be quiet for as long as it likes.
    public func stream(_ request: ControlRequest, onLine: ([UInt8]) -> Bool) throws {
        let fd = try connectSocket()
        defer { close(fd) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        var line = try [UInt8](encoder.encode(request))
        line.append(0x0A)
        let sendFailure = DescriptorIO.writeAll(fd, line, socket: true)
        if sendFailure != 0 { throw Failure.io("send to \(socketPath): \(String(cString: strerror(sendFailure)))") }
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        var answered = false
        while true {
            let n = chunk.withUnsafeMutableBytes { buffer in retryingOnInterrupt { recv(fd, buffer.baseAddress!, buffer.count, 0) } }
            if n < 0 {
                if errno == EAGAIN && !answered { throw Failure.io("no answer from the daemon at \(socketPath) within \(timeoutSeconds)s") }
                if errno == EAGAIN { continue }
                throw Failure.io("receive from \(socketPath): \(String(cString: strerror(errno)))")
            }
            if n == 0 {
                if !answered { throw Failure.badResponse("the connection closed without an answer") }
                return
            }
            buffer.append(contentsOf: chunk[0..<n])
            while let newline = buffer.firstIndex(of: 0x0A) {
                let line = Array(buffer[..<newline])
                buffer.removeSubrange(...newline)
                if !answered {
                    answered = true
                    var none = timeval(tv_sec: 0, tv_usec: 0)  // no receive timeout for the stream
                    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &none, socklen_t(MemoryLayout<timeval>.size))
                }
                if !onLine(line) { return }
            }
        }
    }

    private func connectSocket() throws -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Failure.io("socket: \(String(cString: strerror(errno)))") }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = try UnixSocketAddress(path: socketPath)
        let rc = address.withSockaddr { connect(fd, $0, $1) }
        if rc != 0 {
            let e = errno
            close(fd)
            switch e {
            case ENOENT, ECONNREFUSED, ENOTDIR: throw Failure.notRunning(path: socketPath, reason: String(cString: strerror(e)))
            case EACCES, EPERM: throw Failure.permissionDenied(path: socketPath)
            default: throw Failure.io("connect to \(socketPath): \(String(cString: strerror(e)))")
            }
        }
        return fd
    }
}

/// `struct sockaddr_un` for a path, with the length check the kernel would otherwise make silently.
public struct UnixSocketAddress {
    var storage = sockaddr_un()

    public init(path: String) throws {
        storage.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: storage.sun_path)
        guard bytes.count < capacity else {
            throw ControlClient.Failure.io("socket path too long (\(bytes.count) bytes, at most \(capacity - 1)): \(path)")
        }
        withUnsafeMutableBytes(of: &storage.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
    }

    public mutating func withSockaddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
        withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
    }
}

/// Who is on the other end of a connected Unix socket: SO_PEERCRED and SO_PEERGROUPS, both as the
/// kernel recorded them when the peer connected. Read at accept time, so neither depends on the
/// peer's pid still existing (or not yet being reused) when a command is authorised, and the daemon
/// needs no access to /proc (the unit sets ProtectProc=invisible).
public struct PeerCredentials: Sendable, Equatable {
    public var pid: Int32
    public var uid: UInt32
    public var gid: UInt32
    /// Supplementary groups.
    public var groups: [UInt32]

    public init(pid: Int32, uid: UInt32, gid: UInt32, groups: [UInt32] = []) {
        self.pid = pid
        self.uid = uid
        self.gid = gid
        self.groups = groups
    }

    public static func of(_ fd: Int32) -> PeerCredentials? {
        var pid: pid_t = 0, uid: uid_t = 0, gid: gid_t = 0
        guard cshim_peer_credentials(fd, &pid, &uid, &gid) == 0, let groups = peerGroups(fd) else { return nil }
        return PeerCredentials(pid: pid, uid: uid, gid: gid, groups: groups)
    }

    static func peerGroups(_ fd: Int32) -> [UInt32]? {
        var groups = [gid_t](repeating: 0, count: 64)
        while true {
            let n = cshim_peer_groups(fd, &groups, Int32(groups.count))
            if n < 0 { return nil }
            if Int(n) <= groups.count { return Array(groups.prefix(Int(n))) }
            groups = [gid_t](repeating: 0, count: Int(n))
        }
    }
}
