import FoundationEssentials
import NewsCore

/// A CoNLL-2003 style file: one token per line (word first, gold tag last), blank lines between
/// sentences, `-DOCSTART-` lines between documents.
public struct CoNLLCorpus: Sendable {
    public struct Document: Sendable {
        public var words: [String] = []
        /// Gold tags in BIO (converted from the file's IOB1), empty when the file has none.
        public var gold: [String] = []
        public var sentences: [Range<Int>] = []
        /// For each token, its line number in `lines`.
        public var lineNumbers: [Int] = []
    }

    public var lines: [String]
    public var documents: [Document]
    public var hasGold: Bool
    public var tokenCount: Int { documents.reduce(0) { $0 + $1.words.count } }

    public init(text: String) {
        lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        var documents: [Document] = []
        var current = Document()
        var sentenceStart = 0
        var hasGold = true
        func closeSentence() {
            if current.words.count > sentenceStart { current.sentences.append(sentenceStart..<current.words.count) }
            sentenceStart = current.words.count
        }
        func closeDocument() {
            closeSentence()
            if !current.words.isEmpty { documents.append(current) }
            current = Document()
            sentenceStart = 0
        }
        for (n, line) in lines.enumerated() {
            let columns = line.split(separator: " ", omittingEmptySubsequences: true)
            guard let word = columns.first else { closeSentence(); continue }
            if word == "-DOCSTART-" { closeDocument(); continue }
            current.words.append(String(word))
            current.lineNumbers.append(n)
            if columns.count >= 2, let tag = columns.last, tag == "O" || tag.hasPrefix("I-") || tag.hasPrefix("B-") {
                current.gold.append(String(tag))
            } else {
                hasGold = false
            }
        }
        closeDocument()
        self.hasGold = hasGold && documents.contains { !$0.words.isEmpty }
        if self.hasGold {
            for d in documents.indices {
                documents[d].gold = CoNLLCorpus.bio(fromIOB1: documents[d].gold, sentences: documents[d].sentences)
            }
        } else {
            for d in documents.indices { documents[d].gold = [] }
        }
        self.documents = documents
    }

    /// Which documents of a file to keep: the held-out protocol splits CoNLL dev by document, the odd ones
    /// (1st, 3rd, ... in file order) to tune on and the even ones held out.
    public enum DocumentSelection: String, Sendable, CaseIterable {
        case all, odd, even
    }

    /// The corpus restricted to some of its documents (numbered from 1 in file order).
    public func selecting(_ selection: DocumentSelection) -> CoNLLCorpus {
        guard selection != .all else { return self }
        var copy = self
        copy.documents = documents.enumerated().filter { ($0.offset % 2 == 0) == (selection == .odd) }.map(\.element)
        return copy
    }

    /// IOB1 ("I-X" opens a chunk unless it continues an X) to BIO; BIO input is returned unchanged.
    static func bio(fromIOB1 tags: [String], sentences: [Range<Int>]) -> [String] {
        var out = tags
        for sentence in sentences {
            var previousType = ""
            for i in sentence {
                let tag = tags[i]
                if tag == "O" { previousType = ""; continue }
                let type = String(tag.dropFirst(2))
                if tag.hasPrefix("I-") && type != previousType { out[i] = "B-" + type }
                previousType = type
            }
        }
        return out
    }
}

/// Exact-span chunk scoring, as conlleval counts it.
public struct ChunkScore: Sendable {
    public struct Counts: Sendable {
        public var correct = 0, predicted = 0, gold = 0
        public var precision: Double { predicted == 0 ? 0 : Double(correct) / Double(predicted) }
        public var recall: Double { gold == 0 ? 0 : Double(correct) / Double(gold) }
        public var f1: Double { precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall) }
    }

    public var overall = Counts()
    public var byType: [String: Counts] = [:]
    public var tokens = 0
    public var correctTokens = 0

    public init() {}

    struct Chunk: Hashable { var type: String; var start: Int; var end: Int }

    /// Chunks of a BIO (or IOB1) sequence within one sentence; conlleval's start/end rules.
    static func chunks(_ tags: ArraySlice<String>) -> [Chunk] {
        var result: [Chunk] = []
        var open: (type: String, start: Int)?
        for i in tags.indices {
            let tag = tags[i]
            let type = tag == "O" ? "" : String(tag.dropFirst(2))
            let begins = tag.hasPrefix("B-") || (tag.hasPrefix("I-") && open?.type != type)
            if let o = open, tag == "O" || begins {
                result.append(Chunk(type: o.type, start: o.start, end: i))
                open = nil
            }
            if begins { open = (type, i) }
        }
        if let o = open { result.append(Chunk(type: o.type, start: o.start, end: tags.endIndex)) }
        return result
    }

    public mutating func add(gold: [String], predicted: [String], sentences: [Range<Int>]) {
        for s in sentences {
            let g = Set(ChunkScore.chunks(gold[s]))
            let p = Set(ChunkScore.chunks(predicted[s]))
            for c in g { overall.gold += 1; byType[c.type, default: Counts()].gold += 1 }
            for c in p {
                overall.predicted += 1
                byType[c.type, default: Counts()].predicted += 1
                if g.contains(c) { overall.correct += 1; byType[c.type, default: Counts()].correct += 1 }
            }
            for i in s {
                tokens += 1
                if gold[i] == predicted[i] || (gold[i].dropFirst(2) == predicted[i].dropFirst(2) && gold[i] != "O" && predicted[i] != "O") {
                    correctTokens += 1
                }
            }
        }
    }

    /// conlleval's summary lines.
    public var report: String {
        func line(_ c: Counts) -> String {
            String(cFormat: "precision: %6.2f%%; recall: %6.2f%%; FB1: %6.2f", c.precision * 100, c.recall * 100, c.f1 * 100)
        }
        var out = "processed \(tokens) tokens with \(overall.gold) phrases; found: \(overall.predicted) phrases; correct: \(overall.correct).\n"
        out += String(cFormat: "accuracy: %6.2f%%; ", tokens == 0 ? 0 : Double(correctTokens) * 100 / Double(tokens)) + line(overall) + "\n"
        for type in byType.keys.sorted() {
            let c = byType[type]!
            out += type.padded(to: 17) + ": " + line(c) + "  \(c.predicted)\n"
        }
        return out
    }
}
