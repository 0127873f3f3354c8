public import Dispatch
import CLinuxShim
import Glibc

/// A listening socket served on a serial queue: every connection waiting in its backlog is accepted
/// (non-blocking, close-on-exec) and handed over, until `stop`. The control socket and the metrics
/// endpoint both listen through it.
public final class SocketListener: @unchecked Sendable {
    public let fd: Int32
    private let queue: DispatchQueue
    private var source: (any DispatchSourceRead)?

    /// Takes `fd` (bound and listening) and makes it non-blocking, so accepting stops at EAGAIN.
    public init(fd: Int32, queue: DispatchQueue) {
        self.fd = fd
        self.queue = queue
        DescriptorIO.setNonBlocking(fd)
    }

    /// Starts accepting: `onAccept` runs on the queue with each new connection's descriptor, which it owns.
    public func start(_ onAccept: @escaping (Int32) -> Void) {
        let source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: queue)
        source.setEventHandler { [fd] in
            while true {
                let connection = cshim_accept_nonblocking(fd)
                if connection < 0 { return }  // EAGAIN: no more for now
                onAccept(connection)
            }
        }
        source.resume()
        self.source = source
    }

    /// Stops accepting; with `closing`, closes the listening socket too (one systemd passed in stays
    /// open otherwise). Call it on the queue.
    public func stop(closing: Bool) {
        source?.cancel()
        source = nil
        if closing { close(fd) }
    }
}
