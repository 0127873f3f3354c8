import NewsCore

/// A headline-less article's headline: the first sentence of its first paragraph, by the readers' own
/// rule on scalars, so ArticleReaders does not need Extraction's tokenizer and sentence splitter.
///
/// Bounded: a single 50 MB line is neither scanned whole nor made a 50 MB headline; only the first
/// `maxScalars` (cut back to a space) are looked at. The rule cuts where the splitter does: a sentence
/// ends at `.`, `!`, `?`, `…` or `...`, with the closing quotes and brackets after it, when what follows
/// starts a sentence (a capital, a digit, a quote or a bracket) or nothing follows. A period inside a
/// word (3.5, U.S.) or kept by one (an initial, a title, an abbreviation: `Abbreviations`) does not end
/// it, except an abbreviation's (not a title's) before a common opener ("... in the U.S. The ...").
enum FirstSentence {
    static let maxScalars = 1000

    static func of(_ paragraph: String) -> String {
        var head = paragraph
        if !paragraph.unicodeScalars.dropFirst(maxScalars).isEmpty {
            var scalars = String.UnicodeScalarView(paragraph.unicodeScalars.prefix(maxScalars))
            if let space = scalars.lastIndex(where: { $0 == " " }) { scalars = String.UnicodeScalarView(scalars[..<space]) }
            head = String(scalars)
        }
        let s = Array(head.unicodeScalars)
        guard let start = s.firstIndex(where: { !isSpace($0) }) else { return head }
        let end = paragraphEnd(s, from: start)
        var lastNonSpace = start
        var i = start
        while i < end {
            let c = s[i]
            if !isSpace(c) { lastNonSpace = i }
            if isLetter(c) || isDigit(c) {
                let w = Word(s, at: i, end: end)
                lastNonSpace = w.end - 1
                i = w.end
                // A word that keeps its period ends the sentence only as an abbreviation before an opener.
                guard w.keepsPeriod, !w.isNumber, !Abbreviations.titles.contains(w.text) else { continue }
                var k = i
                while k < end && isSpace(s[k]) { k += 1 }
                if k >= end { return text(s, start, i) }
                let next = isLetter(s[k]) || isDigit(s[k]) ? Word(s, at: k, end: end).textWithPeriod : String(s[k])
                if Abbreviations.sentenceOpeners.contains(next) { return text(s, start, closersEnd(s, after: i, end: end)) }
                continue
            }
            let terminatorEnd: Int?
            switch c {
            case ".": terminatorEnd = i + 2 < end && s[i + 1] == "." && s[i + 2] == "." ? i + 3 : i + 1
            case "!", "?", "\u{2026}": terminatorEnd = i + 1
            default: terminatorEnd = nil
            }
            guard let t = terminatorEnd else { i += 1; continue }
            let last = closersEnd(s, after: t, end: end)
            var n = last
            while n < end && isSpace(s[n]) { n += 1 }
            if n >= end { return text(s, start, last) }
            let first = s[n]
            if isLetter(first) ? isUpper(first) : isDigit(first) || isQuote(first) || first == "(" { return text(s, start, last) }
            i = t
        }
        return text(s, start, lastNonSpace + 1)
    }

    /// One word as the extractor's tokenizer takes it: letters and digits, joined by a hyphen between
    /// alphanumerics, `&` between capitals, `.` or `,` between digits, the inner periods of U.S., `/` and
    /// `:` between digits, and an apostrophe that does not start a clitic ('s, n't, 're, ...). A
    /// following period is kept by an initial, a dotted word or an abbreviation.
    private struct Word {
        var end: Int
        var text: String
        var keepsPeriod = false
        var isNumber: Bool
        var textWithPeriod: String { keepsPeriod ? text + "." : text }

        init(_ s: [Unicode.Scalar], at start: Int, end limit: Int) {
            var i = start
            var hasLetter = false, hasDigit = false
            while i < limit {
                let c = s[i]
                if isLetter(c) { hasLetter = true; i += 1; continue }
                if isDigit(c) { hasDigit = true; i += 1; continue }
                guard i + 1 < limit, isLetter(s[i + 1]) || isDigit(s[i + 1]) else { break }
                let n = s[i + 1], p = s[i - 1]
                if c == "-" || c == "\u{2010}" || c == "\u{2011}" || c == "&" && isUpper(p) && isUpper(n) { i += 1; continue }
                if (c == "," || c == ".") && isDigit(p) && isDigit(n) { i += 1; continue }
                if c == "." && isLetter(p) && isLetter(n) && i + 2 < limit && s[i + 2] == "." { i += 1; continue }
                if c == "'" || c == "\u{2019}" {
                    if FirstSentence.isClitic(s, apostrophe: i, end: limit) { break }
                    i += 1; continue
                }
                if (c == "/" || c == ":") && isDigit(p) && isDigit(n) { i += 1; continue }
                break
            }
            text = FirstSentence.text(s, start, i)
            isNumber = hasDigit && (!hasLetter || isDigit(s[start]))
            if i < limit && s[i] == "." && hasLetter {
                let isInitial = i - start == 1 && isUpper(s[start])
                if isInitial || text.unicodeScalars.contains(".") || Abbreviations.titles.contains(text) || Abbreviations.other.contains(text) {
                    keepsPeriod = true
                    i += 1
                }
            }
            if i < limit && (s[i] == "'" || s[i] == "\u{2019}") && FirstSentence.isClitic(s, apostrophe: i, end: limit) {
                // The clitic is a word of its own, which never keeps a period.
                if keepsPeriod { end = i; return }
                var j = i + 1
                while j < limit && isLetter(s[j]) { j += 1 }
                i = j
            }
            end = i
        }
    }

    static func isClitic(_ s: [Unicode.Scalar], apostrophe i: Int, end: Int) -> Bool {
        guard i + 1 < end else { return false }
        var j = i + 1
        var clitic = ""
        while j < end && isLetter(s[j]) && clitic.unicodeScalars.count < 3 { clitic.unicodeScalars.append(s[j]); j += 1 }
        if j < end && isLetter(s[j]) { return false }
        switch clitic.lowercased() {
        case "s", "re", "ve", "ll", "d", "m": return true
        case "t": return i >= 1 && (s[i - 1] == "n" || s[i - 1] == "N")
        default: return false
        }
    }

    /// Past the closing quotes and brackets after a sentence's end (spaces between them included).
    private static func closersEnd(_ s: [Unicode.Scalar], after end: Int, end limit: Int) -> Int {
        var last = end, k = end
        while true {
            while k < limit && isSpace(s[k]) { k += 1 }
            guard k < limit, isCloser(s[k]) else { return last }
            k += 1
            last = k
        }
    }

    /// The paragraph ends at the first blank line.
    private static func paragraphEnd(_ s: [Unicode.Scalar], from start: Int) -> Int {
        var i = start
        while i < s.count {
            if s[i] == "\n" {
                var j = i + 1
                while j < s.count && s[j] != "\n" && isSpace(s[j]) { j += 1 }
                if j >= s.count || s[j] == "\n" { return i }
            }
            i += 1
        }
        return s.count
    }

    private static func isCloser(_ c: Unicode.Scalar) -> Bool {
        switch c {
        case "\"", "\u{201D}", "\u{2019}", "'", ")", "]", "\u{00BB}": return true
        default: return false
        }
    }

    static func text(_ s: [Unicode.Scalar], _ start: Int, _ end: Int) -> String {
        var view = String.UnicodeScalarView()
        if start < end { view.append(contentsOf: s[start..<end]) }
        return String(view)
    }

    static func isSpace(_ c: Unicode.Scalar) -> Bool {
        c.value < 0x80 ? c == " " || c == "\n" || c == "\t" || c == "\r" || c.value == 0x0B || c.value == 0x0C : c.properties.isWhitespace
    }
    static func isLetter(_ c: Unicode.Scalar) -> Bool {
        c.value < 0x80 ? (c.value | 0x20) >= 0x61 && (c.value | 0x20) <= 0x7A : c.properties.isAlphabetic
    }
    static func isUpper(_ c: Unicode.Scalar) -> Bool { c.value < 0x80 ? c.value >= 0x41 && c.value <= 0x5A : c.properties.isUppercase }
    static func isDigit(_ c: Unicode.Scalar) -> Bool { c.value >= 0x30 && c.value <= 0x39 }
    static func isQuote(_ c: Unicode.Scalar) -> Bool {
        switch c {
        case "\"", "'", "\u{201C}", "\u{201D}", "\u{2018}", "\u{2019}", "\u{00AB}", "\u{00BB}", "\u{201E}", "`": return true
        default: return false
        }
    }
}
