import Dispatch
import Glibc
import Logging
import POSIXSupport

/// A minimal HTTP/1.1 responder for Prometheus: `GET /metrics` (and `HEAD`), one request per
/// connection, then close. It runs on its own serial queue, never on the pipeline's: each
/// connection gets at most `ioTimeoutSeconds` to send its request (at most `maxRequestBytes`) and to
/// take the answer, so a slow or silent client delays other scrapes, never an article.
///
/// The listening socket comes from systemd (`newsinboxd-metrics.socket`, `FileDescriptorName=metrics`),
/// which also lets it work under `PrivateNetwork=yes`; without socket activation the daemon binds
/// `metrics_listen` (off by default).
final class MetricsServer: @unchecked Sendable {
    static let maxRequestBytes = 8 * 1024
    static let ioTimeoutSeconds = 5

    private let queue = DispatchQueue(label: "newsinboxd.metrics")
    private let listener: SocketListener
    private let logger: Logger
    /// Brings the gauges up to date (on the pipeline's queue), then calls back; the text is rendered after.
    private let prepare: @Sendable (@escaping @Sendable () -> Void) -> Void

    init(listenFD: Int32, logger: Logger, prepare: @escaping @Sendable (@escaping @Sendable () -> Void) -> Void) {
        self.listener = SocketListener(fd: listenFD, queue: queue)
        self.logger = logger
        self.prepare = prepare
    }

    /// Binds and listens on `host:port` (IPv4 or IPv6 literal; `[::1]:9470`), for running without systemd.
    static func bind(_ address: String) throws -> Int32 {
        guard let (host, port) = MetricsAddress.parse(address) else {
            throw ConfigError("metrics_listen = \(address): expected HOST:PORT such as 127.0.0.1:9470")
        }
        var hints = addrinfo()
        hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &result) == 0, let info = result else {
            throw ConfigError("metrics_listen = \(address): not a numeric address")
        }
        defer { freeaddrinfo(result) }
        let fd = socket(info.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SystemError("socket", address) }
        var one: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        guard Glibc.bind(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 else {
            let e = errno; close(fd); throw SystemError("bind", address, errno: e)
        }
        guard listen(fd, 16) == 0 else { let e = errno; close(fd); throw SystemError("listen", address, errno: e) }
        return fd
    }

    func start() {
        listener.start { [weak self] fd in self?.serve(fd) }
    }

    /// Stops accepting; the listening socket stays open (systemd may hold it for the next start).
    func stop() {
        queue.sync { listener.stop(closing: false) }
    }

    /// Reads one request with a deadline and answers it; the answer is rendered off this queue and
    /// written back on it.
    private func serve(_ fd: Int32) {
        // Blocking I/O with timeouts on this queue only: simpler than a state machine, and bounded.
        DescriptorIO.setNonBlocking(fd, false)
        var timeout = timeval(tv_sec: Self.ioTimeoutSeconds, tv_usec: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        _ = setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var request: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 2048)
        let end: [UInt8] = Array("\r\n\r\n".utf8)
        while request.count < Self.maxRequestBytes && !request.contains(subsequence: end) {
            let n = chunk.withUnsafeMutableBytes { buffer in retryingOnInterrupt { recv(fd, buffer.baseAddress, buffer.count, 0) } }
            if n <= 0 { close(fd); return }  // timeout, reset or EOF before a whole request: nothing to answer
            request += chunk[..<n]
        }
        switch HTTPRequestLine.route(request, complete: request.contains(subsequence: end)) {
        case .metrics(let head):
            prepare { [queue] in
                queue.async {
                    Self.write(fd, HTTPRequestLine.response(status: "200 OK", contentType: MetricsAddress.contentType,
                                                            body: DaemonMetrics.exposition(), includeBody: !head))
                    close(fd)
                }
            }
        case .error(let status, let message):
            Self.write(fd, HTTPRequestLine.response(status: status, contentType: "text/plain; charset=utf-8",
                                                    body: Array((message + "\n").utf8), includeBody: true))
            close(fd)
        }
    }

    /// A client that left or did not read within the timeout just misses the answer.
    private static func write(_ fd: Int32, _ bytes: [UInt8]) {
        DescriptorIO.writeAll(fd, bytes, socket: true)
    }
}

/// Parsing the one request line we answer, and building the response.
enum HTTPRequestLine {
    enum Route: Equatable { case metrics(head: Bool), error(String, String) }

    static func route(_ request: [UInt8], complete: Bool) -> Route {
        guard complete else { return .error("431 Request Header Fields Too Large", "request larger than \(MetricsServer.maxRequestBytes) bytes") }
        let line = request.prefix { $0 != 0x0D && $0 != 0x0A }
        let parts = line.split(separator: 0x20).map { String(decoding: $0, as: UTF8.self) }
        guard parts.count == 3, parts[2].hasPrefix("HTTP/1.") else { return .error("400 Bad Request", "expected: GET /metrics HTTP/1.1") }
        guard parts[0] == "GET" || parts[0] == "HEAD" else { return .error("405 Method Not Allowed", "only GET and HEAD") }
        let path = parts[1].split(separator: "?", maxSplits: 1).first.map(String.init) ?? ""
        guard path == "/metrics" else { return .error("404 Not Found", "the metrics are at /metrics") }
        return .metrics(head: parts[0] == "HEAD")
    }

    static func response(status: String, contentType: String, body: [UInt8], includeBody: Bool) -> [UInt8] {
        var head = "HTTP/1.1 \(status)\r\nContent-Type: \(contentType)\r\nContent-Length: \(body.count)\r\nConnection: close\r\n"
        if status.hasPrefix("405") { head += "Allow: GET, HEAD\r\n" }
        head += "\r\n"
        return Array(head.utf8) + (includeBody ? body : [])
    }
}

enum MetricsAddress {
    /// The Prometheus text exposition format's media type.
    static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// `127.0.0.1:9470`, `[::1]:9470`, `0.0.0.0:9470`.
    static func parse(_ text: String) -> (host: String, port: UInt16)? {
        guard let colon = text.lastIndex(of: ":"), let port = UInt16(text[text.index(after: colon)...]), port > 0 else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return host.isEmpty ? nil : (host, port)
    }
}

private extension Array where Element == UInt8 {
    func contains(subsequence needle: [UInt8]) -> Bool {
        count >= needle.count && (0...(count - needle.count)).contains { self[$0..<($0 + needle.count)].elementsEqual(needle) }
    }
}
