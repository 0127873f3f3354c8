import NewsCore

/// One token of news text, as offsets into the document's scalars.
public struct Token: Sendable, Hashable {
    public enum Kind: UInt8, Sendable {
        case word          // letters, possibly with digits, inner hyphens, apostrophes or periods (U.S.)
        case number        // digits with separators: 80, 1,234.5, 2.5bn, 1990s
        case punctuation   // . , ; : ! ? … and brackets
        case quote         // " “ ” ‘ ’ ' « »
        case symbol        // $ £ € % & and anything else
    }

    public var start: Int
    public var end: Int
    public var kind: Kind

    public var span: TextSpan { TextSpan(start: start, end: end) }
}

/// Splits news text into tokens the way CoNLL-2003 and TimeBank tokenise it.
///
/// Kept together: hyphenated names (Tehreek-i-Taliban, Pakistan-US), abbreviations with periods (U.S., Mr.,
/// Gen., initials J.), numbers with separators (1,234.56). Split off: possessive and contracted 's / n't,
/// quotation marks, brackets and sentence punctuation.
public enum Tokenizer {
    public static func tokenize(_ document: Document) -> [Token] {
        tokenize(document.scalars, in: 0..<document.scalars.count)
    }

    public static func tokenize(_ s: [Unicode.Scalar], in range: Range<Int>) -> [Token] {
        var tokens: [Token] = []
        tokens.reserveCapacity(range.count / 5)
        var i = range.lowerBound
        let end = range.upperBound
        while i < end {
            let c = s[i]
            if isSpace(c) { i += 1; continue }
            if isLetter(c) || isDigit(c) {
                i = scanWord(s, from: i, end: end, into: &tokens)
            } else if isQuote(c) {
                tokens.append(Token(start: i, end: i + 1, kind: .quote)); i += 1
            } else if c == "." && i + 2 < end && s[i + 1] == "." && s[i + 2] == "." {
                tokens.append(Token(start: i, end: i + 3, kind: .punctuation)); i += 3
            } else if c == "-" && i + 1 < end && s[i + 1] == "-" {
                tokens.append(Token(start: i, end: i + 2, kind: .punctuation)); i += 2
            } else if isPunctuation(c) {
                tokens.append(Token(start: i, end: i + 1, kind: .punctuation)); i += 1
            } else {
                tokens.append(Token(start: i, end: i + 1, kind: .symbol)); i += 1
            }
        }
        return tokens
    }

    /// Scans one word or number starting at `start`, appending one or more tokens; returns the next index.
    private static func scanWord(_ s: [Unicode.Scalar], from start: Int, end: Int, into tokens: inout [Token]) -> Int {
        var i = start
        var hasLetter = false
        var hasDigit = false
        while i < end {
            let c = s[i]
            if isLetter(c) { hasLetter = true; i += 1; continue }
            if isDigit(c) { hasDigit = true; i += 1; continue }
            // Joiners stay inside a token only between two alphanumerics.
            let next: Unicode.Scalar? = i + 1 < end ? s[i + 1] : nil
            guard let n = next, isLetter(n) || isDigit(n) else { break }
            if c == "-" || c == "\u{2010}" || c == "\u{2011}" || c == "&" && isUpper(s[i - 1]) && isUpper(n) {
                i += 1; continue
            }
            if (c == "," || c == ".") && isDigit(s[i - 1]) && isDigit(n) { i += 1; continue }
            if c == "." && isLetter(s[i - 1]) && isLetter(n) && i + 2 < end && s[i + 2] == "." {
                i += 1; continue  // U.S. / U.N. style: a letter, a period, a letter, a period
            }
            if c == "'" || c == "\u{2019}" {
                // Split off possessive 's and contracted n't / 're / 've / 'll / 'd / 'm.
                if isClitic(s, apostrophe: i, end: end) { break }
                i += 1; continue  // O'Brien, rock'n'roll
            }
            if c == "/" && isDigit(s[i - 1]) && isDigit(n) { i += 1; continue }  // 12/02/2023
            if c == ":" && isDigit(s[i - 1]) && isDigit(n) { i += 1; continue }  // 10:30
            break
        }
        // Trailing period of an abbreviation or initial belongs to the token.
        if i < end && s[i] == "." && hasLetter {
            let word = String(String.UnicodeScalarView(s[start..<i]))
            let isInitial = i - start == 1 && isUpper(s[start])
            let isDotted = s[start..<i].contains(".")
            if isInitial || isDotted || Abbreviations.titles.contains(word) || Abbreviations.other.contains(word) {
                i += 1
            }
        }
        // "don't": the word ends before "n't".
        var wordEnd = i
        if i < end, s[i] == "'" || s[i] == "\u{2019}", i - start >= 2, s[i - 1] == "n" || s[i - 1] == "N",
           i + 1 < end, s[i + 1] == "t" || s[i + 1] == "T", i - start > 1 {
            wordEnd = i - 1
        }
        let kind: Token.Kind = hasDigit && (!hasLetter || isDigit(s[start])) ? .number : .word
        tokens.append(Token(start: start, end: wordEnd, kind: kind))
        if wordEnd < i {
            // n't
            var j = i + 2
            while j < end && isLetter(s[j]) { j += 1 }
            tokens.append(Token(start: wordEnd, end: j, kind: .word))
            return j
        }
        if i < end && (s[i] == "'" || s[i] == "\u{2019}") && isClitic(s, apostrophe: i, end: end) {
            var j = i + 1
            while j < end && isLetter(s[j]) { j += 1 }
            tokens.append(Token(start: i, end: j, kind: .word))
            return j
        }
        return i
    }

    private static func isClitic(_ s: [Unicode.Scalar], apostrophe i: Int, end: Int) -> Bool {
        guard i + 1 < end else { return false }
        var j = i + 1
        var clitic = ""
        while j < end && isLetter(s[j]) && clitic.unicodeScalars.count < 3 {
            clitic.unicodeScalars.append(s[j]); j += 1
        }
        if j < end && isLetter(s[j]) { return false }
        switch clitic.lowercased() {
        case "s", "re", "ve", "ll", "d", "m": return true
        case "t": return i >= 1 && (s[i - 1] == "n" || s[i - 1] == "N")
        default: return false
        }
    }

    @inline(__always) static func isSpace(_ c: Unicode.Scalar) -> Bool {
        // ASCII without a Unicode property lookup: that lookup was half the tokenizer's time.
        if c.value < 0x80 { return c == " " || c == "\n" || c == "\t" || c == "\r" || c.value == 0x0B || c.value == 0x0C }
        return c.properties.isWhitespace
    }
    @inline(__always) static func isLetter(_ c: Unicode.Scalar) -> Bool {
        if c.value < 0x80 { return (c.value | 0x20) >= 0x61 && (c.value | 0x20) <= 0x7A }
        return c.properties.isAlphabetic
    }
    @inline(__always) static func isUpper(_ c: Unicode.Scalar) -> Bool {
        if c.value < 0x80 { return c.value >= 0x41 && c.value <= 0x5A }
        return c.properties.isUppercase
    }
    @inline(__always) static func isDigit(_ c: Unicode.Scalar) -> Bool {
        c.value >= 0x30 && c.value <= 0x39
    }
    static func isQuote(_ c: Unicode.Scalar) -> Bool {
        switch c {
        case "\"", "'", "\u{201C}", "\u{201D}", "\u{2018}", "\u{2019}", "\u{00AB}", "\u{00BB}", "\u{201E}", "`": return true
        default: return false
        }
    }
    static func isPunctuation(_ c: Unicode.Scalar) -> Bool {
        switch c {
        case ".", ",", ";", ":", "!", "?", "(", ")", "[", "]", "{", "}", "\u{2026}", "\u{2013}", "\u{2014}", "-", "/": return true
        default: return false
        }
    }
}
