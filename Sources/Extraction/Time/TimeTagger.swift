import NewsCore

/// Finds temporal expressions sentence by sentence and resolves them against the article date.
///
/// Works on "pieces": the tokenizer's tokens with hyphenated words split (two-year -> two, year) and
/// lower-cased, so that every pattern is a short walk over an array.
enum TimeTagger {
    static func tag(_ text: AnalysedText, deadline: Deadline) throws(DeadlineExceeded) -> [TimeExpression] {
        let dct = text.document.date.map(CalendarDay.init)
        var result: [TimeExpression] = []
        var quarterSeen = -100
        // The day the narrative is on: a clock time without a day ("at 6 a.m.") belongs to it.
        var anchor: (day: CalendarDay, sentence: Int)?
        var reference: (value: String, sentence: Int)?
        for (index, sentence) in text.sentences.enumerated() {
            let pieces = TimePiece.pieces(text.document.scalars, tokens: text.tokens[sentence.tokens])
            if pieces.contains(where: { $0.word == "quarter" || $0.word == "quarters" }) { quarterSeen = index }
            var scan = TimeScan(pieces: pieces, dct: dct, quarterContext: index - quarterSeen <= 2)
            if let a = anchor, index - a.sentence <= 2 { scan.anchor = a.day }
            if let r = reference, index - r.sentence <= 2 { scan.reference = r.value }
            let matches = scan.run()
            if let day = scan.anchor, day != anchor?.day || matches.contains(where: \.isDay) { anchor = (day, index) }
            if let value = scan.reference, value != reference?.value || matches.contains(where: { $0.value == value }) { reference = (value, index) }
            for found in matches {
                let start = pieces[found.first].start
                let end = pieces[found.end - 1].end
                var expression = TimeExpression(start: start, end: end, text: text.document.text(start, end),
                                                type: found.type, value: found.value, mod: found.mod)
                if found.continuesRange { expression.rangeStart = result.count - 1 }
                result.append(expression)
            }
            try deadline.check("times")
        }
        return result
    }
}

/// A lower-cased word of a sentence with its offsets; hyphenated tokens become several pieces.
struct TimePiece {
    var start: Int
    var end: Int
    var word: String
    /// The value of a run of ASCII digits, and how many digits it has.
    var number: Int?
    var digits: Int
    var capitalised: Bool
    /// True when a hyphen joins this piece to the previous one.
    var joined: Bool

    static func pieces(_ s: [Unicode.Scalar], tokens: ArraySlice<Token>) -> [TimePiece] {
        var result: [TimePiece] = []
        result.reserveCapacity(tokens.count + 4)
        for token in tokens {
            var partStart = token.start
            var i = token.start
            let splitsOnHyphen = token.kind == .word || token.kind == .number
            while i <= token.end {
                let atEnd = i == token.end
                if atEnd || (splitsOnHyphen && (s[i] == "-" || s[i] == "\u{2010}" || s[i] == "\u{2011}")) {
                    if partStart < i {
                        result.append(make(s, partStart, i, joined: partStart != token.start))
                    }
                    partStart = i + 1
                }
                i += 1
            }
        }
        return result
    }

    private static func make(_ s: [Unicode.Scalar], _ start: Int, _ end: Int, joined: Bool) -> TimePiece {
        var number = 0
        var digits = 0
        var allDigits = true
        var wordEnd = end
        // "Sept." keeps its period in the span but not in the word; "U.S." keeps inner periods.
        if end - start > 1 && s[end - 1] == "." { wordEnd = end - 1 }
        for k in start..<wordEnd {
            let c = s[k]
            if c.value >= 0x30 && c.value <= 0x39 {
                digits += 1
                if digits <= 9 { number = number * 10 + Int(c.value - 0x30) }
            } else {
                allDigits = false
            }
        }
        let word = LowerCased.word(s, start, wordEnd)
        let capitalised = Tokenizer.isUpper(s[start])
        return TimePiece(start: start, end: end, word: word, number: allDigits && digits > 0 ? number : nil,
                         digits: allDigits ? digits : 0, capitalised: capitalised, joined: joined)
    }
}

/// One match over pieces `first..<end`.
struct TimeMatch {
    var first: Int
    var end: Int
    var type: TimeExpression.Kind
    var value: String
    var mod: String?
    var continuesRange = false

    var isDay: Bool { type == .date && value.utf8.count == 10 && value.utf8.first != UInt8(ascii: "X") }
}
