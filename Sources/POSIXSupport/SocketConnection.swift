public import Dispatch
import Glibc

/// One connected, non-blocking socket, owned by a serial queue (every method is called on it): read
/// events, writes that wait for a slow peer instead of blocking, and a close that happens once.
///
/// The descriptor is closed only after the last Dispatch source on it is cancelled, so a reused
/// descriptor number is never unregistered by mistake.
public final class SocketConnection {
    public let fd: Int32
    private let queue: DispatchQueue
    private var readSource: (any DispatchSourceRead)?
    private var writeSource: (any DispatchSourceWrite)?
    /// Bytes queued by `send`; the first `sent` of them the peer has taken already. Dropped in one go
    /// once they are half the buffer, so a slow peer costs amortised O(1) per byte, not O(pending).
    private var pending: [UInt8] = []
    private var sent = 0
    private var liveSources = 0
    public private(set) var isClosed = false
    /// Called once, when the connection closes (for any reason: a failed send, or `close()`).
    public var onClose: (() -> Void)?
    /// Called each time everything queued by `send` has been taken by the peer.
    public var onDrained: (() -> Void)?

    /// Takes `fd`, which must already be non-blocking.
    public init(fd: Int32, queue: DispatchQueue) {
        self.fd = fd
        self.queue = queue
    }

    /// Bytes queued by `send` that the peer has not taken yet.
    public var pendingByteCount: Int { pending.count - sent }

    /// Calls `handler` on the queue whenever there is something to read (or the peer closed).
    public func startReading(_ handler: @escaping () -> Void) {
        let source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: queue)
        source.setEventHandler(handler: handler)
        track(source)
        source.resume()
        readSource = source
    }

    public func stopReading() {
        readSource?.cancel()
        readSource = nil
    }

    /// recv(2) without waiting: the byte count, 0 at end of stream, or -1 with errno (EAGAIN: nothing yet).
    public func receive(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        retryingOnInterrupt { recv(fd, buffer.baseAddress!, buffer.count, Int32(MSG_DONTWAIT)) }
    }

    /// Queues `bytes` and sends what the peer takes now; the rest goes as it reads. A failed send closes.
    public func send(_ bytes: [UInt8]) {
        guard !isClosed else { return }
        pending.append(contentsOf: bytes)
        flush()
    }

    private func flush() {
        while sent < pending.count {
            let n = pending.withUnsafeBytes { buffer in
                retryingOnInterrupt { Glibc.send(fd, buffer.baseAddress! + sent, buffer.count - sent, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
            }
            if n < 0 {
                if errno == EAGAIN {
                    if writeSource == nil {
                        let source = DispatchSource.makeWriteSource(fileDescriptor: fd, queue: queue)
                        source.setEventHandler { [self] in flush() }
                        track(source)
                        source.resume()
                        writeSource = source
                    }
                    if sent > pending.count / 2 { pending.removeFirst(sent); sent = 0 }
                    return
                }
                close(); return
            }
            sent += n
        }
        pending.removeAll(keepingCapacity: true)
        sent = 0
        writeSource?.cancel()
        writeSource = nil
        onDrained?()
    }

    public func close() {
        guard !isClosed else { return }
        isClosed = true
        pending = []
        sent = 0
        readSource?.cancel()
        writeSource?.cancel()
        readSource = nil
        writeSource = nil
        if liveSources == 0 { Glibc.close(fd) }
        let onClose = self.onClose
        self.onClose = nil
        onDrained = nil
        onClose?()
    }

    private func track(_ source: any DispatchSourceProtocol) {
        liveSources += 1
        source.setCancelHandler { [self] in
            liveSources -= 1
            if liveSources == 0 && isClosed { Glibc.close(fd) }
        }
    }
}
