import ArticleReaders
import Control
import Extraction
import FoundationEssentials
import NewsCore

/// The JSON written for each article: `out/<id>.json`. Documented in the README and in
/// `config/article.schema.json`; bump `schemaName` on any incompatible change.
struct ResultDocument: Encodable {
    static let schemaName = "newsinbox.article/1"

    struct Source: Encodable {
        var file: String
        var feed: String?
        var format: String
        var sha256: String
        var bytes: Int
        var encoding: String
        var encodingFallback: Bool
        /// 1-based position of this article in a file that carries several, and how many it carries.
        var item: Int
        var items: Int

        enum CodingKeys: String, CodingKey {
            case file, feed, format, sha256, bytes, encoding, encodingFallback = "encoding_fallback", item, items
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(file, forKey: .file)
            try c.encode(feed, forKey: .feed)  // null at the inbox's top level, never absent
            try c.encode(format, forKey: .format)
            try c.encode(sha256, forKey: .sha256)
            try c.encode(bytes, forKey: .bytes)
            try c.encode(encoding, forKey: .encoding)
            try c.encode(encodingFallback, forKey: .encodingFallback)
            try c.encode(item, forKey: .item)
            try c.encode(items, forKey: .items)
        }
    }

    struct ArticlePart: Encodable {
        var guid: String
        var version: Int
        var status: Article.Status
        var date: String?
        var dateSource: Article.DateSource
        var timestamp: String?
        var headline: String
        var byline: String?
        var dateline: String?
        var language: String?
        var urgency: Int?
        var subjects: [String]
        var keywords: [String]
        var text: String

        enum CodingKeys: String, CodingKey {
            case guid, version, status, date, dateSource = "date_source", timestamp, headline, byline, dateline
            case language, urgency, subjects, keywords, text
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(guid, forKey: .guid)
            try c.encode(version, forKey: .version)
            try c.encode(status, forKey: .status)
            try c.encode(date, forKey: .date)
            try c.encode(dateSource, forKey: .dateSource)
            try c.encodeIfPresent(timestamp, forKey: .timestamp)
            try c.encode(headline, forKey: .headline)
            try c.encodeIfPresent(byline, forKey: .byline)
            try c.encodeIfPresent(dateline, forKey: .dateline)
            try c.encodeIfPresent(language, forKey: .language)
            try c.encodeIfPresent(urgency, forKey: .urgency)
            try c.encode(subjects, forKey: .subjects)
            try c.encode(keywords, forKey: .keywords)
            try c.encode(text, forKey: .text)
        }
    }

    struct Generator: Encodable {
        var name = "newsinbox"
        var version = NewsInboxVersion.string
    }

    var schema = ResultDocument.schemaName
    var id: String
    var processedAt: String
    var generator = Generator()
    var source: Source
    var article: ArticlePart
    /// The id of the story's first article (see `StoryMatcher`): decided on the writer (`Annotator`),
    /// which encodes the document again when it is not the article's own id, what the worker encodes.
    var storyID: String
    /// The id of the earlier version of the same story (same guid, lower version) this one replaces.
    var supersedes: String?
    /// A provider's withdrawal (pubStatus canceled/withheld): no extraction, consumers drop the story.
    var tombstone: Bool
    var extraction: Extraction?

    enum CodingKeys: String, CodingKey {
        case schema, id, processedAt = "processed_at", generator, source, article, storyID = "story_id", supersedes, tombstone, extraction
    }

    init(id: String, item: Int, processed: ArticleProcessor.Processed, supersedes: String?, processedAt: Date) {
        let (_, article, extraction) = processed.articles[item]
        let s = processed.source
        self.id = id
        self.processedAt = UTCTimestamp.string(from: processedAt)
        self.source = Source(
            file: s.file, feed: s.feed, format: s.format, sha256: s.sha256, bytes: s.bytes, encoding: s.encoding,
            encodingFallback: s.encodingFallback, item: item + 1, items: processed.articles.count)
        self.article = ArticlePart(
            guid: article.guid ?? "urn:sha256:\(s.sha256)", version: article.version ?? 1, status: article.status,
            date: article.date?.iso, dateSource: article.dateSource, timestamp: article.timestamp,
            headline: article.headline, byline: article.byline, dateline: article.dateline, language: article.language,
            urgency: article.urgency, subjects: article.subjects, keywords: article.keywords, text: article.text)
        self.storyID = id
        self.supersedes = supersedes
        self.tombstone = article.status != .usable
        self.extraction = extraction
    }

    /// The output's bytes: the hand-written encoder (ResultDocument+JSON.swift); pretty-printed (the
    /// offline tool's `--pretty`) through the reference encoder.
    func encoded(pretty: Bool = false) throws -> [UInt8] {
        pretty ? try referenceEncoded(pretty: true) : fastEncoded()
    }

    /// Codable with sorted keys: the definition of the output's bytes that `fastEncoded()` must match.
    func referenceEncoded(pretty: Bool = false) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.withoutEscapingSlashes, .prettyPrinted, .sortedKeys] : [.withoutEscapingSlashes, .sortedKeys]
        var bytes = [UInt8](try encoder.encode(self))
        if pretty { bytes = Self.collapsingEmptyContainers(bytes) }
        bytes.append(0x0A)
        return bytes
    }

    /// Foundation's pretty printer writes an empty array as `[` newline newline `]`; jq and Python
    /// write `[]` (and `{}`). Only white space between an opening and its closing bracket is removed,
    /// and a JSON string never holds a raw newline, so nothing inside a string can match.
    static func collapsingEmptyContainers(_ json: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(json.count)
        var i = 0
        while i < json.count {
            let byte = json[i]
            out.append(byte)
            i += 1
            guard byte == UInt8(ascii: "[") || byte == UInt8(ascii: "{") else { continue }
            var j = i
            while j < json.count, json[j] == 0x20 || json[j] == 0x0A || json[j] == 0x0D || json[j] == 0x09 { j += 1 }
            let close = byte == UInt8(ascii: "[") ? UInt8(ascii: "]") : UInt8(ascii: "}")
            if j > i, j < json.count, json[j] == close, json[i..<j].contains(0x0A) { i = j }
        }
        return out
    }
}
