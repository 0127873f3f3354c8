import Extraction
import FoundationEssentials
import Logging

/// One structured journal entry per processed, failed and duplicate article.
///
/// Entries are at-least-once: a crash between the entry and the move to done/ repeats the entry
/// when the item is resumed (the output itself is written once).
final class JournalSink: @unchecked Sendable {
    /// Fixed per event kind, so `journalctl MESSAGE_ID=...` selects one kind.
    enum Event: String, CaseIterable {
        case processed = "10f304f39f964bccac268624aa1a7ec2"
        case failed = "5f2552e3835a436eb99c20552f3d4b01"
        case duplicate = "64ef3184aaad4356b4c961fb451b5fec"
        case tombstone = "97757f49df27404aad98cd2320ff653a"

        var priority: Int {
            switch self {
            case .processed, .duplicate, .tombstone: return 6
            case .failed: return 4
            }
        }
    }

    private let enabled: Bool
    private let logger: Logger
    private let failures = Locked<Int>(0)

    init(enabled: Bool, logger: Logger) {
        self.enabled = enabled
        self.logger = logger
    }

    struct Entry {
        var event: Event
        var message: String
        var id: String?
        var file: String
        var feed: String?
        var date: String?
        var outputPath: String?
        var durationMicroseconds: UInt64
        var extra: [(String, String)] = []
    }

    func send(_ entry: Entry) {
        guard enabled else { return }
        var fields: [(String, String)] = [
            ("MESSAGE", entry.message),
            ("MESSAGE_ID", entry.event.rawValue),
            ("PRIORITY", String(entry.event.priority)),
            ("SYSLOG_IDENTIFIER", "newsinboxd"),
            ("ARTICLE_FILE", entry.file),
            ("DURATION_USEC", String(entry.durationMicroseconds)),
        ]
        if let id = entry.id { fields.append(("ARTICLE_ID", id)) }
        if let feed = entry.feed { fields.append(("ARTICLE_FEED", feed)) }
        if let date = entry.date { fields.append(("ARTICLE_DATE", date)) }
        if let path = entry.outputPath { fields.append(("OUTPUT_PATH", path)) }
        fields.append(contentsOf: entry.extra)
        let rc = Journal.send(fields)
        if rc < 0 {
            // Say so once per outage, not once per article.
            let first = failures.withLock { n -> Bool in n += 1; return n == 1 }
            if first { logger.error("journal entries cannot be sent (errno \(-rc)); articles are still processed") }
        } else {
            let recovered = failures.withLock { n -> Bool in defer { n = 0 }; return n > 0 }
            if recovered { logger.notice("journal entries are sent again") }
        }
    }

    /// Repeated ENTITY_* fields so `journalctl ENTITY_PERSON="Derek Chollet"` finds the article.
    static func entityFields(_ extraction: Extraction?) -> [(String, String)] {
        guard let extraction else { return [] }
        var fields: [(String, String)] = []
        var seen: Set<String> = []
        for entity in extraction.entities {
            let field: String
            switch entity.type {
            case .person: field = "ENTITY_PERSON"
            case .org: field = "ENTITY_ORG"
            case .place: field = "ENTITY_PLACE"
            case .norp: field = "ENTITY_NORP"
            case .event: field = "ENTITY_EVENT"
            case .misc: field = "ENTITY_MISC"
            }
            if seen.insert(field + "=" + entity.name).inserted { fields.append((field, entity.name)) }
        }
        return fields
    }
}
