import Foundation
import Glibc
import Testing
@testable import NewsInbox

/// What newsinboxd tells systemd, read from a real notification socket (a datagram socket standing in
/// for systemd's, named by NOTIFY_SOCKET as systemd names its own).
@Suite(.serialized) struct NotifyTests {
    @Test func aDrainAsksSystemdForMoreTimeBeforeStopping() throws {
        let d = try DaemonHarness()
        let path = d.root.appendingPathComponent("notify.sock").path
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        _ = withUnsafeMutableBytes(of: &address.sun_path) { buffer in path.utf8CString.withUnsafeBytes { buffer.copyMemory(from: $0) } }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) == 0 }
        }
        #expect(bound)
        var timeout = timeval(tv_sec: 60, tv_usec: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))

        try d.start(environment: ["NOTIFY_SOCKET": path])
        d.signal(SIGTERM)
        // Read every message until the daemon stops (or the receive times out).
        var messages: [String] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !messages.contains(where: { $0.contains("EXTEND_TIMEOUT_USEC=") }) {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            messages.append(String(decoding: buffer[..<n], as: UTF8.self))
        }
        let stopping = messages.firstIndex { $0.contains("STOPPING=1") }
        let extend = messages.firstIndex { $0.contains("EXTEND_TIMEOUT_USEC=10000000") }
        #expect(messages.contains { $0.contains("READY=1") }, "\(messages)")
        #expect(stopping != nil && extend != nil && stopping! < extend!, "\(messages)")
        #expect(d.stop(timeout: 60) == 0)
    }
}
