/// RFC 822 / MIME e-mail: Subject is the headline (RFC 2047 encoded words decoded), From the byline, Date the
/// date, Message-ID the guid. The body is the first text part; multipart/alternative prefers text/plain and
/// falls back to text/html. Quoted-printable and base64 are decoded, then the part's declared charset.
enum EmailReader {
    static let format = "email"
    private static let maxNesting = 8
    private static let knownHeaders: Set<String> = [
        "from", "to", "subject", "date", "received", "return-path", "delivered-to", "message-id", "mime-version",
        "content-type", "reply-to", "cc", "x-mailer", "sender",
    ]

    static func looksLikeEmail(_ bytes: [UInt8], from start: Int) -> Bool {
        var known = 0
        var lineStart = start
        var lines = 0
        while lineStart < bytes.count, lines < 40 {
            let end = bytes[lineStart...].firstIndex(of: 0x0A) ?? bytes.endIndex
            let line = bytes[lineStart..<end]
            lines += 1
            lineStart = end + 1
            if line.allSatisfy({ $0 == 0x0D || $0 == 0x20 || $0 == 0x09 }) { break }
            if let first = line.first, first == 0x20 || first == 0x09 { continue }
            if lines == 1 && line.starts(with: Array("From ".utf8)) { continue }  // an mbox separator line
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > line.startIndex,
                  line[line.startIndex..<colon].allSatisfy({ isHeaderNameByte($0) }) else { return false }
            let name = String(decoding: line[line.startIndex..<colon], as: UTF8.self).lowercased()
            if knownHeaders.contains(name) { known += 1 }
        }
        return known >= 2
    }

    private static func isHeaderNameByte(_ b: UInt8) -> Bool {
        (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) || b == 0x2D || b == 0x5F
    }

    struct Part {
        var headers: [(name: String, value: String)]
        var body: ArraySlice<UInt8>

        func header(_ name: String) -> String? { headers.first { $0.name == name }?.value }
    }

    static func read(_ bytes: [UInt8]) throws(ReaderError) -> (Article, String, Bool) {
        var start = 0
        // Some exports pad the message with a line of spaces before the headers.
        while start < bytes.count, bytes[start] == 0x20 || bytes[start] == 0x0D || bytes[start] == 0x0A || bytes[start] == 0x09 { start += 1 }
        if bytes[start...].starts(with: Array("From ".utf8)), let end = bytes[start...].firstIndex(of: 0x0A) {
            start = end + 1  // an mbox separator line
        }
        let message = parsePart(bytes[start...])
        guard let body = try findText(message, depth: 0) else {
            throw ReaderError(format: format, reason: "no text/plain or text/html part")
        }
        let paragraphs = body.isHTML ? HTMLReader.fragmentParagraphs(body.text) : Text.paragraphs(withoutSignature(body.text))
        let subject = message.header("subject").map(decodeEncodedWords).map(Text.collapse) ?? ""
        var article = Article(headline: subject, paragraphs: paragraphs)
        let from = message.header("from").map(decodeEncodedWords)
        if let from { article.byline = displayName(from) }
        article.headline = headline(fromSubject: subject, senders: senderNames(
            from: from, sender: message.header("sender").map(decodeEncodedWords), listID: message.header("list-id").map(decodeEncodedWords)))
        article.setDate(message.header("date"))
        if let id = message.header("message-id") {
            article.guid = Text.collapse(id).trimmingCharacters(in: "<>")
        }
        article.language = message.header("content-language").map(Text.collapse)
        if let priority = message.header("x-priority"), let p = Int(priority.prefix(while: { $0.isNumber })) { article.urgency = p }
        if article.paragraphs.isEmpty { throw ReaderError(format: format, reason: "no text: the message body is empty") }
        if !Text.hasText(article.headline) { article.headline = FirstSentence.of(article.paragraphs[0]) }
        return (article, body.charset, body.fallback)
    }

    struct Body { var text: String; var isHTML: Bool; var charset: String; var fallback: Bool }

    private static func findText(_ part: Part, depth: Int) throws(ReaderError) -> Body? {
        guard depth <= maxNesting else { throw ReaderError(format: format, reason: "MIME parts nested too deep") }
        let (type, params) = contentType(part.header("content-type"))
        if type.hasPrefix("multipart/") {
            guard let boundary = params["boundary"], !boundary.isEmpty else {
                throw ReaderError(format: format, reason: "multipart without a boundary")
            }
            let parts = splitMultipart(part.body, boundary: boundary).map(parsePart)
            if type == "multipart/alternative" {
                var html: Body?
                for p in parts {
                    guard let b = try findText(p, depth: depth + 1) else { continue }
                    if !b.isHTML { return b }
                    if html == nil { html = b }
                }
                return html
            }
            for p in parts {
                let disposition = p.header("content-disposition")?.lowercased() ?? ""
                if disposition.hasPrefix("attachment") { continue }
                if let b = try findText(p, depth: depth + 1) { return b }
            }
            return nil
        }
        guard type.isEmpty || type == "text/plain" || type == "text/html" else { return nil }
        let raw = decodeTransfer(part.body, encoding: part.header("content-transfer-encoding")?.lowercased() ?? "")
        let decoded: TextDecoding.Decoded
        do {
            decoded = try TextDecoding.decode(raw, declared: params["charset"])
        } catch {
            throw ReaderError(format: format, reason: "\(error), declared by the MIME part's Content-Type")
        }
        return Body(text: decoded.text, isHTML: type == "text/html", charset: decoded.encoding, fallback: decoded.usedFallback)
    }

    // MARK: - Structure

    /// Headers (unfolded, names lower-cased) up to the first blank line, then the body.
    static func parsePart(_ bytes: ArraySlice<UInt8>) -> Part {
        var headers: [(name: String, value: String)] = []
        var i = bytes.startIndex
        var current: [UInt8] = []
        func commit() {
            guard !current.isEmpty else { return }
            if let colon = current.firstIndex(of: UInt8(ascii: ":")) {
                let name = String(decoding: current[..<colon], as: UTF8.self).lowercased().trimmingCharacters(in: " \t")
                let value = TextDecoding.decode(Array(current[(colon + 1)...])).text
                headers.append((name, Text.collapse(value)))
            }
            current.removeAll()
        }
        while i < bytes.endIndex {
            let end = bytes[i...].firstIndex(of: 0x0A) ?? bytes.endIndex
            var line = bytes[i..<end]
            if line.last == 0x0D { line = line.dropLast() }
            i = end < bytes.endIndex ? end + 1 : end
            if line.isEmpty { break }
            if line.first == 0x20 || line.first == 0x09 {
                current.append(0x20)
                current.append(contentsOf: line.drop(while: { $0 == 0x20 || $0 == 0x09 }))
            } else {
                commit()
                current.append(contentsOf: line)
            }
        }
        commit()
        return Part(headers: headers, body: bytes[i...])
    }

    static func contentType(_ value: String?) -> (String, [String: String]) {
        guard let value else { return ("", [:]) }
        let pieces = value.split(separator: ";")
        let type = pieces.first.map { Text.collapse(String($0)).lowercased() } ?? ""
        var params: [String: String] = [:]
        for piece in pieces.dropFirst() {
            guard let eq = piece.firstIndex(of: "=") else { continue }
            let key = Text.collapse(String(piece[..<eq])).lowercased()
            let v = Text.collapse(String(piece[piece.index(after: eq)...])).trimmingCharacters(in: "\"'")
            params[key] = v
        }
        return (type, params)
    }

    /// The parts between `--boundary` lines, up to `--boundary--`.
    static func splitMultipart(_ body: ArraySlice<UInt8>, boundary: String) -> [ArraySlice<UInt8>] {
        let marker = Array(("--" + boundary).utf8)
        var parts: [ArraySlice<UInt8>] = []
        var partStart: Int?
        var i = body.startIndex
        while i < body.endIndex {
            let end = body[i...].firstIndex(of: 0x0A) ?? body.endIndex
            let line = body[i..<end]
            let next = end < body.endIndex ? end + 1 : end
            if line.starts(with: marker) {
                if let s = partStart { parts.append(body[s..<i]) }
                let rest = line.dropFirst(marker.count)
                if rest.starts(with: [0x2D, 0x2D]) { return parts }
                partStart = next
            }
            i = next
        }
        if let s = partStart, s < body.endIndex { parts.append(body[s...]) }
        return parts
    }

    // MARK: - Encodings

    static func decodeTransfer(_ body: ArraySlice<UInt8>, encoding: String) -> [UInt8] {
        if encoding.contains("quoted-printable") { return quotedPrintable(body, underscoreIsSpace: false) }
        if encoding.contains("base64") { return base64(body) }
        return Array(body)
    }

    static func quotedPrintable<C: Collection>(_ bytes: C, underscoreIsSpace: Bool) -> [UInt8] where C.Element == UInt8 {
        let input = Array(bytes)
        var out: [UInt8] = []
        out.reserveCapacity(input.count)
        var i = 0
        while i < input.count {
            let b = input[i]
            if b == UInt8(ascii: "=") {
                if i + 2 < input.count {
                    if let h = hex(input[i + 1]), let l = hex(input[i + 2]) { out.append(h << 4 | l); i += 3; continue }
                }
                // Soft line break: `=` at the end of a line.
                var j = i + 1
                while j < input.count, input[j] == 0x20 || input[j] == 0x09 { j += 1 }
                if j < input.count, input[j] == 0x0D { j += 1 }
                if j < input.count, input[j] == 0x0A { i = j + 1; continue }
                if j >= input.count { break }
            }
            out.append(underscoreIsSpace && b == UInt8(ascii: "_") ? 0x20 : b)
            i += 1
        }
        return out
    }

    private static func hex(_ b: UInt8) -> UInt8? {
        switch b {
        case 0x30...0x39: return b - 0x30
        case 0x41...0x46: return b - 0x41 + 10
        case 0x61...0x66: return b - 0x61 + 10
        default: return nil
        }
    }

    static func base64<C: Collection>(_ bytes: C) -> [UInt8] where C.Element == UInt8 {
        var out: [UInt8] = []
        var accumulator: UInt32 = 0, bits = 0
        for b in bytes {
            let v: UInt32
            switch b {
            case 0x41...0x5A: v = UInt32(b - 0x41)
            case 0x61...0x7A: v = UInt32(b - 0x61 + 26)
            case 0x30...0x39: v = UInt32(b - 0x30 + 52)
            case UInt8(ascii: "+"), UInt8(ascii: "-"): v = 62
            case UInt8(ascii: "/"), UInt8(ascii: "_"): v = 63
            default: continue
            }
            accumulator = accumulator << 6 | v
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8((accumulator >> UInt32(bits)) & 0xFF))
            }
        }
        return out
    }

    /// RFC 2047: `=?charset?Q?...?=` and `=?charset?B?...?=`; white space between adjacent encoded words is dropped.
    static func decodeEncodedWords(_ value: String) -> String {
        guard value.contains("=?") else { return value }
        var result = ""
        var rest = Substring(value)
        var pendingSpace = ""
        var lastWasEncoded = false
        while let start = rest.firstRange(of: "=?") {
            let before = rest[..<start.lowerBound]
            let afterStart = rest[start.upperBound...]
            let fields = afterStart.split(separator: "?", maxSplits: 3, omittingEmptySubsequences: false)
            guard fields.count == 4, fields[3].hasPrefix("="),
                  ["q", "b"].contains(fields[1].lowercased()) else {
                result += pendingSpace + before + "=?"
                pendingSpace = ""
                rest = afterStart
                lastWasEncoded = false
                continue
            }
            let charset = String(fields[0].split(separator: "*").first ?? "")
            let payload = fields[2].utf8
            let raw = fields[1].lowercased() == "q" ? quotedPrintable(payload, underscoreIsSpace: true) : base64(payload)
            // An encoded word in a charset iconv does not know stays as written, visibly, not guessed at.
            guard let text = (try? TextDecoding.decode(raw, declared: charset))?.text else {
                result += pendingSpace + before + "=?" + afterStart.prefix(fields[0].count + fields[1].count + fields[2].count + 4)
                pendingSpace = ""
                rest = fields[3].dropFirst()
                lastWasEncoded = false
                continue
            }
            if !(lastWasEncoded && before.allSatisfy({ $0 == " " || $0 == "\t" })) { result += before }
            result += text
            pendingSpace = ""
            lastWasEncoded = true
            rest = fields[3].dropFirst()
        }
        return result + rest
    }

    /// The text above the signature delimiter (`-- ` on a line of its own, RFC 3676).
    static func withoutSignature(_ text: String) -> String {
        var kept: [Substring] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.hasSuffix("\r") ? line.dropLast() : line
            if trimmed == "-- " || trimmed == "--" { break }
            kept.append(line)
        }
        return kept.joined(separator: "\n")
    }

    /// The names a newsletter or a list goes by, from its headers: the From and Sender display names, the
    /// List-Id's name and its identifier's first label (`<morning-briefing.lists.example.com>`), and the
    /// sending address's mailbox and domain labels (`briefing@thetimes.example` gives `briefing`, `thetimes`).
    static func senderNames(from: String?, sender: String?, listID: String?) -> [String] {
        var names: [String] = []
        for header in [from, sender, listID].compactMap({ $0 }) {
            if let lt = header.firstIndex(of: "<"), let name = displayName(String(header[..<lt])), !name.contains("@") {
                names.append(name)
            }
            let address = header.firstIndex(of: "<").map { header[header.index(after: $0)...].prefix { $0 != ">" } } ?? Substring(header)
            let labels: [Substring]
            if let at = address.firstIndex(of: "@") {
                // Generic mailboxes (news@, noreply@) and providers say nothing of the sender: left out below.
                labels = [address[..<at], address[address.index(after: at)...].split(separator: ".").first ?? ""]
            } else if header == listID {
                labels = [address.split(separator: ".").first ?? ""]
            } else {
                labels = []
            }
            names += labels.map { Text.collapse(String($0)) }.filter { $0.count >= 4 && !genericMailboxes.contains($0.lowercased()) }
        }
        return names
    }

    private static let genericMailboxes: Set<String> = [
        "news", "newsletter", "newsletters", "info", "noreply", "no-reply", "donotreply", "do-not-reply", "mail", "email",
        "hello", "contact", "support", "team", "updates", "alerts", "editor", "editors", "desk", "list", "lists", "mailer",
        "bounce", "bounces", "gmail", "yahoo", "outlook", "hotmail", "googlemail",
    ]

    /// The subject without what a mail client, a newsletter or a mailing list puts around the story's title:
    /// `Fwd:`/`Re:` markers, leading `[List]` tags, and a newsletter's or list's own name before or after a
    /// separator (`Morning Briefing: Markets fall`, `The Week | Markets fall`, `Markets fall | The Week`).
    /// A name matches one of `senders` when, letters and digits only, one starts with the other (the
    /// newsletter `The Times Morning Briefing` from `The Times`; `Morning Briefing` from `Morning Briefing
    /// from The Times`; `Daily Brief` from `dailybrief@...`). Nothing is cut that would leave no headline.
    static func headline(fromSubject subject: String, senders: [String]) -> String {
        var rest = Substring(subject)
        var changed = true
        while changed {
            changed = false
            if let marker = replyMarker(rest) { rest = marker; changed = true }
            if rest.first == "[", let close = rest.firstIndex(of: "]") {
                let after = rest[rest.index(after: close)...].drop { $0 == " " }
                if Text.hasText(String(after)) { rest = after; changed = true }
            }
            if let title = withoutName(rest, senders: senders) { rest = title; changed = true }
        }
        return String(rest)
    }

    /// `Fwd: x`, `FW: x`, `Re: x`, `AW: x`, `WG: x`, `TR: x` without the marker, when text is left.
    private static func replyMarker(_ subject: Substring) -> Substring? {
        guard let colon = subject.firstIndex(of: ":") else { return nil }
        let marker = subject[..<colon].lowercased()
        guard ["fwd", "fw", "re", "aw", "wg", "tr", "fwd.", "réf"].contains(marker) else { return nil }
        let after = subject[subject.index(after: colon)...].drop { $0 == " " }
        return Text.hasText(String(after)) ? after : nil
    }

    private static let separators: Set<Character> = [":", "|", "-", "\u{2013}", "\u{2014}", "\u{00B7}"]

    /// The subject without a sender's name before (or, for `|` and dashes, after) a separator; nil if none.
    private static func withoutName(_ subject: Substring, senders: [String]) -> Substring? {
        let keys = senders.map(letters).filter { $0.count >= 3 }
        guard !keys.isEmpty else { return nil }
        // Leading: the first separator; a dash only with a space before it ("BBC-funded study" is a title).
        var i = subject.startIndex
        while i < subject.endIndex {
            let c = subject[i]
            if separators.contains(c), c == ":" || c == "|" || (i > subject.startIndex && subject[subject.index(before: i)] == " ") {
                let name = subject[..<i]
                let title = subject[subject.index(after: i)...].drop { $0 == " " }
                if Text.hasText(String(title)), isSenderName(name, keys) { return title }
                break
            }
            i = subject.index(after: i)
        }
        // Trailing: `Title | Name`, `Title - Name` (a colon before a name would be the name's quote).
        for separator in [" | ", " - ", " \u{2013} ", " \u{2014} "] {
            guard let range = subject.ranges(of: separator).last else { continue }
            let title = subject[..<range.lowerBound]
            if Text.hasText(String(title)), isSenderName(subject[range.upperBound...], keys) { return title }
        }
        return nil
    }

    /// Whether `name` is a newsletter's name: at most six words, and its letters start the sender's or the
    /// sender's start it (a one-word piece only when it is at least half of the sender's name).
    private static func isSenderName(_ name: Substring, _ keys: [String]) -> Bool {
        let words = name.split(separator: " ")
        guard !words.isEmpty, words.count <= 6 else { return false }
        let key = letters(String(name))
        guard key.count >= 3 else { return false }
        // The name's first words, as letters: `The Times Morning Briefing` gives `the`, `thetimes`, ...
        var starts: Set<String> = []
        var joined = ""
        for word in words {
            joined += letters(String(word))
            starts.insert(joined)
        }
        return keys.contains { sender in
            if starts.contains(sender) { return true }
            return sender.hasPrefix(key) && (words.count > 1 || key.count * 2 >= sender.count)
        }
    }

    /// Lower-cased letters and digits only: `The Week` gives `theweek`.
    private static func letters(_ s: String) -> String {
        String(String.UnicodeScalarView(s.lowercased().unicodeScalars.filter { $0.properties.isAlphabetic || ("0"..."9").contains($0) }))
    }

    /// `"Jane Doe" <jane@example.com>` gives `Jane Doe`; a bare address is kept.
    static func displayName(_ from: String) -> String? {
        var name = from
        if let lt = from.firstIndex(of: "<") { name = String(from[..<lt]) }
        name = Text.collapse(name).trimmingCharacters(in: "\"' ")
        if name.isEmpty { name = Text.collapse(from).trimmingCharacters(in: "<> ") }
        return name.isEmpty ? nil : name
    }
}
