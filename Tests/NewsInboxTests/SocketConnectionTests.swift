import Dispatch
import Foundation
import Glibc
import POSIXSupport
import Testing

/// `SocketConnection.send` against a peer that reads slowly: the queued bytes go out in order, whole,
/// across many partial sends, and `onDrained` says when the last of them is taken.
@Suite struct SocketConnectionTests {
    @Test func aSlowPeerGetsEveryQueuedByteInOrder() throws {
        var fds: [Int32] = [0, 0]
        #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0)
        // A small send buffer, so nearly every send is partial and most wait for the peer.
        var size: Int32 = 4096
        setsockopt(fds[0], SOL_SOCKET, SO_SNDBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        #expect(fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK) == 0)

        let queue = DispatchQueue(label: "test.socket")
        let connection = SocketConnection(fd: fds[0], queue: queue)
        let drained = DispatchSemaphore(value: 0)
        // 64 messages of 16 KiB, each byte a function of its position, queued faster than the peer reads.
        let total = 64 * 16_384
        let expected = (0..<total).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8) }
        queue.sync {
            connection.onDrained = { drained.signal() }
            for start in stride(from: 0, to: total, by: 16_384) {
                connection.send(Array(expected[start..<start + 16_384]))
            }
            #expect(connection.pendingByteCount > 0, "the peer has not read yet, so something must be queued")
        }

        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 3000)
        while received.count < total {
            let n = buffer.withUnsafeMutableBytes { recv(fds[1], $0.baseAddress!, $0.count, 0) }
            #expect(n > 0)
            if n <= 0 { break }
            received += buffer[0..<n]
        }
        #expect(drained.wait(timeout: .now() + 10) == .success)
        queue.sync {
            #expect(connection.pendingByteCount == 0)
            connection.close()
        }
        #expect(received.count == total)
        #expect(received == expected)
        close(fds[1])
    }
}
