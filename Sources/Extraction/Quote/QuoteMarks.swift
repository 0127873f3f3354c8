/// Pairs quotation marks in a text: curly and straight doubles, guillemets, `` '' and single curly quotes
/// outside double ones. A quote left open at a paragraph's end continues when the next paragraph opens
/// with a mark (the news convention for long quotes); otherwise it ends with its paragraph.
enum QuoteMarks {
    struct Span: Equatable {
        /// Offset of the scalar before the quoted text (the opening mark).
        var open: Int
        /// Offset of the closing mark, or the end of the paragraph when none closes it.
        var close: Int
    }

    /// Paragraphs split at blank lines and trimmed, as `SentenceSplitter.paragraphs` gives them, with an
    /// ASCII fast path (that splitter asks Unicode properties of every scalar).
    static func paragraphs(_ s: [Unicode.Scalar]) -> [TextSpan] {
        @inline(__always) func isSpace(_ c: Unicode.Scalar) -> Bool {
            c.value < 0x80 ? (c == " " || c == "\n" || c == "\t" || c == "\r" || c.value == 0x0B || c.value == 0x0C) : Tokenizer.isSpace(c)
        }
        var result: [TextSpan] = []
        var i = 0
        while i < s.count {
            while i < s.count && isSpace(s[i]) { i += 1 }
            guard i < s.count else { break }
            let start = i
            var lastNonSpace = i
            while i < s.count {
                if s[i] == "\n" {
                    if LowerCased.isBlankLineBreak(s, at: i) { break }
                } else if !isSpace(s[i]) {
                    lastNonSpace = i
                }
                i += 1
            }
            result.append(TextSpan(start: start, end: lastNonSpace + 1))
        }
        return result
    }

    static func isClosingPunctuation(_ c: Unicode.Scalar) -> Bool {
        c == "." || c == "," || c == "!" || c == "?" || c == "\u{2026}"
    }

    /// Whether the text before `i`, spaces skipped, ends a sentence ("." "!" "?", maybe after a closing single
    /// quote or bracket).
    static func isSentenceEnd(_ s: [Unicode.Scalar], before i: Int) -> Bool {
        var k = i - 1
        while k >= 0 && s[k] == " " { k -= 1 }
        if k >= 0 && (s[k] == "'" || s[k] == "\u{2019}" || s[k] == ")") { k -= 1 }
        return k >= 0 && (s[k] == "." || s[k] == "!" || s[k] == "?" || s[k] == "\u{2026}")
    }

    static func isOpener(_ c: Unicode.Scalar) -> Bool {
        c == "\u{201C}" || c == "\u{00AB}" || c == "\u{201E}" || c == "\"" || c == "`"
    }

    static func spans(_ s: [Unicode.Scalar], paragraphs: [TextSpan]) -> [Span] {
        var result: [Span] = []
        var open: Int?
        var resumeAt: Int?
        for (index, paragraph) in paragraphs.enumerated() {
            var i = resumeAt ?? paragraph.start
            resumeAt = nil
            while i < paragraph.end {
                let c = s[i]
                let next: Unicode.Scalar = i + 1 < s.count ? s[i + 1] : " "
                let prev: Unicode.Scalar = i > 0 ? s[i - 1] : " "
                if let o = open {
                    // An opening mark inside an open quote (a space before, a word after): the writer left the
                    // quote open at a sentence's end and opens the next sentence's (wire style, within a
                    // paragraph). End the open quote here and start a new one.
                    if (c == "\u{201C}" || (c == "\"" && prev == " " && !Tokenizer.isSpace(next) && !isClosingPunctuation(next)))
                        && i > o + 1 && isSentenceEnd(s, before: i) {
                        result.append(Span(open: o, close: i))
                        open = i
                        i += 1
                        continue
                    }
                    if c == "\u{201D}" || c == "\u{00BB}" || c == "\"" || (c == "'" && next == "'") {
                        result.append(Span(open: o, close: i))
                        open = nil
                        i += c == "'" ? 2 : 1
                        continue
                    }
                } else if c == "\u{201C}" || c == "\u{00AB}" || c == "\u{201E}"
                            || (c == "\"" && !Tokenizer.isLetter(prev) && !Tokenizer.isDigit(prev) && !Tokenizer.isSpace(next) && !isClosingPunctuation(prev)) {
                    // A straight mark after "." or "," and before a space closes a quote we failed to open; skip it.
                    open = i
                } else if c == "`" && next == "`" {
                    open = i + 1
                    i += 2
                    continue
                } else if c == "\u{2018}" && !Tokenizer.isLetter(prev) {
                    // Single curly quotes: pair with the next ’ that is not an apostrophe.
                    var j = i + 1
                    let limit = min(paragraph.end, i + 2000)
                    while j < limit {
                        if s[j] == "\u{2019}" && !(j + 1 < s.count && Tokenizer.isLetter(s[j + 1])) { break }
                        j += 1
                    }
                    if j < limit {
                        result.append(Span(open: i, close: j))
                        i = j + 1
                        continue
                    }
                }
                i += 1
            }
            guard let o = open else { continue }
            if index + 1 < paragraphs.count && isOpener(s[paragraphs[index + 1].start]) {
                // The quote goes on in the next paragraph, after that paragraph's opening mark(s).
                let start = paragraphs[index + 1].start
                resumeAt = s[start] == "`" && start + 1 < s.count && s[start + 1] == "`" ? start + 2 : start + 1
            } else {
                result.append(Span(open: o, close: paragraph.end))
                open = nil
            }
        }
        if let o = open, let last = paragraphs.last { result.append(Span(open: o, close: last.end)) }
        return result
    }
}
