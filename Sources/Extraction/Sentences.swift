import NewsCore

/// Splits a document into paragraphs (blank lines) and sentences (tokens ending in . ! ? …).
public enum SentenceSplitter {
    /// Paragraphs: runs of text separated by one or more blank lines, trimmed of surrounding white space.
    public static func paragraphs(_ document: Document) -> [TextSpan] {
        let s = document.scalars
        var result: [TextSpan] = []
        var i = 0
        while i < s.count {
            while i < s.count && Tokenizer.isSpace(s[i]) { i += 1 }
            guard i < s.count else { break }
            let start = i
            var lastNonSpace = i
            while i < s.count {
                if s[i] == "\n" {
                    // A blank line (only white space until the next newline) ends the paragraph.
                    var j = i + 1
                    while j < s.count && s[j] != "\n" && Tokenizer.isSpace(s[j]) { j += 1 }
                    if j >= s.count || s[j] == "\n" { break }
                } else if !Tokenizer.isSpace(s[i]) {
                    lastNonSpace = i
                }
                i += 1
            }
            result.append(TextSpan(start: start, end: lastNonSpace + 1))
        }
        return result
    }

    /// Sentences within each paragraph, as token index ranges and text spans.
    public static func sentences(_ document: Document, tokens: [Token], paragraphs: [TextSpan]) -> [Sentence] {
        var result: [Sentence] = []
        var t = 0
        for paragraph in paragraphs {
            while t < tokens.count && tokens[t].start < paragraph.start { t += 1 }
            var sentenceStart = t
            while t < tokens.count && tokens[t].end <= paragraph.end {
                if endsSentence(document, tokens: tokens, at: t, paragraphEnd: paragraph.end) {
                    // Closing quotes and brackets right after the terminator belong to this sentence.
                    var last = t
                    while last + 1 < tokens.count && tokens[last + 1].end <= paragraph.end && isCloser(document, tokens[last + 1]) {
                        last += 1
                    }
                    result.append(makeSentence(tokens, sentenceStart, last + 1))
                    t = last + 1
                    sentenceStart = t
                } else {
                    t += 1
                }
            }
            if sentenceStart < t { result.append(makeSentence(tokens, sentenceStart, t)) }
        }
        return result
    }

    private static func makeSentence(_ tokens: [Token], _ first: Int, _ end: Int) -> Sentence {
        Sentence(tokens: first..<end, span: TextSpan(start: tokens[first].start, end: tokens[end - 1].end))
    }

    private static func isCloser(_ d: Document, _ token: Token) -> Bool {
        guard token.end - token.start == 1 else { return false }
        switch d.scalars[token.start] {
        case "\"", "\u{201D}", "\u{2019}", "'", ")", "]", "\u{00BB}": return true
        default: return false
        }
    }

    private static func endsSentence(_ d: Document, tokens: [Token], at t: Int, paragraphEnd: Int) -> Bool {
        let token = tokens[t]
        let s = d.scalars
        let last = s[token.end - 1]
        let isTerminator: Bool
        if token.kind == .punctuation {
            isTerminator = last == "." || last == "!" || last == "?" || last == "\u{2026}"
        } else if token.kind == .word && last == "." {
            // "U.S." or "Inc." at the end of a sentence: a boundary only if what follows starts a sentence.
            let word = d.text(token.start, token.end - 1)
            if Abbreviations.titles.contains(word) { return false }
            guard t + 1 < tokens.count, tokens[t + 1].start < paragraphEnd else { return true }
            return Abbreviations.sentenceOpeners.contains(d.text(tokens[t + 1].start, tokens[t + 1].end))
        } else {
            return false
        }
        guard isTerminator else { return false }
        // "…" followed by a lower-case word continues the sentence.
        var n = t + 1
        while n < tokens.count && tokens[n].end <= paragraphEnd && isCloser(d, tokens[n]) { n += 1 }
        guard n < tokens.count, tokens[n].start < paragraphEnd else { return true }
        let first = s[tokens[n].start]
        if Tokenizer.isLetter(first) { return Tokenizer.isUpper(first) }
        return Tokenizer.isDigit(first) || Tokenizer.isQuote(first) || first == "("
    }
}

/// One sentence: its tokens (indexes into the token array) and its text span.
public struct Sentence: Sendable, Hashable {
    public var tokens: Range<Int>
    public var span: TextSpan
}
