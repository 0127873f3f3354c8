import NewsCore

/// An acronym defined in the text, "Tehreek-i-Taliban Pakistan (TTP)" or "TTP (Tehreek-i-Taliban Pakistan)",
/// with the later bare uses of the short form linked back to it.
public struct Acronym: Sendable, Encodable, Hashable {
    public var short: String
    public var long: String
    public var shortSpan: TextSpan
    public var longSpan: TextSpan
    /// Every other occurrence of the short form as a whole word.
    public var uses: [TextSpan]
    /// The entity the long form names, when one of its mentions overlaps it.
    public var entityId: String?

    enum CodingKeys: String, CodingKey {
        case short, long, shortSpan = "short_span", longSpan = "long_span", uses, entityId = "entity_id"
    }
}

enum AcronymStage {
    static func run(_ text: AnalysedText, entities: [Entity], deadline: Deadline) throws(DeadlineExceeded) -> [Acronym] {
        var found: [Acronym] = []
        var known = Set<String>()
        // Built at the first definition: a scan of every mention per acronym was quadratic in the text.
        var mentions: MentionIndex?
        let tokens = text.tokens
        let s = text.document.scalars
        for sentence in text.sentences {
            var k = sentence.tokens.lowerBound
            while k + 2 < sentence.tokens.upperBound {
                defer { k += 1 }
                guard s[tokens[k].start] == "(" && tokens[k].end - tokens[k].start == 1 else { continue }
                guard let close = (k + 1..<min(sentence.tokens.upperBound, k + 16)).first(where: { s[tokens[$0].start] == ")" }) else { continue }
                var definition: Acronym?
                if close == k + 2, k > sentence.tokens.lowerBound, isShortForm(text, tokens[k + 1]) {
                    // Long Form (SHORT): the long form needs at least one token of this sentence before
                    // the bracket; a sentence that opens with "(ANSA)" has none.
                    let short = TextSpan(start: tokens[k + 1].start, end: tokens[k + 1].end)
                    let windowStart = windowBefore(text, k, sentenceStart: sentence.tokens.lowerBound, shortLength: short.length)
                    // An opening bracket as the text's very first token has no window before it (index -1 trapped).
                    if windowStart >= 0 && windowStart < k, let long = AcronymMatcher.longForm(s, short: short, in: TextSpan(start: tokens[windowStart].start, end: tokens[k - 1].end)) {
                        definition = Acronym(short: text.document[short], long: text.document[long], shortSpan: short, longSpan: long, uses: [], entityId: nil)
                    }
                } else if k > sentence.tokens.lowerBound, close > k + 2, isShortForm(text, tokens[k - 1]) {
                    // SHORT (Long Form): the long form must start where the brackets open.
                    let short = TextSpan(start: tokens[k - 1].start, end: tokens[k - 1].end)
                    let inside = TextSpan(start: tokens[k + 1].start, end: tokens[close - 1].end)
                    if let long = AcronymMatcher.longForm(s, short: short, in: inside), long.start == inside.start {
                        definition = Acronym(short: text.document[short], long: text.document[long], shortSpan: short, longSpan: long, uses: [], entityId: nil)
                    }
                }
                if var acronym = definition, !known.contains(acronym.short) {
                    known.insert(acronym.short)
                    if mentions == nil { mentions = MentionIndex(entities) }
                    // The first entity with a mention overlapping the long form: `touching` is in entity order.
                    acronym.entityId = mentions!.touching(acronym.longSpan).first { $0.span.overlaps(acronym.longSpan) }
                        .map { entities[$0.entity].id }
                    found.append(acronym)
                }
            }
            try deadline.check("acronyms")
        }
        guard !found.isEmpty else { return found }
        // Link every whole-word occurrence of each short form back to its definition.
        var index: [String: Int] = [:]
        for (i, acronym) in found.enumerated() { index[acronym.short] = i }
        for token in tokens where token.kind == .word && token.end - token.start <= 12 {
            guard Tokenizer.isUpper(s[token.start]) else { continue }
            let word = text.document.text(token.start, token.end)
            if let i = index[word], found[i].shortSpan.start != token.start { found[i].uses.append(token.span) }
        }
        return found
    }

    /// 2-10 characters, mostly capitals, with at least two letters: TTP, TIFA, PML-N, IoT.
    static func isShortForm(_ text: AnalysedText, _ token: Token) -> Bool {
        guard token.kind == .word, (2...10).contains(token.end - token.start) else { return false }
        let s = text.document.scalars
        var upper = 0, letters = 0
        for i in token.start..<token.end {
            if Tokenizer.isLetter(s[i]) { letters += 1; if Tokenizer.isUpper(s[i]) { upper += 1 } }
        }
        return letters >= 2 && upper >= 2 && upper * 2 >= letters && Tokenizer.isUpper(s[token.start])
    }

    /// Where the candidate long form may begin: at most min(n + 5, 2n) words back, within the sentence.
    static func windowBefore(_ text: AnalysedText, _ k: Int, sentenceStart: Int, shortLength: Int) -> Int {
        let maxWords = min(shortLength + 5, shortLength * 2)
        var j = k - 1
        var words = 0
        while j > sentenceStart && words < maxWords {
            let t = text.tokens[j - 1]
            if t.kind == .punctuation || t.kind == .quote { break }
            j -= 1
            words += 1
        }
        return j
    }
}

/// Aligns an acronym's letters with a candidate long form, right to left, the first letter at a word start
/// (the Schwartz-Hearst rule, written here from its description).
enum AcronymMatcher {
    static func longForm(_ s: [Unicode.Scalar], short: TextSpan, in window: TextSpan) -> TextSpan? {
        var si = short.end - 1
        var li = window.end - 1
        while si >= short.start {
            let c = lower(s[si])
            if !(Tokenizer.isLetter(c) || Tokenizer.isDigit(c)) { si -= 1; continue }
            let isFirst = si == short.start
            while li >= window.start {
                let matches = lower(s[li]) == c
                let atWordStart = li == window.start || !(Tokenizer.isLetter(s[li - 1]) || Tokenizer.isDigit(s[li - 1]))
                if matches && (!isFirst || atWordStart) { break }
                li -= 1
            }
            if li < window.start { return nil }
            li -= 1
            si -= 1
        }
        let start = li + 1
        // The long form must start with a capital (names) and be longer than the acronym.
        guard Tokenizer.isUpper(s[start]) || Tokenizer.isDigit(s[start]), window.end - start > short.length + 1 else { return nil }
        return TextSpan(start: start, end: window.end)
    }

    @inline(__always) static func lower(_ c: Unicode.Scalar) -> Unicode.Scalar {
        c.value >= 0x41 && c.value <= 0x5A ? Unicode.Scalar(c.value + 0x20)! : c
    }
}
