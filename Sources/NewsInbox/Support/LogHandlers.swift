import FoundationEssentials
import Glibc
import POSIXSupport
public import Logging

/// Where the daemon's own log lines go: the journal (with PRIORITY and CODE_* fields) or stderr.
public enum LogDestination: Sendable { case journal, stderr }

/// The run-time log level, shared by every logger so `newsinboxctl log-level` takes effect at once.
let sharedLogLevel = Locked<Logger.Level>(.info)

/// A swift-log handler writing one journal entry per log line, or one line to stderr.
public struct DaemonLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let destination: LogDestination

    public init(label: String, destination: LogDestination) {
        self.label = label
        self.destination = destination
    }

    public var logLevel: Logger.Level {
        get { sharedLogLevel.current }
        set { sharedLogLevel.withLock { $0 = newValue } }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var all = metadata
        if let provided = metadataProvider?.get() { all.merge(provided) { $1 } }
        if let extra = event.metadata { all.merge(extra) { $1 } }
        let suffix = all.isEmpty ? "" : " " + all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        switch destination {
        case .journal:
            var fields: [(String, String)] = [
                ("MESSAGE", "\(event.message)\(suffix)"),
                ("PRIORITY", String(Self.syslogPriority(event.level))),
                ("SYSLOG_IDENTIFIER", "newsinboxd"),
                ("CODE_FILE", event.file), ("CODE_LINE", String(event.line)), ("CODE_FUNC", event.function),
                ("LOGGER", label),
            ]
            for (key, value) in all {
                let field = Self.journalFieldName(key)
                if !field.isEmpty { fields.append((field, "\(value)")) }
            }
            if Journal.send(fields) < 0 {
                writeToStandardError("newsinboxd: \(event.level): \(event.message)\(suffix)\n")
            }
        case .stderr:
            let line = "newsinboxd: \(event.level): \(event.message)\(suffix)\n"
            writeToStandardError(line)
        }
    }

    static func syslogPriority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: return 7
        case .info: return 6
        case .notice: return 5
        case .warning: return 4
        case .error: return 3
        case .critical: return 2
        }
    }

    /// Journal field names are `[A-Z0-9_]` and may not start with `_`.
    static func journalFieldName(_ key: String) -> String {
        var out = ""
        for c in key.uppercased().unicodeScalars {
            if (c >= "A" && c <= "Z") || (c >= "0" && c <= "9") { out.unicodeScalars.append(c) } else { out.append("_") }
        }
        while out.hasPrefix("_") { out.removeFirst() }
        return String(out.prefix(64))
    }
}

/// One line to stderr, dropped if it cannot be written (stderr on a full disk: ENOSPC must never
/// stop the daemon).
public func writeToStandardError(_ text: String) {
    _ = DescriptorIO.writeAll(STDERR_FILENO, Array(text.utf8))
}
