/// The article-extraction benchmark's body metric (scrapinghub/article-extraction-benchmark, as described in
/// `shared/corpora/article-html/README.md`): both texts lower-cased and split into `\w+` tokens, 4-token
/// shingles (tokens alone when a text has fewer than 4), true positives the multiset intersection; precision,
/// recall and F1 per page, averaged over pages by the caller.
public enum ShingleScore {
    public struct PageScore: Sendable {
        public var precision: Double
        public var recall: Double
        public var f1: Double
    }

    public static func score(predicted: String, truth: String, n: Int = 4) -> PageScore {
        let p = shingles(predicted, n: n), t = shingles(truth, n: n)
        let predictedCount = p.values.reduce(0, +), truthCount = t.values.reduce(0, +)
        if predictedCount == 0 && truthCount == 0 { return PageScore(precision: 1, recall: 1, f1: 1) }
        var tp = 0
        for (shingle, count) in p { tp += min(count, t[shingle] ?? 0) }
        let precision = predictedCount == 0 ? 0 : Double(tp) / Double(predictedCount)
        let recall = truthCount == 0 ? 0 : Double(tp) / Double(truthCount)
        let f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall)
        return PageScore(precision: precision, recall: recall, f1: f1)
    }

    /// Lower-cased runs of letters, digits and `_` (Python's Unicode `\w`).
    public static func tokens(_ text: String) -> [String] {
        var tokens: [String] = []
        var current = String.UnicodeScalarView()
        for scalar in text.lowercased().unicodeScalars {
            let p = scalar.properties
            if p.isAlphabetic || p.numericType != nil || scalar == "_" {
                current.append(scalar)
            } else if !current.isEmpty {
                tokens.append(String(current))
                current = String.UnicodeScalarView()
            }
        }
        if !current.isEmpty { tokens.append(String(current)) }
        return tokens
    }

    static func shingles(_ text: String, n: Int) -> [String: Int] {
        let t = tokens(text)
        var counts: [String: Int] = [:]
        if t.count < n {
            for token in t { counts[token, default: 0] += 1 }
            return counts
        }
        for i in 0...(t.count - n) {
            counts[t[i..<(i + n)].joined(separator: " "), default: 0] += 1
        }
        return counts
    }
}
