public import FoundationEssentials
import Glibc

/// `2026-12-01T19:37:34Z`: what `ISO8601DateFormatter()` prints by default, without building a formatter
/// (and its ICU calendar) for every article, and without linking ICU into the binary.
public enum UTCTimestamp {
    public static func string(from date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        var year = String(parts.tm_year + 1900)
        while year.utf8.count < 4 { year = "0" + year }
        return "\(year)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
    }
}
