import CLinuxShim
import CSystemd
import FoundationEssentials
import Glibc

/// sd_notify(3): readiness, status, watchdog and reload/stop notices to the service manager.
/// Outside systemd (no NOTIFY_SOCKET) every call is a cheap no-op.
enum ServiceManager {
    static func notify(_ state: String) {
        _ = sd_notify(0, state)
    }

    static func ready(status: String) { notify("READY=1\nSTATUS=\(status)") }
    static func status(_ text: String) { notify("STATUS=\(text)") }
    static func stopping() { notify("STOPPING=1") }
    /// Asks systemd for `seconds` more before its start/stop timeout kills us (EXTEND_TIMEOUT_USEC=):
    /// sent again before each extension runs out, for as long as the drain lasts.
    static func extendTimeout(seconds: Double) { notify("EXTEND_TIMEOUT_USEC=\(UInt64(seconds * 1_000_000))") }
    static func reloading() { notify("RELOADING=1\nMONOTONIC_USEC=\(cshim_monotonic_usec())") }
    static func watchdogPing() { notify("WATCHDOG=1") }

    /// The watchdog interval systemd asked for, if any (WatchdogSec=).
    static func watchdogInterval() -> Double? {
        var usec: UInt64 = 0
        guard sd_watchdog_enabled(0, &usec) > 0, usec > 0 else { return nil }
        return Double(usec) / 1_000_000
    }

    /// File descriptors passed by socket activation, starting at SD_LISTEN_FDS_START, with their
    /// `FileDescriptorName=` (newsinboxd.socket: `control`, newsinboxd-metrics.socket: `metrics`;
    /// systemd's default is the socket unit's name).
    static func listenFileDescriptors() -> [(name: String, fd: Int32)] {
        var names: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
        let n = sd_listen_fds_with_names(1, &names)
        guard n > 0 else { return [] }
        defer {
            for i in 0..<Int(n) { free(names?[i]) }
            free(names)
        }
        return (0..<Int(n)).map { i in (names?[i].map { String(cString: $0) } ?? "", Int32(3 + i)) }
    }
}

/// The systemd journal, written with sd_journal_sendv (one iovec per FIELD=value).
public enum Journal {
    /// Whether journald is there to receive entries: sd_journal_sendv returns 0 and drops the entry
    /// when the socket is missing, so check the socket itself.
    public static func isAvailable() -> Bool {
        if ProcessInfo.processInfo.environment["JOURNAL_STREAM"] != nil { return true }
        var st = stat()
        guard stat("/run/systemd/journal/socket", &st) == 0, (st.st_mode & S_IFMT) == S_IFSOCK else { return false }
        return true
    }

    /// Sends one entry. Field names must be `[A-Z0-9_]`; repeated names are allowed (ENTITY_PERSON=…).
    /// Returns 0 or a negative errno.
    @discardableResult
    static func send(_ fields: [(String, String)]) -> Int32 {
        // One arena holds every "FIELD=value" so each iovec points at stable memory; the fields are copied
        // straight into it (no intermediate string or array per field: an entry has dozens).
        let total = fields.reduce(0) { $0 + $1.0.utf8.count + 1 + $1.1.utf8.count }
        let arena = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(total, 1))
        defer { arena.deallocate() }
        var iov: [iovec] = []
        iov.reserveCapacity(fields.count)
        var offset = 0
        for (name, value) in fields {
            let start = offset
            offset = copyUTF8(name, into: arena, at: offset)
            arena[offset] = UInt8(ascii: "=")
            offset = copyUTF8(value, into: arena, at: offset + 1)
            iov.append(iovec(iov_base: UnsafeMutableRawPointer(arena.baseAddress! + start), iov_len: offset - start))
        }
        let rc = sd_journal_sendv(&iov, Int32(iov.count))
        // sd_journal_sendv returns 0 and drops the entry when the socket is gone: say so.
        if rc == 0 && !isAvailable() { return -ENOENT }
        return rc
    }

    /// Copies `text`'s UTF-8 into `arena` at `offset`; returns the offset after it.
    private static func copyUTF8(_ text: String, into arena: UnsafeMutableBufferPointer<UInt8>, at offset: Int) -> Int {
        var text = text
        return text.withUTF8 { utf8 in
            UnsafeMutableBufferPointer(rebasing: arena[offset..<offset + utf8.count]).initialize(from: utf8).1 + offset
        }
    }
}
