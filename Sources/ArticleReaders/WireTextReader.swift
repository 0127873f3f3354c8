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

    /// One article per story. A file may carry several messages (SOH ... EOT): a long story comes in takes, each
    /// its own message with the same keyword (slug) or an `Add`/`take` marker in its heading, and these are
    /// joined in order; a message with another keyword is another story.
    static func read(_ bytes: [UInt8], anpa: Bool) throws(ReaderError) -> (String, [Article], String, Bool) {
        let format = anpa ? "anpa1312" : "iptc7901"
        guard bytes.contains(stx) else { throw ReaderError(format: format, reason: "no STX: the text block is missing") }
        let decoded = TextDecoding.decode(bytes)
        var stories: [(article: Article, slug: String)] = []
        for message in messages(bytes) {
            guard let start = message.firstIndex(of: stx) else { continue }
            let end = message[start...].firstIndex(of: etx) ?? message.endIndex
            let envelope = decodeLines(message[..<start])
            let text = decodeLines(message[(start + 1)..<end])
            let trailer = end < message.endIndex ? decodeLines(message[(end + 1)...]) : []
            let slug = anpa ? anpaSlug(envelope) : envelope.dropFirst().map { Text.collapse($0) }.joined(separator: "/")
            let continues = !stories.isEmpty && ((!slug.isEmpty && slug == stories[stories.count - 1].slug) || marksTake(text))
            let article = anpa ? readANPA(envelope: envelope, text: text, trailer: trailer)
                : read7901(envelope: envelope, text: text, continuation: continues)
            if continues {
                stories[stories.count - 1].article.paragraphs += article.paragraphs
            } else {
                stories.append((article, slug))
            }
        }
        var articles: [Article] = []
        for var (article, _) in stories where !article.paragraphs.isEmpty {
            if !Text.hasText(article.headline) { article.headline = FirstSentence.of(article.paragraphs[0]) }
            articles.append(article)
        }
        if articles.isEmpty { throw ReaderError(format: format, reason: "no text: the body is empty") }
        return (format, articles, decoded.encoding, decoded.usedFallback)
    }

    /// The messages of a file: each starts at an SOH (ANPA's SYN SYN before it belongs to the message).
    private static func messages(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        var starts = bytes.indices.filter { bytes[$0] == soh }
        if starts.first != bytes.startIndex { starts.insert(bytes.startIndex, at: 0) }
        return starts.indices.map { i in bytes[starts[i]..<(i + 1 < starts.count ? starts[i + 1] : bytes.endIndex)] }
    }

    /// ANPA's keyword (`BC-LT--Argentina-CancerB`) without the trailing cycle letter that changes between takes.
    private static func anpaSlug(_ envelope: [String]) -> String {
        guard envelope.count > 1 else { return "" }
        let fields = envelope[1].split(separator: " ")
        guard fields.count > 2 else { return "" }
        var slug = String(fields[2])
        if slug.count > 4, let last = slug.last, last.isUppercase, let before = slug.dropLast().last, before.isLowercase {
            slug.removeLast()
        }
        return slug
    }

    /// Whether a message's first lines mark it as a later take of a story: a short line with `1st Add`,
    /// `2nd take`, `Add 2`, `take 3`, or the German and French `Fortsetzung`, `suite`. (A `2nd Lead` is a new
    /// version of the story, not a continuation.)
    private static func marksTake(_ text: [String]) -> Bool {
        let ordinals: Set<Substring> = ["first", "second", "third", "fourth", "fifth"]
        for line in text.prefix(4) {
            let words = line.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber })
            guard words.count <= 8 else { continue }
            for (i, word) in words.enumerated() {
                if word == "fortsetzung" || word == "suite" { return true }
                guard word == "add" || word == "take" else { continue }
                for neighbour in [i > 0 ? words[i - 1] : "", i + 1 < words.count ? words[i + 1] : ""] {
                    if neighbour.first?.isNumber == true || ordinals.contains(neighbour) { return true }
                }
            }
        }
        return false
    }

    /// Lines of text, each decoded (UTF-8, else Windows-1252), CR and control characters other than tab removed.
    private static func decodeLines(_ slice: ArraySlice<UInt8>) -> [String] {
        let cleaned = slice.filter { $0 >= 0x20 || $0 == 0x0A || $0 == 0x09 || $0 == 0x08 || $0 == 0x1E || $0 == 0x1F }
            .map { $0 == 0x08 || $0 == 0x1E || $0 == 0x1F ? 0x20 : $0 }
        let text = TextDecoding.decode(cleaned).text
        return text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    private static func read7901(envelope: [String], text: [String], continuation: Bool = false) -> Article {
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
        // A later take has no headline of its own: a first block without a `... =` line is its first paragraph.
        if continuation, !heading.contains(where: { $0.hasSuffix("=") }) {
            lines = text[...]
            heading = []
        }
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
