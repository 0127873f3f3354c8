#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Scans a sentence's tokens for numbers and reads the words around them.
struct FigureFinder {
    let text: AnalysedText
    let s: [Unicode.Scalar]
    /// Lower-cased token words, computed once.
    let words: [String]

    init(text: AnalysedText) {
        self.text = text
        self.s = text.document.scalars
        self.words = text.tokens.map { LowerCased.word(text.document.scalars, $0.start, $0.end) }
    }

    func word(_ k: Int, in range: Range<Int>) -> String {
        range.contains(k) ? words[k] : ""
    }

    /// Tokens a figure can start with: numbers, symbols, number and ordinal words, codes, "Rs".
    func mayStartFigure(_ k: Int) -> Bool {
        let t = text.tokens[k]
        if t.kind == .number || t.kind == .symbol { return true }
        guard t.kind == .word else { return false }
        let w = words[k]
        if FigureFinder.starters.contains(w) || TimeLexicon.cardinals[w] != nil || TimeLexicon.ordinals[w] != nil { return true }
        if s[t.start] == "R" && t.end - t.start >= 2 && s[t.start + 1] == "s" { return true }
        if FigureFinder.dollarPrefixes[w] != nil || w.count >= 3 && (w.hasSuffix("st") || w.hasSuffix("nd") || w.hasSuffix("rd") || w.hasSuffix("th")) && Tokenizer.isDigit(s[t.start]) { return true }
        return isCode(k) || FigureFinder.oneWordQualifiers.contains(w)
    }

    static let starters: Set<String> = ["a", "an", "dozens", "hundreds", "thousands", "millions", "billions", "scores"]

    /// Three capital letters: a possible ISO 4217 code.
    func isCode(_ k: Int) -> Bool {
        let t = text.tokens[k]
        return t.kind == .word && t.end - t.start == 3 && (t.start..<t.end).allSatisfy { s[$0].value >= 0x41 && s[$0].value <= 0x5A }
    }

    func raw(_ k: Int) -> String { text.document.text(text.tokens[k].start, text.tokens[k].end) }

    func find(in sentence: Sentence, into result: inout [Figure]) {
        let range = sentence.tokens
        var k = range.lowerBound
        while k < range.upperBound {
            if mayStartFigure(k), let figure = figure(at: k, in: range) {
                result.append(figure.0)
                k = figure.1
            } else {
                k += 1
            }
        }
    }

    /// A number at token `k` (digits, words, or a currency then digits): the figure and the next token.
    func figure(at k: Int, in range: Range<Int>) -> (Figure, Int)? {
        var first = k
        var j = k
        var currency: String?
        // Currency before the number: $, US$, £, Rs, PKR.
        if let code = currencyPrefix(at: j, in: range) {
            currency = code.code
            j = code.next
        }
        if let ordinal = ordinalFigure(at: j, in: range), currency == nil { return ordinal }
        // "Rs500": the rupee sign glued to the digits.
        var skip = 0
        if currency == nil, range.contains(j), text.tokens[j].kind == .word, text.tokens[j].end - text.tokens[j].start > 2,
           s[text.tokens[j].start] == "R", s[text.tokens[j].start + 1] == "s", Tokenizer.isDigit(s[text.tokens[j].start + 2]) {
            currency = "PKR"
            skip = 2
        }
        guard var number = number(at: j, in: range, skip: skip) else { return nil }
        if currency == nil && isDatePart(number, in: range) { return nil }
        j = number.next
        var kind: Figure.Kind = currency == nil ? .quantity : .money
        var unit = currency
        var counts: String?
        let next = word(j, in: range)
        if next == "%" || next == "percent" {
            kind = .percent; unit = "%"; j += 1
            if word(j, in: range) == "points" { j += 1 }
        } else if next == "per", word(j + 1, in: range) == "cent" {
            kind = .percent; unit = "%"; j += 2
        } else if currency == nil, let code = currencyWord(at: j, in: range, before: first) {
            kind = .money; unit = code.code; j = code.next
        } else if let timeUnit = FigureFinder.timeUnits[next] {
            kind = .duration; unit = timeUnit; j += 1
        } else if let measure = FigureFinder.measures[next] {
            unit = measure; j += 1
        }
        if kind == .quantity && unit == nil {
            // What is counted: the noun after the number ("80 people", "three services headquarters").
            if next == "of", number.value == nil, let noun = countedNoun(at: j + 1, in: range) { counts = noun.word; j = noun.next }
            else if let noun = countedNoun(at: j, in: range) { counts = noun.word; j = noun.next }
            else if number.isWord && number.value != nil && number.value! < 10 { return nil }  // "one of them"
            else if first > range.lowerBound, text.tokens[first - 1].kind == .word, Tokenizer.isUpper(s[text.tokens[first - 1].start]),
                    currency == nil { return nil }  // "Radio 4", "Apollo 11": part of a name
            else if number.value.map({ $0 >= 1900 && $0 <= 2099 && $0 == $0.rounded() }) == true && !number.hadSeparator { return nil }
        } else if kind == .money, let noun = countedNoun(at: j, in: range), !["in", "of"].contains(noun.word) {
            counts = noun.word
        }
        // Qualifier before the number (or before the currency).
        var qualifier: String?
        if let q = qualifierBefore(first, in: range) { qualifier = q.text; first = q.start }
        let verb = verbBefore(first, in: range)
        let start = text.tokens[first].start
        var end = text.tokens[j - 1].end
        if s[end - 1] == "." && end - 1 > start { end -= 1 }
        if let v = number.value, number.multiplier != 1 {
            // Scale in decimal: 8.2bn is 8.2e9 exactly as written, not 8.2 * 1e9 in binary.
            let exponent = Int((log10(number.multiplier)).rounded())
            number.value = number.digitsText.flatMap { Double($0 + "e\(exponent)") } ?? v * number.multiplier
        }
        return (Figure(start: start, end: end, text: text.document.text(start, end), kind: kind, value: number.value,
                       qualifier: qualifier, unit: unit, counts: counts, verb: verb), j)
    }

    struct Number {
        var value: Double?
        var multiplier: Double = 1
        var next: Int
        var isWord = false
        var hadSeparator = false
        /// The digits as written (without thousands separators), when the number was written in digits.
        var digitsText: String?
    }

    /// 80, 1,234.5, 2.5bn, 2.5 billion, two, twenty-four, a dozen, hundreds of.
    func number(at k: Int, in range: Range<Int>, skip: Int = 0) -> Number? {
        guard range.contains(k) else { return nil }
        var token = text.tokens[k]
        token.start += skip
        if token.kind == .number || skip > 0 {
            var value = 0.0, fraction = 0.0, scale = 1.0, inFraction = false, sawDigit = false, separator = false
            var i = token.start
            while i < token.end {
                let c = s[i]
                if Tokenizer.isDigit(c) {
                    sawDigit = true
                    let d = Double(c.value - 0x30)
                    if inFraction { scale /= 10; fraction += d * scale } else { value = value * 10 + d }
                } else if c == "," { separator = true
                } else if c == "." { inFraction = true
                } else { break }
                i += 1
            }
            guard sawDigit else { return nil }
            // "1990s", "10:30", "12/02/2023" and codes are not figures.
            if i < token.end && (s[i] == ":" || s[i] == "/") { return nil }
            // Parse the digits as written so 8.2 stays 8.2 after the multiplier (no summed binary fractions).
            var digitsText = ""
            for p in token.start..<i where s[p] != "," { digitsText.unicodeScalars.append(s[p]) }
            var number = Number(value: Double(digitsText) ?? value + fraction, next: k + 1, hadSeparator: separator || inFraction, digitsText: digitsText)
            if i < token.end {
                // "2.5bn." at a sentence end: the tokenizer keeps the period on the token.
                let suffixEnd = s[token.end - 1] == "." ? token.end - 1 : token.end
                let suffix = LowerCased.word(s, i, suffixEnd)
                guard let m = FigureFinder.multipliers[suffix] else { return nil }
                number.multiplier = m
            } else if let m = FigureFinder.multipliers[word(k + 1, in: range)], word(k + 1, in: range).count > 1 {
                number.multiplier = m
                number.next = k + 2
            }
            return number
        }
        let w = word(k, in: range)
        if w == "a" || w == "an", word(k + 1, in: range) == "dozen" { return Number(value: 12, next: k + 2, isWord: true) }
        if ["dozens", "hundreds", "thousands", "millions", "billions", "scores"].contains(w), word(k + 1, in: range) == "of" {
            return Number(value: nil, next: k + 1, isWord: true)
        }
        guard var value = TimeLexicon.cardinals[w].map(Double.init) else { return nil }
        var next = k + 1
        // "twenty-four" is one token; "twenty four" two.
        if w.contains("-") { return nil }
        if value >= 20, let units = TimeLexicon.cardinals[word(next, in: range)], units < 10 { value += Double(units); next += 1 }
        var number = Number(value: value, next: next, isWord: true)
        if let m = FigureFinder.multipliers[word(next, in: range)], word(next, in: range).count > 2 { number.multiplier = m; number.next = next + 1 }
        return number
    }

    /// Day numbers of dates and years are times, not figures: "February 13", "to 16 (Thursday)", "in 2021".
    func isDatePart(_ number: Number, in range: Range<Int>) -> Bool {
        guard !number.isWord, let value = number.value, number.multiplier == 1 else { return false }
        let k = number.next - 1
        let before = word(k - 1, in: range), after = word(k + 1, in: range)
        if value <= 31 && (TimeLexicon.months[before.hasSuffix(".") ? String(before.dropLast()) : before] != nil
                           || TimeLexicon.months[after] != nil) { return true }
        if value <= 31 && after == "(" && TimeLexicon.weekdays[word(k + 2, in: range)] != nil { return true }
        if value <= 31 && (before == "to" || before == "-") && TimeLexicon.months[word(k - 3, in: range)] != nil { return true }
        // A four-digit year, unless a plural noun or unit follows ("2000 people", "1500 km") and no word
        // before it makes it a year modifier ("the 2001 attacks", "for 2003 results").
        if value >= 1000 && value <= 2099 && !number.hadSeparator && FigureFinder.measures[after] == nil
            && FigureFinder.timeUnits[after] == nil {
            let counted = (after.hasSuffix("s") && after.count > 3) || FigureFinder.countNouns.contains(after)
            if !counted || FigureFinder.yearModifierContext.contains(before) { return true }
        }
        return false
    }

    /// "the second round", "its third attempt".
    func ordinalFigure(at k: Int, in range: Range<Int>) -> (Figure, Int)? {
        let w = word(k, in: range)
        var value: Int?
        if let n = TimeLexicon.ordinals[w], n > 0 { value = n }
        else if w.count >= 3, let n = Int(w.dropLast(2)), ["st", "nd", "rd", "th"].contains(String(w.suffix(2))) { value = n }
        guard let n = value, ["the", "its", "his", "her", "their", "a", "our", "'s"].contains(word(k - 1, in: range)) else { return nil }
        let following = word(k + 1, in: range)
        guard FigureFinder.timeUnits[following] == nil, !["quarter", "half", "quarters", "halves"].contains(following),
              let noun = countedNoun(at: k + 1, in: range), FigureFinder.timeUnits[noun.word] == nil else { return nil }
        let start = text.tokens[word(k - 1, in: range) == "'s" ? k : k - 1].start
        let end = text.tokens[noun.next - 1].end
        return (Figure(start: start, end: end, text: text.document.text(start, end), kind: .ordinal, value: Double(n), counts: noun.word), noun.next)
    }

    /// The counted noun: a lower-case word that is not a function word (with an adjective or two before it).
    func countedNoun(at k: Int, in range: Range<Int>) -> (word: String, next: Int)? {
        var j = k
        var last: (String, Int)?
        while j < range.upperBound && j < k + 3 {
            let t = text.tokens[j]
            guard t.kind == .word, !Tokenizer.isUpper(s[t.start]) || j > k else { break }
            let w = word(j, in: range)
            if w.hasPrefix("'") { return nil }  // "Radio 4's": a name, not a count
            if FigureFinder.functionWords.contains(w) || w.hasSuffix("ly") { break }
            last = (w, j + 1)
            // Stop at a plural noun or a known count noun: "80 people inside" ends at "people".
            if w.hasSuffix("s") || FigureFinder.countNouns.contains(w) { break }
            j += 1
        }
        return last
    }

    func currencyPrefix(at k: Int, in range: Range<Int>) -> (code: String, next: Int)? {
        guard range.contains(k) else { return nil }
        let w = word(k, in: range)
        if let code = FigureFinder.symbols[w] {
            if text.tokens[k].kind == .number { return nil }
            return (code, k + 1)
        }
        // US$, A$, HK$, C$: a short upper-case word glued to "$".
        if word(k + 1, in: range) == "$", text.tokens[k + 1].start == text.tokens[k].end, let code = FigureFinder.dollarPrefixes[w] {
            return (code, k + 2)
        }
        if (w == "rs" || w == "rs.") && Tokenizer.isUpper(s[text.tokens[k].start]) {
            var next = k + 1
            if word(next, in: range) == "." { next += 1 }
            return ("PKR", next)
        }
        if range.contains(k + 1), text.tokens[k + 1].kind == .number, isCode(k), CurrencyCodes.names[raw(k)] != nil {
            return (raw(k), k + 1)
        }
        return nil
    }

    /// "20 dollars", "500 million rupees", "Pakistani rupees", "euros".
    func currencyWord(at k: Int, in range: Range<Int>, before first: Int) -> (code: String, next: Int)? {
        var j = k
        var nationality: String?
        let w0 = word(j, in: range)
        if range.contains(j), Tokenizer.isUpper(s[text.tokens[j].start]), FigureFinder.currencyWords[word(j + 1, in: range)] != nil {
            nationality = w0
            j += 1
        }
        guard let fallback = FigureFinder.currencyWords[word(j, in: range)] else {
            if range.contains(k), isCode(k), CurrencyCodes.names[raw(k)] != nil { return (raw(k), k + 1) }
            return nil
        }
        let noun = word(j, in: range)
        let singular = noun.hasSuffix("s") ? String(noun.dropLast()) : noun
        if let nationality {
            for (code, name) in CurrencyCodes.names {
                let lower = name.lowercased()
                guard lower.hasSuffix(singular) else { continue }
                let country = lower.split(separator: " ").first.map(String.init) ?? ""
                if country.count >= 3 && nationality.hasPrefix(String(country.prefix(max(3, country.count - 1)))) { return (code, j + 1) }
            }
        }
        return (fallback, j + 1)
    }

    /// over, more than, nearly, at least, up to ... right before token `k`.
    func qualifierBefore(_ k: Int, in range: Range<Int>) -> (text: String, start: Int)? {
        let one = word(k - 1, in: range), two = word(k - 2, in: range), three = word(k - 3, in: range)
        if FigureFinder.twoWordQualifiers.contains(two + " " + one) {
            if three == "just" || three == "well" || three == "slightly" { return (three + " " + two + " " + one, k - 3) }
            return (two + " " + one, k - 2)
        }
        if three == "as", FigureFinder.twoWordQualifiers.contains(three + " " + two + " " + one) { return (three + " " + two + " " + one, k - 3) }
        if FigureFinder.oneWordQualifiers.contains(one) {
            if two == "just" || two == "well" { return (two + " " + one, k - 2) }
            return (one, k - 1)
        }
        return nil
    }

    /// "killed over 80 people": a past-tense or known verb right before the figure.
    func verbBefore(_ k: Int, in range: Range<Int>) -> String? {
        var j = k - 1
        if ["a", "an", "the", "by", "to"].contains(word(j, in: range)) { j -= 1 }
        let w = word(j, in: range)
        guard range.contains(j), text.tokens[j].kind == .word, !Tokenizer.isUpper(s[text.tokens[j].start]) else { return nil }
        if (w.hasSuffix("ed") && w.count > 4) || FigureFinder.verbs.contains(w) { return w }
        return nil
    }

    static let multipliers: [String: Double] = [
        "k": 1e3, "thousand": 1e3, "m": 1e6, "mn": 1e6, "mln": 1e6, "million": 1e6, "bn": 1e9, "b": 1e9,
        "billion": 1e9, "tn": 1e12, "trillion": 1e12, "lakh": 1e5, "lakhs": 1e5, "crore": 1e7, "crores": 1e7,
        "hundred": 100,
    ]
    static let symbols: [String: String] = ["$": "USD", "£": "GBP", "€": "EUR", "¥": "JPY", "₹": "INR", "₨": "PKR", "₩": "KRW", "₽": "RUB", "₺": "TRY"]
    static let dollarPrefixes: [String: String] = ["us": "USD", "a": "AUD", "au": "AUD", "c": "CAD", "ca": "CAD", "hk": "HKD", "nz": "NZD", "s": "SGD", "nt": "TWD"]
    /// The currency a bare word most often means in English news; a nationality before it overrides.
    static let currencyWords: [String: String] = [
        "dollar": "USD", "dollars": "USD", "euro": "EUR", "euros": "EUR", "pound": "GBP", "pounds": "GBP",
        "sterling": "GBP", "yen": "JPY", "yuan": "CNY", "renminbi": "CNY", "rupee": "PKR", "rupees": "PKR",
        "riyal": "SAR", "riyals": "SAR", "dirham": "AED", "dirhams": "AED", "rouble": "RUB", "roubles": "RUB",
        "ruble": "RUB", "rubles": "RUB", "lira": "TRY", "taka": "BDT", "afghani": "AFN", "afghanis": "AFN",
        "won": "KRW", "franc": "CHF", "francs": "CHF", "rand": "ZAR", "naira": "NGN", "peso": "MXN", "pesos": "MXN",
        "real": "BRL", "reais": "BRL", "rial": "IRR", "rials": "IRR", "dinar": "KWD", "dinars": "KWD",
    ]
    static let timeUnits: [String: String] = [
        "second": "second", "seconds": "second", "minute": "minute", "minutes": "minute", "hour": "hour",
        "hours": "hour", "day": "day", "days": "day", "week": "week", "weeks": "week", "month": "month",
        "months": "month", "year": "year", "years": "year", "decade": "decade", "decades": "decade",
        "century": "century", "centuries": "century",
    ]
    static let measures: [String: String] = [
        "km": "km", "kilometres": "km", "kilometers": "km", "kilometre": "km", "kilometer": "km", "miles": "mile",
        "mile": "mile", "metres": "m", "meters": "m", "metre": "m", "meter": "m", "feet": "ft", "foot": "ft",
        "kg": "kg", "kilograms": "kg", "kilogrammes": "kg", "tonnes": "t", "tons": "t", "tonne": "t", "ton": "t",
        "litres": "l", "liters": "l", "barrels": "bbl", "acres": "acre", "hectares": "ha", "mw": "MW",
        "megawatts": "MW", "gw": "GW", "kwh": "kWh", "cm": "cm", "mm": "mm", "inches": "in", "degrees": "°",
        "pounds-weight": "lb", "lb": "lb", "lbs": "lb", "gallons": "gal", "bpd": "bbl/d",
    ]
    static let yearModifierContext: Set<String> = ["the", "'s", "its", "their", "his", "her", "our", "in", "of", "for", "since", "from", "by", "until", "during"]

    static let countNouns: Set<String> = [
        "people", "police", "staff", "personnel", "cattle", "sheep", "fish", "aircraft", "round", "time", "women",
        "men", "children", "feet", "teeth", "mice", "geese", "crew",
    ]
    static let functionWords: Set<String> = [
        "of", "and", "or", "but", "the", "a", "an", "to", "in", "on", "at", "by", "for", "from", "with", "as",
        "than", "that", "which", "who", "is", "are", "was", "were", "be", "been", "has", "have", "had", "will",
        "would", "per", "percent", "cent", "said", "says", "more", "less", "other", "others", "each", "all", "it",
        "they", "he", "she", "we", "this", "these", "those", "its", "their", "his", "her", "into", "over", "under",
        "after", "before", "since", "until", "about", "against", "out", "up", "down", "off", "also", "not", "no",
        "times", "too", "so", "if", "when", "while", "where", "there", "here", "then", "now",
    ]
    static let oneWordQualifiers: Set<String> = [
        "over", "about", "around", "nearly", "almost", "approximately", "roughly", "some", "under", "below",
        "above", "only", "just", "exactly", "estimated", "barely", "circa", "approx", "~",
    ]
    static let twoWordQualifiers: Set<String> = [
        "more than", "less than", "fewer than", "at least", "at most", "up to", "close to", "as many", "as much",
        "as many as", "as much as", "as few as", "an estimated", "in excess", "upwards of", "no more", "no fewer",
    ]
    static let verbs: Set<String> = ["killed", "injured", "wounded", "kill", "rose", "fell", "grew", "cost", "costs", "paid", "won", "lost", "hit", "reached", "cut", "raised", "spent", "sold", "bought"]
}
