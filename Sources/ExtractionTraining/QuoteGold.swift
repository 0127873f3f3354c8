public import Extraction
import FoundationEssentials

/// One article of the hand-made quote gold (`docs/annotation/quotes-gold.jsonl`, guidelines in
/// `docs/annotation/quotes.md`). Offsets count Unicode scalars of the article file's text.
public struct QuoteGoldArticle: Sendable, Decodable {
    public struct GoldQuote: Sendable, Decodable {
        public var start: Int
        public var end: Int
        public var text: String
        /// The speaker's canonical name ("Tony Blair", "Football Association").
        public var speaker: String
        /// "person" or "org".
        public var speakerType: String
        /// Other names an answer may give for the same speaker ("FA", a spokesman's organisation).
        public var alternatives: [String]?
        /// The quote has no attribution of its own: it goes on from the quote before it.
        public var continuation: Bool

        enum CodingKeys: String, CodingKey {
            case start, end, text, speaker, speakerType = "speaker_type", alternatives, continuation
        }

        public init(start: Int, end: Int, text: String = "", speaker: String, speakerType: String = "person",
                    alternatives: [String]? = nil, continuation: Bool = false) {
            self.start = start; self.end = end; self.text = text; self.speaker = speaker
            self.speakerType = speakerType; self.alternatives = alternatives; self.continuation = continuation
        }
    }

    /// Quotation marks that hold no quote (scare quotes, titles, nicknames), or a short attributed phrase
    /// that an answer may take or leave (`reason` nil).
    public struct Marked: Sendable, Decodable {
        public var start: Int
        public var end: Int
        public var reason: String?

        public init(start: Int, end: Int, reason: String? = nil) {
            self.start = start; self.end = end; self.reason = reason
        }
    }

    /// The article's path under the BBC corpus ("politics/144.txt").
    public var article: String
    /// "dev" or "heldout".
    public var split: String
    public var quotes: [GoldQuote]
    public var optional: [Marked]
    public var nonQuotes: [Marked]

    enum CodingKeys: String, CodingKey {
        case article, split, quotes, optional, nonQuotes = "non_quotes"
    }

    public init(article: String = "", split: String = "dev", quotes: [GoldQuote], optional: [Marked] = [], nonQuotes: [Marked] = []) {
        self.article = article; self.split = split; self.quotes = quotes; self.optional = optional; self.nonQuotes = nonQuotes
    }

    /// Reads a JSON Lines file of articles.
    public static func load(jsonLines: String) throws -> [QuoteGoldArticle] {
        let decoder = JSONDecoder()
        return try jsonLines.split(separator: "\n").filter { !$0.allSatisfy(\.isWhitespace) }.map {
            try decoder.decode(QuoteGoldArticle.self, from: Data($0.utf8))
        }
    }
}

/// Scores found quotes against quote gold.
///
/// Only quotes in quotation marks are scored (`reported` ones are left out: the gold holds marked quotes
/// only). A found quote that runs over several paragraphs is scored as one piece per paragraph, as the gold
/// has one quote per paragraph. A piece matches a gold quote when their character overlap is at least half
/// their union; pieces and gold quotes pair one to one, best overlap first. An unmatched piece that overlaps
/// an optional span is not counted; every other unmatched piece is a false positive, filed under the
/// non-quote's reason ("scare", "title", ...) when it overlaps one.
public struct QuoteScore: Sendable {
    public struct Tally: Sendable {
        public var gold = 0
        public var detected = 0
        public var attributed = 0
        public var detectionRecall: Double { Double(detected) / Double(max(gold, 1)) }
        public var attributionAccuracy: Double { Double(attributed) / Double(max(detected, 1)) }
        public var endToEndRecall: Double { Double(attributed) / Double(max(gold, 1)) }
    }

    public struct Miss: Sendable {
        public var article: String
        public var gold: QuoteGoldArticle.GoldQuote?
        public var found: Quote?
        public var foundPiece: (start: Int, end: Int)?
        /// "missed", "speaker" (detected, wrong speaker), or a false positive's reason.
        public var kind: String
    }

    public var all = Tally()
    /// Gold quotes with no attribution of their own (they go on from the quote before).
    public var continuation = Tally()
    /// Continuation quotes that open a paragraph: a paragraph of quotation going on from the one before.
    public var continuationParagraph = Tally()
    public var organisation = Tally()
    public var found = 0
    /// False positives by the reason of the non-quote they hit ("none" when they hit no marked span).
    public var falsePositives: [String: Int] = [:]
    public var ignored = 0
    public var misses: [Miss] = []

    public init() {}

    public var detectionPrecision: Double { Double(all.detected) / Double(max(found, 1)) }
    public var detectionF1: Double { Self.f1(detectionPrecision, all.detectionRecall) }
    public var endToEndPrecision: Double { Double(all.attributed) / Double(max(found, 1)) }
    public var endToEndF1: Double { Self.f1(endToEndPrecision, all.endToEndRecall) }

    static func f1(_ p: Double, _ r: Double) -> Double { p + r > 0 ? 2 * p * r / (p + r) : 0 }

    /// Adds one article: `text` is the article's text as the gold's offsets count it.
    public mutating func add(_ gold: QuoteGoldArticle, found quotes: [Quote], text: [Unicode.Scalar]) {
        var pieces: [(start: Int, end: Int, quote: Quote)] = []
        for quote in quotes where quote.kind != .reported {
            for piece in Self.paragraphPieces(quote.start, quote.end, text) { pieces.append((piece.0, piece.1, quote)) }
        }
        found += pieces.count
        // Pair best overlaps first.
        var pairs: [(score: Double, gold: Int, piece: Int)] = []
        for (g, q) in gold.quotes.enumerated() {
            for (p, piece) in pieces.enumerated() {
                let score = Self.overlapRatio(q.start, q.end, piece.start, piece.end)
                if score >= 0.5 { pairs.append((score, g, p)) }
            }
        }
        pairs.sort { ($0.score, -$0.gold, -$0.piece) > ($1.score, -$1.gold, -$1.piece) }
        var goldTaken = [Int?](repeating: nil, count: gold.quotes.count)
        var pieceTaken = [Bool](repeating: false, count: pieces.count)
        for pair in pairs where goldTaken[pair.gold] == nil && !pieceTaken[pair.piece] {
            goldTaken[pair.gold] = pair.piece
            pieceTaken[pair.piece] = true
        }
        for (g, q) in gold.quotes.enumerated() {
            let detected = goldTaken[g] != nil
            let right = goldTaken[g].map { Self.speakerMatches(pieces[$0].quote.speaker, q) } ?? false
            let opensParagraph = Self.opensParagraph(q.start, text)
            Self.count(&all, detected, right)
            if q.continuation { Self.count(&continuation, detected, right) }
            if q.continuation && opensParagraph { Self.count(&continuationParagraph, detected, right) }
            if q.speakerType == "org" { Self.count(&organisation, detected, right) }
            if !detected {
                misses.append(Miss(article: gold.article, gold: q, found: nil, kind: "missed"))
            } else if !right, let p = goldTaken[g] {
                misses.append(Miss(article: gold.article, gold: q, found: pieces[p].quote, foundPiece: (pieces[p].start, pieces[p].end), kind: "speaker"))
            }
        }
        for (p, piece) in pieces.enumerated() where !pieceTaken[p] {
            func hits(_ m: QuoteGoldArticle.Marked) -> Bool {
                let overlap = min(m.end, piece.end) - max(m.start, piece.start)
                return overlap > 0 && (2 * overlap >= m.end - m.start || 2 * overlap >= piece.end - piece.start)
            }
            if gold.optional.contains(where: hits) {
                found -= 1
                ignored += 1
                continue
            }
            let reason = gold.nonQuotes.first(where: hits)?.reason ?? "none"
            falsePositives[reason, default: 0] += 1
            misses.append(Miss(article: gold.article, gold: nil, found: piece.quote, foundPiece: (piece.start, piece.end), kind: reason))
        }
    }

    static func count(_ tally: inout Tally, _ detected: Bool, _ right: Bool) {
        tally.gold += 1
        if detected { tally.detected += 1 }
        if right { tally.attributed += 1 }
    }

    /// Overlap of two spans over their union.
    static func overlapRatio(_ a0: Int, _ a1: Int, _ b0: Int, _ b1: Int) -> Double {
        let overlap = min(a1, b1) - max(a0, b0)
        guard overlap > 0 else { return 0 }
        return Double(overlap) / Double(max(a1, b1) - min(a0, b0))
    }

    /// The span cut at blank lines, each piece trimmed of white space and quotation marks at its ends.
    static func paragraphPieces(_ start: Int, _ end: Int, _ s: [Unicode.Scalar]) -> [(Int, Int)] {
        var result: [(Int, Int)] = []
        var pieceStart = start
        var i = start
        func flush(_ a: Int, _ b: Int) {
            var a = a, b = b
            while a < b && (s[a].properties.isWhitespace || isMark(s[a])) { a += 1 }
            while b > a && (s[b - 1].properties.isWhitespace || isMark(s[b - 1])) { b -= 1 }
            if a < b { result.append((a, b)) }
        }
        while i < min(end, s.count) {
            if s[i] == "\n" {
                var j = i + 1
                while j < end && s[j] != "\n" && s[j].properties.isWhitespace { j += 1 }
                if j < end && s[j] == "\n" {
                    flush(pieceStart, i)
                    pieceStart = j + 1
                    i = j + 1
                    continue
                }
            }
            i += 1
        }
        flush(pieceStart, min(end, s.count))
        return result
    }

    static func isMark(_ c: Unicode.Scalar) -> Bool {
        c == "\"" || c == "\u{201C}" || c == "\u{201D}" || c == "\u{00AB}" || c == "\u{00BB}" || c == "\u{201E}"
    }

    /// Whether only white space and quotation marks stand between the paragraph's start and `offset`.
    static func opensParagraph(_ offset: Int, _ s: [Unicode.Scalar]) -> Bool {
        var i = offset - 1
        while i >= 0 && (isMark(s[i]) || s[i] == " " || s[i] == "\t") { i -= 1 }
        return i < 0 || s[i] == "\n"
    }

    // MARK: - Speaker names

    /// Whether a found speaker names the gold one: the same words once titles and articles are dropped,
    /// the surname alone ("Blair" for "Tony Blair"), or a phrase that holds the whole name ("Albanian
    /// Prime Minister Fatos Nano", "a spokesman for Lufthansa" for an alternative "Lufthansa").
    public static func speakerMatches(_ found: String?, _ gold: QuoteGoldArticle.GoldQuote) -> Bool {
        guard let found else { return false }
        let f = nameWords(found)
        guard !f.isEmpty else { return false }
        for name in [gold.speaker] + (gold.alternatives ?? []) {
            let g = nameWords(name)
            guard !g.isEmpty else { continue }
            if f == g { return true }
            // The found name is the end of the gold one: a surname, "Re" is not enough for "Swiss Re" (one
            // word of two letters or fewer).
            if f.count < g.count && Array(g.suffix(f.count)) == f && f.joined().count > 2 { return true }
            if f.count > g.count && contains(f, g) { return true }
        }
        return false
    }

    static func contains(_ haystack: [String], _ needle: [String]) -> Bool {
        guard needle.count <= haystack.count else { return false }
        for k in 0...(haystack.count - needle.count) where Array(haystack[k..<(k + needle.count)]) == needle { return true }
        return false
    }

    static let titleWords: Set<String> = ["the", "a", "an", "mr", "mrs", "ms", "miss", "dr", "prof", "professor", "sir", "lord", "lady", "dame"]

    /// Lower-cased words of a name, accents and possessives dropped, leading titles and articles removed.
    static func nameWords(_ name: String) -> [String] {
        var words: [String] = []
        var current = ""
        var scalars = Array(name.replacing("&#233;", with: "e").unicodeScalars)
        if scalars.count >= 2 && scalars[scalars.count - 1] == "s" && (scalars[scalars.count - 2] == "'" || scalars[scalars.count - 2] == "\u{2019}") {
            scalars.removeLast(2)
        }
        for c in scalars {
            if c.properties.isAlphabetic || c.properties.numericType != nil || c == "&" {
                current += folded(c)
            } else if !current.isEmpty && c != "'" && c != "\u{2019}" && c != "." {
                words.append(current)
                current = ""
            }
        }
        if !current.isEmpty { words.append(current) }
        while let first = words.first, titleWords.contains(first) { words.removeFirst() }
        return words
    }

    /// A letter lower-cased with its accent dropped (é -> e) for the Latin-1 letters names use.
    static func folded(_ c: Unicode.Scalar) -> String {
        let lower = String(c).lowercased()
        return accents[lower] ?? lower
    }

    static let accents: [String: String] = [
        "à": "a", "á": "a", "â": "a", "ã": "a", "ä": "a", "å": "a", "ç": "c", "è": "e", "é": "e", "ê": "e", "ë": "e",
        "ì": "i", "í": "i", "î": "i", "ï": "i", "ñ": "n", "ò": "o", "ó": "o", "ô": "o", "õ": "o", "ö": "o", "ø": "o",
        "ù": "u", "ú": "u", "û": "u", "ü": "u", "ý": "y", "ÿ": "y",
    ]
}
