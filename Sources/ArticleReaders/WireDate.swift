import NewsCore

/// Dates as the wire formats write them, normalised to a calendar date plus an ISO 8601 timestamp.
///
/// Accepted: ISO 8601 extended (`2018-11-21T16:25:32-05:00`, `2014-07-17 00:24:11 GMT+00:00`), basic
/// (`20151210T191044Z`, `20140829T134951+0000`), and RFC 2822 (`Wed, 18 Feb 2015 22:18:43 -0800 (PST)`).
/// The timestamp keeps the zone as given (`Z` or `±hh:mm`) and has none when the source had none.
enum WireDate {
    struct Parsed {
        var date: ArticleDate
        var timestamp: String
    }

    static func parse(_ text: String?) -> Parsed? {
        guard let text else { return nil }
        let b = Array(text.utf8.drop(while: { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }))
        guard !b.isEmpty else { return nil }
        if isDigit(b[0]) {
            if let p = iso(b) { return p }
            return rfc2822(b)
        }
        return rfc2822(b)
    }

    private static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }

    /// Reads `count` digits at `i`, advancing it.
    private static func number(_ b: [UInt8], _ i: inout Int, _ count: Int) -> Int? {
        guard i + count <= b.count else { return nil }
        var v = 0
        for k in i..<(i + count) {
            guard isDigit(b[k]) else { return nil }
            v = v * 10 + Int(b[k] - 0x30)
        }
        i += count
        return v
    }

    private static func iso(_ b: [UInt8]) -> Parsed? {
        var i = 0
        guard let y = number(b, &i, 4) else { return nil }
        if i < b.count, b[i] == 0x2D { i += 1 }
        guard let m = number(b, &i, 2) else { return nil }
        if i < b.count, b[i] == 0x2D { i += 1 }
        guard let d = number(b, &i, 2), let date = ArticleDate(year: y, month: m, day: d) else { return nil }
        var stamp = date.iso
        guard i < b.count, b[i] == 0x54 || b[i] == 0x20 || b[i] == 0x74 else { return Parsed(date: date, timestamp: stamp) }
        i += 1
        var j = i
        guard let hh = number(b, &j, 2), hh < 24 else { return Parsed(date: date, timestamp: stamp) }
        if j < b.count, b[j] == 0x3A { j += 1 }
        guard let mm = number(b, &j, 2), mm < 60 else { return Parsed(date: date, timestamp: stamp) }
        var ss = 0
        var k = j
        if k < b.count, b[k] == 0x3A { k += 1 }
        if let s = number(b, &k, 2), s < 61 { ss = s; j = k }
        if j < b.count, b[j] == 0x2E || b[j] == 0x2C {
            j += 1
            while j < b.count, isDigit(b[j]) { j += 1 }
        }
        stamp += "T" + pad(hh) + ":" + pad(mm) + ":" + pad(ss)
        stamp += zone(b, &j) ?? ""
        return Parsed(date: date, timestamp: stamp)
    }

    /// `Z`, `±hh:mm`, `±hhmm`, `±hh`, `GMT`/`UTC` optionally followed by an offset.
    private static func zone(_ b: [UInt8], _ i: inout Int) -> String? {
        while i < b.count, b[i] == 0x20 { i += 1 }
        guard i < b.count else { return nil }
        if b[i] == 0x5A || b[i] == 0x7A { return "Z" }
        if b.starts(withASCII: "GMT", at: i) || b.starts(withASCII: "UTC", at: i) || b.starts(withASCII: "UT", at: i) {
            i += b.starts(withASCII: "UT", at: i) && !(b.starts(withASCII: "UTC", at: i)) ? 2 : 3
            if i < b.count, b[i] == 0x2B || b[i] == 0x2D, let offset = zone(b, &i) { return offset == "+00:00" ? "Z" : offset }
            return "Z"
        }
        guard b[i] == 0x2B || b[i] == 0x2D else { return nil }
        let sign = b[i] == 0x2B ? "+" : "-"
        i += 1
        guard let h = number(b, &i, 2) else { return nil }
        if i < b.count, b[i] == 0x3A { i += 1 }
        let m = number(b, &i, 2) ?? 0
        return sign + pad(h) + ":" + pad(m)
    }

    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    private static func rfc2822(_ b: [UInt8]) -> Parsed? {
        // [Day,] D Mon YYYY HH:MM[:SS] zone
        var words: [[UInt8]] = []
        var current: [UInt8] = []
        for c in b {
            if c == 0x20 || c == 0x2C || c == 0x09 {
                if !current.isEmpty { words.append(current); current = [] }
            } else { current.append(c) }
            if words.count > 8 { break }
        }
        if !current.isEmpty { words.append(current) }
        guard let dayIndex = words.firstIndex(where: { $0.first.map(isDigit) ?? false }), dayIndex + 2 < words.count else { return nil }
        var i = 0
        let dayWord = words[dayIndex]
        guard let day = dayWord.count == 1 ? number(dayWord, &i, 1) : number(dayWord, &i, 2) else { return nil }
        let monthWord = String(decoding: words[dayIndex + 1].prefix(3), as: UTF8.self).lowercased()
        guard let month = months.firstIndex(of: monthWord) else { return nil }
        i = 0
        guard let year = number(words[dayIndex + 2], &i, 4), let date = ArticleDate(year: year, month: month + 1, day: day) else { return nil }
        var stamp = date.iso
        if dayIndex + 3 < words.count {
            let t = words[dayIndex + 3]
            var j = 0
            if let hh = number(t, &j, 2), j < t.count, t[j] == 0x3A {
                j += 1
                if let mm = number(t, &j, 2) {
                    var ss = 0
                    if j < t.count, t[j] == 0x3A { j += 1; ss = number(t, &j, 2) ?? 0 }
                    stamp += "T" + pad(hh) + ":" + pad(mm) + ":" + pad(ss)
                    if dayIndex + 4 < words.count {
                        var z = 0
                        if let zone = zone(words[dayIndex + 4], &z) { stamp += zone }
                    }
                }
            }
        }
        return Parsed(date: date, timestamp: stamp)
    }

    private static func pad(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
}

extension Article {
    /// Sets date and timestamp from a wire date; false when it doesn't parse.
    @discardableResult
    mutating func setDate(_ text: String?) -> Bool {
        guard let parsed = WireDate.parse(text) else { return false }
        date = parsed.date
        timestamp = parsed.timestamp
        dateSource = .content
        return true
    }
}
