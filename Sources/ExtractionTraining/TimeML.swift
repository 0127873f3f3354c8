public import Extraction
public import NewsCore

/// A TimeML 1.2 document (TempEval-3 form) reduced to what timex evaluation needs.
public struct TimeMLDocument: Sendable {
    public struct Timex: Sendable, Hashable {
        public var start: Int
        public var end: Int
        public var type: String
        public var value: String
    }

    /// The content of `<TEXT>` with every tag removed and entities decoded.
    public var text: String
    /// The document creation time (date part).
    public var date: ArticleDate?
    public var timexes: [Timex]

    /// Parses the markup with a small scanner: TimeML files are flat, machine-written XML.
    public init(xml: String) {
        let s = Array(xml.unicodeScalars)
        date = TimeMLDocument.creationDate(s)
        var out = String.UnicodeScalarView()
        var timexes: [Timex] = []
        var open: (start: Int, type: String, value: String)?
        var count = 0
        var i = TimeMLDocument.find(Array("<TEXT>".unicodeScalars), in: s, from: 0).map { $0 + 6 } ?? s.count
        while i < s.count {
            let c = s[i]
            if c == "<" {
                var j = i + 1
                while j < s.count && s[j] != ">" { j += 1 }
                let tag = String(String.UnicodeScalarView(s[(i + 1)..<min(j, s.count)]))
                i = j + 1
                if tag == "/TEXT" { break }
                if tag.hasPrefix("TIMEX3") {
                    open = (count, TimeMLDocument.attribute("type", in: tag) ?? "", TimeMLDocument.attribute("value", in: tag) ?? "")
                } else if tag == "/TIMEX3", let o = open {
                    timexes.append(Timex(start: o.start, end: count, type: o.type, value: o.value))
                    open = nil
                }
                continue
            }
            if c == "&" {
                var j = i + 1
                while j < s.count && j - i < 10 && s[j] != ";" { j += 1 }
                if j < s.count && s[j] == ";" {
                    let name = String(String.UnicodeScalarView(s[(i + 1)..<j]))
                    if let decoded = TimeMLDocument.entity(name) {
                        out.append(decoded); count += 1; i = j + 1
                        continue
                    }
                }
            }
            out.append(c); count += 1; i += 1
        }
        text = String(out)
        self.timexes = timexes
    }

    static func find(_ needle: [Unicode.Scalar], in s: [Unicode.Scalar], from: Int) -> Int? {
        guard needle.count <= s.count else { return nil }
        var i = from
        while i + needle.count <= s.count {
            if s[i] == needle[0] && s[i..<(i + needle.count)].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }

    static func creationDate(_ s: [Unicode.Scalar]) -> ArticleDate? {
        guard let dct = find(Array("<DCT>".unicodeScalars), in: s, from: 0),
              let end = find(Array("</DCT>".unicodeScalars), in: s, from: dct) else { return nil }
        let tag = String(String.UnicodeScalarView(s[dct..<end]))
        guard let value = attribute("value", in: tag) else { return nil }
        return ArticleDate(iso: value.prefix(10))
    }

    static func attribute(_ name: String, in tag: String) -> String? {
        let t = Array(tag.unicodeScalars)
        guard let at = find(Array((" " + name + "=\"").unicodeScalars), in: t, from: 0) else { return nil }
        var end = at + name.unicodeScalars.count + 3
        let start = end
        while end < t.count && t[end] != "\"" { end += 1 }
        return String(String.UnicodeScalarView(t[start..<end]))
    }

    static func entity(_ name: String) -> Unicode.Scalar? {
        switch name {
        case "amp": return "&"
        case "lt": return "<"
        case "gt": return ">"
        case "quot": return "\""
        case "apos": return "'"
        default:
            if name.hasPrefix("#x"), let v = UInt32(name.dropFirst(2), radix: 16) { return Unicode.Scalar(v) }
            if name.hasPrefix("#"), let v = UInt32(name.dropFirst()) { return Unicode.Scalar(v) }
            return nil
        }
    }
}

/// Span and value agreement between found and gold timexes, summed over documents.
public struct TimexScore: Sendable {
    public var gold = 0
    public var found = 0
    public var strictMatches = 0
    public var relaxedMatches = 0
    public var valueMatches = 0
    public var typeMatches = 0

    public init() {}

    public mutating func add(gold goldTimexes: [TimeMLDocument.Timex], found foundTimexes: [TimeExpression]) {
        gold += goldTimexes.count
        found += foundTimexes.count
        var used = Set<Int>()
        for f in foundTimexes {
            // Each gold timex pairs with at most one found one: the first overlapping, exact spans first.
            let exact = goldTimexes.indices.first { !used.contains($0) && goldTimexes[$0].start == f.start && goldTimexes[$0].end == f.end }
            guard let g = exact ?? goldTimexes.indices.first(where: { !used.contains($0) && goldTimexes[$0].start < f.end && f.start < goldTimexes[$0].end }) else { continue }
            used.insert(g)
            relaxedMatches += 1
            if exact != nil { strictMatches += 1 }
            if goldTimexes[g].value == f.value { valueMatches += 1 }
            if goldTimexes[g].type == f.type.rawValue { typeMatches += 1 }
        }
    }

    static func f1(_ matches: Int, _ found: Int, _ gold: Int) -> Double {
        guard found > 0, gold > 0, matches > 0 else { return 0 }
        let p = Double(matches) / Double(found), r = Double(matches) / Double(gold)
        return 2 * p * r / (p + r)
    }

    public var strictF1: Double { TimexScore.f1(strictMatches, found, gold) }
    public var relaxedF1: Double { TimexScore.f1(relaxedMatches, found, gold) }
    /// Correct values among the relaxed matches.
    public var valueAccuracy: Double { relaxedMatches == 0 ? 0 : Double(valueMatches) / Double(relaxedMatches) }
    /// TempEval-3 style value F1: a found timex counts when its span overlaps and its value is right.
    public var valueF1: Double { TimexScore.f1(valueMatches, found, gold) }
    public var typeAccuracy: Double { relaxedMatches == 0 ? 0 : Double(typeMatches) / Double(relaxedMatches) }
}

/// The fixed split of the TimeML corpus into a development part and a held-out part.
///
/// A document belongs to `dev` when the 32-bit FNV-1a hash of its file name without `.tml` (the DOCID,
/// e.g. `APW19980213.1310`) is even, else to `heldout`. On TimeBank + AQUAINT that gives 128 documents and
/// 817 expressions for dev, 128 documents and 1005 expressions held out, both parts mixing every source
/// (ABC, AP, APW, CNN, NYT, PRI, VOA, WSJ, XIE ...) as unseen news would. Rules are chosen on `dev`; `heldout`
/// is scored once a change is done, never iterated on.
public enum TimeMLSplit: String, CaseIterable, Sendable {
    case all, dev, heldout

    public static func part(ofDocument name: String) -> TimeMLSplit {
        var hash: UInt32 = 0x811c_9dc5
        for byte in name.utf8 {
            hash ^= UInt32(byte)
            hash &*= 0x0100_0193
        }
        return hash % 2 == 0 ? .dev : .heldout
    }

    public func contains(document name: String) -> Bool {
        self == .all || TimeMLSplit.part(ofDocument: name) == self
    }
}
