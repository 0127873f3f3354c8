import NewsCore

/// The two control-character wire formats.
///
/// IPTC 7901: SOH, a header line (`eca062 4 i 211 ...`: selector+number, priority, category, word count),
/// keyword lines, STX, the text (headline line ending in `=`, optional `By ... =`, paragraphs), ETX, a
/// trailer (`212101 GMT Nov 18`), EOT.
/// ANPA-1312: SYN SYN SOH, service line, `priority category DC3 DC1 keyword date wordcount`, STX, heading lines
/// that start with `^` and end in `<` or `=` (slug, headline, photo/editor notes, byline), tab-indented
/// paragraphs, ETX, a trailer (`AP-WF-11-13-13 1509GMT<`).
enum WireTextReader {
    private static let soh: UInt8 = 0x01, stx: UInt8 = 0x02, etx: UInt8 = 0x03

    static func read(_ bytes: [UInt8], anpa: Bool) throws(ReaderError) -> (String, Article, String, Bool) {
        let format = anpa ? "anpa1312" : "iptc7901"
        guard let start = bytes.firstIndex(of: stx) else { throw ReaderError(format: format, reason: "no STX: the text block is missing") }
        let end = bytes[start...].firstIndex(of: etx) ?? bytes.endIndex
        let decoded = TextDecoding.decode(bytes)
        let envelope = decodeLines(bytes[..<start])
        let text = decodeLines(bytes[(start + 1)..<end])
        let trailer = end < bytes.endIndex ? decodeLines(bytes[(end + 1)...]) : []
        var article = anpa ? readANPA(envelope: envelope, text: text, trailer: trailer) : read7901(envelope: envelope, text: text)
        if article.paragraphs.isEmpty { throw ReaderError(format: format, reason: "no text: the body is empty") }
        if !Text.hasText(article.headline) { article.headline = FirstSentence.of(article.paragraphs[0]) }
        return (format, article, decoded.encoding, decoded.usedFallback)
    }

    /// Lines of text, each decoded (UTF-8, else Windows-1252), CR and control characters other than tab removed.
    private static func decodeLines(_ slice: ArraySlice<UInt8>) -> [String] {
        let cleaned = slice.filter { $0 >= 0x20 || $0 == 0x0A || $0 == 0x09 || $0 == 0x08 || $0 == 0x1E || $0 == 0x1F }
            .map { $0 == 0x08 || $0 == 0x1E || $0 == 0x1F ? 0x20 : $0 }
        let text = TextDecoding.decode(cleaned).text
        return text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    private static func read7901(envelope: [String], text: [String]) -> Article {
        var article = Article(headline: "", paragraphs: [])
        let header = envelope.first.map { $0.split(separator: " ") } ?? []
        if header.count > 1, let priority = Int(header[1]) { article.urgency = priority }
        for line in envelope.dropFirst() {
            for keyword in line.split(separator: "/") {
                let k = Text.collapse(String(keyword))
                if !k.isEmpty { article.keywords.append(k) }
            }
        }
        // The heading block runs to the first blank line: notes (REFILE, 1ST LEAD), headline `... =`, byline `By ... =`.
        var lines = text[...]
        var heading: [String] = []
        while let line = lines.first, Text.hasText(line) { heading.append(Text.collapse(line)); lines.removeFirst() }
        var headlineIndex = heading.firstIndex { $0.hasSuffix("=") } ?? heading.indices.last
        if let i = headlineIndex, heading[i].hasPrefix("By "), i > 0 { headlineIndex = i - 1 }
        if let i = headlineIndex {
            article.headline = stripMarker(heading[i])
            if i + 1 < heading.count, heading[i + 1].hasPrefix("By ") { article.byline = stripMarker(String(heading[i + 1].dropFirst(3))) }
        }
        article.paragraphs = Text.paragraphs(lines.joined(separator: "\n"))
        // The editors' sign-off (`dpa wsz jln npr`) closes the text: not article prose.
        if let last = article.paragraphs.last, isSignOff(last) { article.paragraphs.removeLast() }
        if let first = article.paragraphs.first { article.dateline = agencyDateline(first) }
        return article
    }

    private static func readANPA(envelope: [String], text: [String], trailer: [String]) -> Article {
        var article = Article(headline: "", paragraphs: [])
        if envelope.count > 1 {
            // `f l  BC-LT--Argentina-CancerB     11-13 1049`: priority, category, keyword, date, word count.
            let fields = envelope[1].split(separator: " ")
            if let priority = fields.first, priority.count == 1 { article.urgency = anpaUrgency(priority.first!) }
            if fields.count > 2 { article.keywords.append(String(fields[2])) }
        }
        var paragraphs: [String] = []
        var current: [String] = []
        func flush() {
            let p = Text.collapse(current.joined(separator: " "))
            if !p.isEmpty { paragraphs.append(p) }
            current.removeAll()
        }
        for line in text {
            // Table rows start with a backspace (read as a space) before their `^`.
            let marked = line.drop(while: { $0 == " " })
            if marked.hasPrefix("^") {
                let content = stripMarker(String(marked.dropFirst()))
                if content.isEmpty { continue }
                if content.hasPrefix("BC-") || content.hasPrefix("AP Photo") || content.hasPrefix("Eds:")
                    || content.hasPrefix("EDITOR'S NOTE") || content.hasPrefix("AP Video") {
                    continue
                }
                if content.hasPrefix("By ") {
                    if article.byline == nil { article.byline = String(content.dropFirst(3)) }
                    continue
                }
                if article.headline.isEmpty && article.byline == nil {
                    article.headline = content
                    continue
                }
                if article.byline == nil && paragraphs.isEmpty && current.isEmpty {
                    continue  // an abstract between headline and byline repeats the lead
                }
                if article.byline != nil && paragraphs.isEmpty && current.isEmpty && !line.hasSuffix("<") {
                    continue  // the byline's title line: `^Associated Press=`
                }
                flush(); current.append(content); flush()
                continue
            }
            // Paragraphs start with a tab, table rows with a backspace (read as a space); wrapped lines with neither.
            if line.hasPrefix("\t") || line.hasPrefix(" ") || !Text.hasText(line) { flush() }
            current.append(line)
        }
        flush()
        // Trailing separators (`___`) and the end mark carry no text.
        while let last = paragraphs.last, !last.contains(where: { $0.isLetter || $0.isNumber }) { paragraphs.removeLast() }
        article.paragraphs = paragraphs
        if let first = paragraphs.first { article.dateline = agencyDateline(first) }
        for line in trailer { if let date = anpaTrailerDate(line) { article.date = date; break } }
        return article
    }

    private static func isSignOff(_ paragraph: String) -> Bool {
        let words = paragraph.split(separator: " ")
        return words.count <= 8 && words.allSatisfy { w in w.count <= 5 && w.allSatisfy { $0.isLowercase || $0 == "/" } }
    }

    private static func stripMarker(_ s: String) -> String {
        var t = Text.collapse(s)
        while let last = t.last, last == "=" || last == "<" { t.removeLast() }
        return Text.collapse(t)
    }

    /// ANPA priority letters: flash, bulletin, urgent, regular, deferred/advisory, ...
    private static func anpaUrgency(_ c: Character) -> Int? {
        switch c {
        case "f": return 1
        case "b": return 2
        case "u": return 3
        case "r": return 5
        case "s": return 6
        case "d", "a": return 7
        default: return nil
        }
    }

    /// `BUENOS AIRES, Argentina (AP) _ ...`, `Berlin (dpa) - ...`: the place before the agency tag.
    static func agencyDateline(_ paragraph: String) -> String? {
        guard let open = paragraph.firstIndex(of: "("), paragraph.distance(from: paragraph.startIndex, to: open) < 60,
              let close = paragraph[open...].firstIndex(of: ")") else { return nil }
        let agency = paragraph[paragraph.index(after: open)..<close]
        guard !agency.isEmpty, agency.count <= 12, !agency.contains(where: { $0.isNumber }) else { return nil }
        let after = paragraph[paragraph.index(after: close)...].drop(while: { $0 == " " })
        guard let dash = after.first, "-_—–".contains(dash) else { return nil }
        let place = Text.collapse(String(paragraph[..<open]))
        return place.isEmpty ? nil : place
    }

    /// `AP-WF-11-13-13 1509GMT`: month, day, two-digit year.
    private static func anpaTrailerDate(_ line: String) -> ArticleDate? {
        let parts = line.split(whereSeparator: { $0 == "-" || $0 == " " || $0 == "\t" })
        for (i, part) in parts.enumerated() where i + 2 < parts.count {
            guard part.count == 2, let m = Int(part), let d = Int(parts[i + 1]), parts[i + 1].count == 2,
                  parts[i + 2].count == 2, let y = Int(parts[i + 2]) else { continue }
            if let date = ArticleDate(year: 2000 + y, month: m, day: d) { return date }
        }
        return nil
    }
}
