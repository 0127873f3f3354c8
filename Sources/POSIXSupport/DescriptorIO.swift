public import Glibc

/// Repeats a system call while it fails with EINTR (a signal arrived before it did anything), as
/// swift-system's `valueOrErrno(retryOnInterrupt:)` does. Any other result, and errno, are the call's.
@inlinable
public func retryingOnInterrupt<Result: BinaryInteger>(_ call: () -> Result) -> Result {
    while true {
        let result = call()
        if result >= 0 || errno != EINTR { return result }
    }
}

/// Whole-buffer writes and descriptor flags, the loops every caller would otherwise write again.
public enum DescriptorIO {
    /// Writes every byte to `fd`, after short writes and EINTR. With `socket`, send(2) with
    /// MSG_NOSIGNAL, so a peer that went away is EPIPE rather than SIGPIPE. Returns 0, or the errno that
    /// stopped it (EAGAIN on a non-blocking or timed-out descriptor; EIO if a call wrote nothing).
    @discardableResult
    public static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, socket: Bool = false) -> Int32 {
        var offset = 0
        while offset < bytes.count {
            let n = retryingOnInterrupt {
                socket ? send(fd, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
                       : write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            }
            if n < 0 { return errno }
            if n == 0 { return EIO }
            offset += n
        }
        return 0
    }

    @discardableResult
    public static func writeAll(_ fd: Int32, _ bytes: [UInt8], socket: Bool = false) -> Int32 {
        bytes.withUnsafeBytes { writeAll(fd, $0, socket: socket) }
    }

    /// Sets or clears O_NONBLOCK, keeping the other status flags.
    public static func setNonBlocking(_ fd: Int32, _ nonBlocking: Bool = true) {
        let flags = fcntl(fd, F_GETFL)
        _ = fcntl(fd, F_SETFL, nonBlocking ? flags | O_NONBLOCK : flags & ~O_NONBLOCK)
    }
}
