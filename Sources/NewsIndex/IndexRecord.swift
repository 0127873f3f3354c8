public import FoundationEssentials

/// What the index keeps of one output (`out/<id>.json`). The daemon builds it from the values it
/// encodes, `reindex` from the JSON on disk (`init(output:)`); both must give the same rows.
public struct IndexRecord: Sendable, Equatable {
    public struct Entity: Sendable, Equatable {
        /// The id inside the article ("e1"), to resolve quote speakers.
        public var localID: String
        public var type: String { didSet { fold() } }
        public var name: String { didSet { fold() } }
        public var code: String? { didSet { fold() } }
        /// The name and every alias as written.
        public var forms: [String] { didSet { fold() } }
        public var mentions: Int
        public var salience: Double
        /// The normalised key the index merges entities under across articles.
        public private(set) var key = ""
        /// The folded names it is looked up by (`EntityKey.lookupKeys`), sorted.
        public private(set) var lookupKeys: [String] = []

        public init(localID: String, type: String, name: String, code: String?, forms: [String], mentions: Int, salience: Double) {
            self.localID = localID
            self.type = type
            self.name = name
            self.code = code
            self.forms = forms
            self.mentions = mentions
            self.salience = salience
            fold()
        }

        /// Each form folded once, where the row is built (the worker), so the writer only inserts:
        /// folding every form for the key and again for the lookup keys on the writer was a profile's
        /// second item after SQLite.
        private mutating func fold() {
            let folded = forms.map(EntityKey.fold)
            key = EntityKey.make(type: type, folded: forms.first == name ? folded[0] : EntityKey.fold(name), code: code)
            lookupKeys = EntityKey.lookupKeys(type: type, folded: folded, code: code).sorted()
        }
    }

    public struct Quote: Sendable, Equatable {
        public var speakerLocalID: String?
        public var speaker: String?
        public var text: String
        public var cue: String?
        public init(speakerLocalID: String?, speaker: String?, text: String, cue: String?) {
            self.speakerLocalID = speakerLocalID
            self.speaker = speaker
            self.text = text
            self.cue = cue
        }
    }

    public struct Time: Sendable, Equatable {
        public var type: String
        public var value: String
        public var text: String
        public init(type: String, value: String, text: String) {
            self.type = type
            self.value = value
            self.text = text
        }
    }

    public var id: String
    public var file: String
    public var feed: String?
    public var format: String
    public var guid: String
    public var version: Int
    public var tombstone: Bool
    public var supersedes: String?
    public var storyID: String
    /// `article.date` (YYYY-MM-DD), `article.timestamp` (ISO 8601), `processed_at` (ISO 8601).
    public var date: String?
    public var timestamp: String?
    public var processedAt: String
    public var headline: String
    public var text: String
    public var entities: [Entity]
    public var quotes: [Quote]
    public var times: [Time]

    public init(id: String, file: String, feed: String?, format: String, guid: String, version: Int, tombstone: Bool,
                supersedes: String?, storyID: String, date: String?, timestamp: String?, processedAt: String,
                headline: String, text: String, entities: [Entity], quotes: [Quote], times: [Time]) {
        self.id = id
        self.file = file
        self.feed = feed
        self.format = format
        self.guid = guid
        self.version = version
        self.tombstone = tombstone
        self.supersedes = supersedes
        self.storyID = storyID
        self.date = date
        self.timestamp = timestamp
        self.processedAt = processedAt
        self.headline = headline
        self.text = text
        self.entities = entities
        self.quotes = quotes
        self.times = times
    }

    /// The article's time for trends, in seconds since 1970: its timestamp, else its date (midnight
    /// UTC), else when it was processed.
    public var time: Int64 {
        if let timestamp, let t = IndexTime.parseTimestamp(timestamp) { return t }
        if let date, let t = IndexTime.parseDate(date) { return t }
        return IndexTime.parseTimestamp(processedAt) ?? 0
    }
}

// MARK: - From an output file

extension IndexRecord {
    private struct Output: Decodable {
        struct Source: Decodable { var file: String; var feed: String?; var format: String }
        struct ArticlePart: Decodable {
            var guid: String; var version: Int; var date: String?; var timestamp: String?; var headline: String; var text: String
        }
        struct Entity: Decodable {
            var id: String; var type: String; var name: String; var code: String?; var aliases: [String]?
            var mentions: [Span]; var salience: Double?
        }
        struct Span: Decodable {}
        struct Quote: Decodable { var text: String; var speaker_id: String?; var speaker: String?; var cue: String? }
        struct Time: Decodable { var type: String; var value: String; var text: String }
        struct Extraction: Decodable { var entities: [Entity]; var quotes: [Quote]; var times: [Time] }

        var id: String
        var processed_at: String
        var source: Source
        var article: ArticlePart
        var supersedes: String?
        var tombstone: Bool
        var story_id: String?
        var extraction: Extraction?
    }

    /// Reads an output document. An output written before stories existed starts its own story.
    public init(output bytes: Data) throws {
        let o = try JSONDecoder().decode(Output.self, from: bytes)
        let x = o.extraction
        self.init(
            id: o.id, file: o.source.file, feed: o.source.feed, format: o.source.format, guid: o.article.guid,
            version: o.article.version, tombstone: o.tombstone, supersedes: o.supersedes, storyID: o.story_id ?? o.id,
            date: o.article.date, timestamp: o.article.timestamp, processedAt: o.processed_at,
            headline: o.article.headline, text: o.article.text,
            entities: (x?.entities ?? []).map {
                Entity(localID: $0.id, type: $0.type, name: $0.name, code: $0.code, forms: Self.forms(name: $0.name, aliases: $0.aliases ?? []),
                       mentions: $0.mentions.count, salience: $0.salience ?? 0)
            },
            quotes: (x?.quotes ?? []).map { Quote(speakerLocalID: $0.speaker_id, speaker: $0.speaker, text: $0.text, cue: $0.cue) },
            times: (x?.times ?? []).map { Time(type: $0.type, value: $0.value, text: $0.text) })
    }

    /// The name first, then each alias once.
    public static func forms(name: String, aliases: [String]) -> [String] {
        var seen: Set<String> = [name]
        var forms = [name]
        for alias in aliases where seen.insert(alias).inserted { forms.append(alias) }
        return forms
    }
}

/// Article times as seconds since 1970 (UTC).
enum IndexTime {
    static func parseDate(_ s: String) -> Int64? {
        let parts = s.split(separator: "-")
        guard parts.count == 3, let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]) else { return nil }
        return daysFromCivil(y, m, d) * 86_400
    }

    /// `YYYY-MM-DDTHH:MM:SS` with `Z`, `±HH:MM` or nothing (UTC), fractions ignored.
    static func parseTimestamp(_ s: String) -> Int64? {
        let u = Array(s.utf8)
        guard u.count >= 19, let day = parseDate(String(decoding: u[0..<10], as: UTF8.self)) else { return nil }
        func num(_ r: Range<Int>) -> Int64? { Int64(String(decoding: u[r], as: UTF8.self)) }
        guard let h = num(11..<13), let mi = num(14..<16), let se = num(17..<19) else { return nil }
        var t = day + h * 3600 + mi * 60 + se
        var i = 19
        if i < u.count && u[i] == UInt8(ascii: ".") { i += 1; while i < u.count && u[i] >= 48 && u[i] <= 57 { i += 1 } }
        if i + 6 <= u.count && (u[i] == UInt8(ascii: "+") || u[i] == UInt8(ascii: "-")),
           let oh = num(i + 1..<i + 3), let om = num(i + 4..<i + 6) {
            let offset = oh * 3600 + om * 60
            t += u[i] == UInt8(ascii: "+") ? -offset : offset
        }
        return t
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(_ year: Int, _ month: Int, _ day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let m = Int64(month)
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
