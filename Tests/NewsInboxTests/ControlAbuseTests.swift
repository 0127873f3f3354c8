import Foundation
import Glibc
import Testing
@testable import NewsInbox

/// The control socket under abuse: the daemon keeps processing files and answers well-behaved clients.
@Suite(.serialized) struct ControlAbuseTests {
    /// A non-blocking connection to the control socket, or -1.
    static func connectNonBlocking(_ path: String) -> Int32 {
        let fd = socket_(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { return -1 }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in raw.copyBytes(from: bytes); raw[bytes.count] = 0 }
        let rc = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
        // A Unix socket connects at once or not at all (EAGAIN when the listen backlog is full).
        if rc != 0 { close(fd); return -1 }
        return fd
    }

    @Test func aThousandConnectionsSlowAndDeafClientsDoNotStopTheDaemon() throws {
        var limit = rlimit()
        getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        let wanted = rlim_t(4096)
        if limit.rlim_cur < wanted { limit.rlim_cur = min(wanted, limit.rlim_max); setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) }

        let d = try DaemonHarness()
        try d.start()
        // 1,000 connections at once that say nothing.
        var silent: [Int32] = []
        var attempts = 0
        while silent.count < 1000 && attempts < 20_000 {
            attempts += 1
            let fd = Self.connectNonBlocking(d.socket.path)
            if fd >= 0 { silent.append(fd) } else { usleep(1_000) }  // backlog full: let the daemon accept
        }
        #expect(silent.count == 1000)
        // Clients that send one byte a second, and clients that ask and never read the answer.
        let stop = Locked(false)
        let slow = Thread {
            var fds = (0..<10).map { _ in Self.connectNonBlocking(d.socket.path) }.filter { $0 >= 0 }
            let request = Array(#"{"version":1,"command":"status","args":{}}"#.utf8) + [0x0A]
            var i = 0
            while !stop.current && i < request.count {
                for fd in fds { var b = request[i]; _ = send(fd, &b, 1, Int32(MSG_NOSIGNAL)) }
                i += 1
                sleep(1)
            }
            fds.forEach { close($0) }
            fds.removeAll()
        }
        slow.start()
        var deaf: [Int32] = []
        for _ in 0..<50 {
            let fd = Self.connectNonBlocking(d.socket.path)
            guard fd >= 0 else { continue }
            let line = Array(#"{"version":1,"command":"stats","args":{}}"#.utf8) + [0x0A]
            _ = line.withUnsafeBytes { send(fd, $0.baseAddress!, $0.count, Int32(MSG_NOSIGNAL)) }
            deaf.append(fd)
        }
        // Meanwhile files keep arriving and are processed.
        let count = 150
        for n in 0..<count {
            try d.dropByRename("abuse/\(n).txt", Array("Under abuse \(n)\n\nArticle \(n) arrives while the control socket is flooded.\n".utf8))
        }
        try d.waitUntil("all files are processed during the abuse", timeout: 120) { d.files(in: d.done).count == count }
        // A well-behaved client is answered (the flood's silent connections time out and make room).
        try d.waitUntil("a well-behaved client is answered", timeout: 30) { d.ping() }
        #expect(d.isRunning)
        stop.withLock { $0 = true }
        while slow.isExecuting { usleep(50_000) }
        (silent + deaf).forEach { close($0) }
        let stats = try d.request(#"{"version":1,"command":"stats","args":{}}"#)
        #expect(stats.contains("\"ok\":true"))
        print("control abuse: \(silent.count) silent connections opened, 10 slow, \(deaf.count) deaf; \(count) files processed meanwhile")
        d.stop()
    }
}
