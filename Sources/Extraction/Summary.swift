import NewsCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A key phrase of the article and how important it is (higher is more important).
public struct Keyword: Sendable, Encodable, Hashable {
    public var text: String
    public var score: Double
    /// How many times the phrase occurs.
    public var count: Int
}

/// Key phrases and the most central sentences.
///
/// Phrases are runs of up to four content words between stop words and punctuation, scored by how often
/// their words recur in the article (RAKE-like: frequent words in repeated phrases score highest), with a
/// bonus for named entities and for appearing in the lead. A sentence's centrality is how much of the
/// article's recurring vocabulary it holds (a linear-time stand-in for graph centrality), with a lead bonus
/// because news puts the essentials first.
enum SummaryStage {
    struct Result { var keywords: [Keyword]; var sentences: [Int] }

    static func run(_ text: AnalysedText, entities: [Entity], deadline: Deadline) throws(DeadlineExceeded) -> Result {
        let s = text.document.scalars
        let tokens = text.tokens
        // Lower-cased content words per token (nil for stop words, punctuation, numbers).
        var stems = [Int?](repeating: nil, count: tokens.count)
        var vocabulary: [String: Int] = [:]
        var surfaces: [String] = []
        for (i, token) in tokens.enumerated() where token.kind == .word && token.end - token.start > 1 {
            let word = QuoteFinder.lower(s, token.start, token.end)
            if stopWords.contains(word) || word.hasPrefix("'") { continue }
            let key = singular(word)
            if let id = vocabulary[key] { stems[i] = id } else {
                vocabulary[key] = surfaces.count
                stems[i] = surfaces.count
                surfaces.append(key)
            }
        }
        try deadline.check("summary")
        var wordFrequency = [Int](repeating: 0, count: surfaces.count)
        var sentenceFrequency = [Int](repeating: 0, count: surfaces.count)
        var lastSentence = [Int](repeating: -1, count: surfaces.count)
        for (index, sentence) in text.sentences.enumerated() {
            for t in sentence.tokens { if let id = stems[t] {
                wordFrequency[id] += 1
                if lastSentence[id] != index { lastSentence[id] = index; sentenceFrequency[id] += 1 }
            } }
        }
        let keywords = phrases(text, stems: stems, wordFrequency: wordFrequency, entities: entities)
        try deadline.check("summary")
        return Result(keywords: keywords, sentences: central(text, stems: stems, sentenceFrequency: sentenceFrequency))
    }

    static func phrases(_ text: AnalysedText, stems: [Int?], wordFrequency: [Int], entities: [Entity]) -> [Keyword] {
        struct Candidate { var text: String; var words: [Int]; var count = 0; var first: Int; var end: Int; var isEntity = false }
        var candidates: [[Int]: Candidate] = [:]
        var entityStarts = Set<Int>()
        for entity in entities { for mention in entity.mentions { entityStarts.insert(mention.start) } }
        let leadEnd = text.sentences.prefix(2).last?.span.end ?? 0
        for sentence in text.sentences {
            var run: [Int] = []
            func flush() {
                defer { run.removeAll(keepingCapacity: true) }
                guard !run.isEmpty else { return }
                // Long runs are split into their last four words (the head of an English noun phrase).
                let words = Array(run.suffix(4))
                let start = text.tokens[words[0]].start, end = text.tokens[words.last!].end
                let key = words.map { stems[$0]! }
                if candidates[key] == nil {
                    candidates[key] = Candidate(text: "", words: key, first: start, end: end)
                }
                candidates[key]!.count += 1
                if entityStarts.contains(start) { candidates[key]!.isEntity = true }
            }
            for t in sentence.tokens {
                if stems[t] != nil && !isLikelyVerb(text, t) { run.append(t) } else { flush() }
            }
            flush()
        }
        // RAKE word score: degree / frequency, with degree counted over candidate occurrences.
        var degree = [Int](repeating: 0, count: wordFrequency.count)
        for candidate in candidates.values { for w in candidate.words { degree[w] += candidate.words.count * candidate.count } }
        var scored: [(Keyword, [Int])] = candidates.values.compactMap { c in
            var score = c.words.reduce(0.0) { $0 + Double(degree[$1]) / Double(max(wordFrequency[$1], 1)) * log2(1 + Double(wordFrequency[$1])) }
            score *= 1 + log2(Double(c.count))
            if c.isEntity { score *= 1.3 }
            if c.first < leadEnd { score *= 1.2 }
            guard c.count > 1 || c.words.count > 1 else { return nil }
            return (Keyword(text: "", score: (score * 100).rounded() / 100, count: c.count), c.words)
        }
        scored.sort { $0.0.score != $1.0.score ? $0.0.score > $1.0.score : $0.1.lexicographicallyPrecedes($1.1) }
        // Drop phrases contained in a better-ranked one ("Pakistan" under "Pakistan-US Mid-Level Defence Dialogue" stays: different count).
        var result: [(Keyword, [Int])] = []
        for (keyword, words) in scored where result.count < 12 {
            if result.contains(where: { $0.0.count >= keyword.count && contains($0.1, words) }) { continue }
            result.append((keyword, words))
        }
        return result.map { keyword, words in
            let c = candidates[words]!
            return Keyword(text: text.document.text(c.first, c.end), score: keyword.score, count: keyword.count)
        }
    }

    /// Verbs cut phrases: lower-case -ed words ("announced"), and -s words right after a name ("Greene
    /// believes", "IAAF launches").
    static func isLikelyVerb(_ text: AnalysedText, _ t: Int) -> Bool {
        let s = text.document.scalars
        let token = text.tokens[t]
        guard token.kind == .word, !Tokenizer.isUpper(s[token.start]), token.end - token.start > 2 else { return false }
        let last = s[token.end - 1], beforeLast = s[token.end - 2]
        if last == "d" && beforeLast == "e" { return true }
        if irregularPast.contains(LowerCased.word(s, token.start, token.end)) { return true }
        guard last == "s", beforeLast != "s", beforeLast != "u", beforeLast != "i", t > 0 else { return false }
        let previous = text.tokens[t - 1]
        return previous.kind == .word && Tokenizer.isUpper(s[previous.start])
    }

    static let irregularPast: Set<String> = [
        "won", "set", "broke", "went", "came", "gave", "took", "met", "led", "ran", "saw", "got", "hit", "lost",
        "beat", "fell", "rose", "grew", "left", "found", "kept", "sold", "bought", "paid", "put", "cut", "began",
        "became", "knew", "thought", "brought", "wrote", "sent", "spent", "built", "felt", "meant", "struck",
        "fought", "caught", "taught", "sought", "drew", "threw", "flew", "chose", "spoke", "stood", "won't",
    ]

    /// Whether `part` occurs as a contiguous run inside `whole`.
    static func contains(_ whole: [Int], _ part: [Int]) -> Bool {
        guard part.count <= whole.count else { return false }
        for offset in 0...(whole.count - part.count) where whole[offset..<(offset + part.count)].elementsEqual(part) { return true }
        return false
    }

    static func central(_ text: AnalysedText, stems: [Int?], sentenceFrequency: [Int]) -> [Int] {
        let count = text.sentences.count
        guard count > 2 else { return Array(0..<count) }
        var scores: [(Int, Double)] = []
        var seen = Set<Int>()
        for (index, sentence) in text.sentences.enumerated() {
            seen.removeAll(keepingCapacity: true)
            var sum = 0.0
            for t in sentence.tokens { if let id = stems[t], seen.insert(id).inserted, sentenceFrequency[id] > 1 { sum += Double(sentenceFrequency[id] - 1) } }
            let length = Double(max(seen.count, 1))
            // Normalise by length so long sentences do not win by size alone; very short ones score low.
            var score = sum / (1 + log2(length)) * min(1, length / 8)
            if index == 0 { score *= 1.5 } else if index < 3 { score *= 1.15 }
            scores.append((index, score))
        }
        let take = count >= 8 ? 3 : 2
        return scores.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }.prefix(take).map(\.0).sorted()
    }

    static func singular(_ word: String) -> String {
        guard word.count > 4, word.hasSuffix("s"), !word.hasSuffix("ss"), !word.hasSuffix("us"), !word.hasSuffix("is") else { return word }
        if word.hasSuffix("ies") { return String(word.dropLast(3)) + "y" }
        return String(word.dropLast())
    }

    static let stopWords: Set<String> = [
        "a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and", "any", "are", "as", "at",
        "be", "because", "been", "before", "being", "below", "between", "both", "but", "by", "can", "could", "did",
        "do", "does", "doing", "down", "during", "each", "even", "few", "for", "from", "further", "had", "has", "have",
        "having", "he", "her", "here", "hers", "herself", "him", "himself", "his", "how", "however", "i", "if", "in",
        "into", "is", "it", "its", "itself", "just", "many", "may", "me", "might", "more", "most", "much", "must", "my",
        "myself", "no", "nor", "not", "now", "of", "off", "on", "once", "only", "or", "other", "our", "ours",
        "ourselves", "out", "over", "own", "said", "same", "say", "says", "she", "should", "so", "some", "still",
        "such", "than", "that", "the", "their", "theirs", "them", "themselves", "then", "there", "these", "they",
        "this", "those", "through", "to", "too", "under", "until", "up", "very", "was", "we", "were", "what", "when",
        "where", "which", "while", "who", "whom", "why", "will", "with", "would", "you", "your", "yours", "yourself",
        "told", "according", "since", "already", "yet", "like", "well", "around", "within", "without", "upon",
        "across", "among", "along", "toward", "towards", "whether", "either", "neither", "another", "every", "next",
        "last", "first", "second", "new", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
        "ten", "mr", "mrs", "ms", "dr", "today", "yesterday", "tomorrow", "week", "month", "year", "years", "day",
        "days", "recently", "time", "n't", "going", "get", "got", "make", "made", "take", "took", "due", "held",
        "hold", "will", "shall", "being", "way", "lot", "part", "per", "via", "ago", "monday", "tuesday",
        "wednesday", "thursday", "friday", "saturday", "sunday", "whose", "once", "again", "back", "soon", "later",
    ]
}
