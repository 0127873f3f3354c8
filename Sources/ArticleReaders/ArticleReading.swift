import Glibc
public import NewsCore

/// The entry point: sniff the format from the content (the file name is only a hint) and read it.
///
/// Sniffing, in order: gzip magic (decompressed, bounded, then sniffed again); a byte-order mark; NUL bytes
/// (binary, refused); SYN/SOH control characters (ANPA-1312, IPTC 7901); `<` (XML by root element: nitf,
/// newsItem/packageItem/newsMessage, NewsML; HTML when it says so or does not parse as XML); `{`/`[` (ninjs);
/// an RFC 822 header block (e-mail); anything else is plain text (the seed's `date` format or prose).
public enum ArticleReading {
    /// Initialises libxml2 once. Call before starting worker threads; `read` also calls it.
    public static func prepare() {
        _ = LibXML.initialized
    }

    public static func read(_ input: ReadInput, limits: ReadLimits = ReadLimits(), deadline: Deadline = .never) throws(ReaderError) -> ReadResult {
        var bytes = input.bytes
        if bytes.isEmpty { throw ReaderError(format: "unknown", reason: "empty file") }
        guard Gzip.isGzip(bytes) else { return try readUncompressed(bytes, input: input, deadline: deadline) }
        bytes = try Gzip.decompress(bytes, maxBytes: limits.maxDecompressedBytes)
        try check(deadline, format: "gzip")
        if bytes.isEmpty { throw ReaderError(format: "gzip", reason: "empty file after decompression") }
        if Gzip.isGzip(bytes) { throw ReaderError(format: "gzip", reason: "nested compression is not accepted") }
        do throws(ReaderError) {
            var result = try readUncompressed(bytes, input: input, deadline: deadline)
            result.format = "gzip+" + result.format
            return result
        } catch {
            throw ReaderError(format: "gzip+" + error.format, reason: error.reason)
        }
    }

    enum Sniffed: Equatable { case xml, html, json, anpa, iptc7901, email, text }

    /// The deadline as a reader failure: parsing is bounded by the limits, but a page's extraction is skipped
    /// when the item's time is already spent.
    static func check(_ deadline: Deadline, format: String) throws(ReaderError) {
        do { try deadline.check("read") } catch { throw ReaderError(format: format, reason: error.description) }
    }

    static func readUncompressed(_ raw: [UInt8], input: ReadInput, deadline: Deadline) throws(ReaderError) -> ReadResult {
        var bytes = raw
        var bomEncoding: String?
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
            // UTF-16: transcode once, then every reader sees UTF-8.
            let decoded = TextDecoding.decode(bytes)
            bomEncoding = decoded.encoding
            bytes = Array(decoded.text.utf8)
        } else if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            bytes.removeFirst(3)
        }
        if containsNUL(bytes) { throw ReaderError(format: "unknown", reason: "binary content (NUL bytes)") }

        let kind = sniff(bytes, fileName: input.fileName)
        switch kind {
        case .xml, .html:
            return try MarkupReading.read(bytes, sniffed: kind, input: input, bomEncoding: bomEncoding, deadline: deadline)
        case .json:
            // JSON is UTF-8 (RFC 8259); UTF-16 was transcoded above, anything else fails as invalid JSON.
            let articles = try NinjsReader.read(bytes)
            return finish(ReadResult(format: NinjsReader.format, articles: articles, encoding: bomEncoding ?? "utf-8",
                                     encodingFallback: false), input: input)
        case .anpa, .iptc7901:
            let (format, articles, encoding, fallback) = try WireTextReader.read(bytes, anpa: kind == .anpa)
            return finish(ReadResult(format: format, articles: articles, encoding: bomEncoding ?? encoding, encodingFallback: fallback), input: input)
        case .email:
            let (article, encoding, fallback) = try EmailReader.read(bytes)
            return finish(ReadResult(format: EmailReader.format, articles: [article], encoding: bomEncoding ?? encoding, encodingFallback: fallback), input: input)
        case .text:
            let decoded = TextDecoding.decode(bytes)
            if decoded.usedFallback && looksBinary(bytes) {
                throw ReaderError(format: "unknown", reason: "binary content (not text in UTF-8 or Windows-1252: too many control and high bytes)")
            }
            if !Text.hasText(decoded.text) {
                throw ReaderError(format: "text", reason: "no text: the file is white space or control characters only")
            }
            let (format, article) = try PlainTextReader.read(decoded.text, fileDate: input.fileDate)
            return ReadResult(format: format, articles: [article], encoding: bomEncoding ?? decoded.encoding, encodingFallback: decoded.usedFallback)
        }
    }

    /// Bytes that are not valid UTF-8 are decoded as Windows-1252, which accepts anything: tell prose
    /// with a few Latin-1 letters from binary. A Latin-1 article has a few percent of bytes at or above
    /// 0x80 and next to no C0 controls; random bytes have about half and an eighth.
    static func looksBinary(_ bytes: [UInt8]) -> Bool {
        var high = 0, control = 0
        for b in bytes {
            if b >= 0x80 { high += 1 } else if b < 0x20 && b != 0x09 && b != 0x0A && b != 0x0D && b != 0x0C { control += 1 }
        }
        return high * 100 > bytes.count * 30 || control * 100 > bytes.count * 2
    }

    private static func containsNUL(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return false }
            return memchr(base, 0, buffer.count) != nil
        }
    }

    /// Articles without a date in the content get the file's time, flagged as such.
    static func finish(_ result: ReadResult, input: ReadInput) -> ReadResult {
        var result = result
        for i in result.articles.indices where result.articles[i].date == nil {
            if let fileDate = input.fileDate {
                result.articles[i].date = fileDate
                result.articles[i].dateSource = .fileTime
            }
        }
        return result
    }

    static func sniff(_ bytes: [UInt8], fileName: String) -> Sniffed {
        var i = 0
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x09 || bytes[i] == 0x0A || bytes[i] == 0x0D { i += 1 }
        guard i < bytes.count else { return .text }
        let lowerName = fileName.lowercased()
        switch bytes[i] {
        case 0x16:
            return .anpa
        case 0x01:
            // ANPA puts a 0x1F (US) after the service/selector header; IPTC 7901 has a plain header line.
            let header = bytes[i..<min(bytes.count, i + 80)]
            let lineEnd = header.firstIndex(where: { $0 == 0x0A || $0 == 0x0D }) ?? header.endIndex
            return header[..<lineEnd].contains(0x1F) ? .anpa : .iptc7901
        case UInt8(ascii: "<"):
            // `<<< URGENT >>>` and the like: text that merely starts with a bracket.
            if MarkupReading.firstElementName(Array(bytes[i..<min(bytes.count, i + 4096)])).isEmpty { return .text }
            let head = String(decoding: bytes[i..<min(bytes.count, i + 2048)], as: UTF8.self).lowercased()
            if head.hasPrefix("<!doctype html") || head.hasPrefix("<html") { return .html }
            if lowerName.hasSuffix(".html") || lowerName.hasSuffix(".htm") { return .html }
            return .xml
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            return .json
        default:
            return EmailReader.looksLikeEmail(bytes, from: i) || lowerName.hasSuffix(".eml") ? .email : .text
        }
    }
}

/// XML by root element, and HTML.
enum MarkupReading {
    static func read(_ raw: [UInt8], sniffed: ArticleReading.Sniffed, input: ReadInput, bomEncoding: String?,
                     deadline: Deadline) throws(ReaderError) -> ReadResult {
        let (bytes, reported, fallback) = try utf8Input(raw, html: sniffed == .html, bomEncoding: bomEncoding)
        let encoding = "UTF-8"
        if sniffed == .html { return try html(bytes, encoding: encoding, reported: reported, fallback: fallback, input: input, deadline: deadline) }
        let tree: MarkupTree
        do throws(ReaderError) {
            tree = try LibXML.parseXML(bytes, encoding: encoding, format: "xml")
        } catch {
            // Not XML, but tag soup that starts like an HTML page: recover it as HTML. Broken news XML fails.
            if htmlElements.contains(firstElementName(bytes)) {
                return try html(bytes, encoding: encoding, reported: reported, fallback: fallback, input: input, deadline: deadline)
            }
            throw error
        }
        let articles: [Article]
        let format: String
        switch tree.name(tree.root) {
        case "nitf":
            format = NITFReader.format
            articles = [try NITFReader.read(tree, nitf: tree.root)]
        case "newsItem", "packageItem", "newsMessage":
            format = NewsMLG2Reader.format
            articles = try NewsMLG2Reader.read(tree)
        case "NewsML":
            format = NewsML12Reader.format
            articles = try NewsML12Reader.read(tree)
        case "html":
            return try html(bytes, encoding: encoding, reported: reported, fallback: fallback, input: input, deadline: deadline)
        case let other:
            // A fragment that wraps NITF (a NewsML-G2 contentSet or inlineXML on its own).
            if let nitf = tree.firstDescendant(of: tree.root, named: "nitf") {
                format = NITFReader.format
                articles = [try NITFReader.read(tree, nitf: nitf)]
                break
            }
            throw ReaderError(format: "xml", reason: "unknown XML document type (root element <\(other)>)")
        }
        return ArticleReading.finish(ReadResult(format: format, articles: articles, encoding: reported, encodingFallback: fallback), input: input)
    }

    private static func html(_ bytes: [UInt8], encoding: String?, reported: String, fallback: Bool, input: ReadInput,
                             deadline: Deadline) throws(ReaderError) -> ReadResult {
        let article = try HTMLReader.read(bytes, encoding: encoding, deadline: deadline)
        return ArticleReading.finish(ReadResult(format: HTMLReader.format, articles: [article], encoding: reported, encodingFallback: fallback), input: input)
    }

    private static let htmlElements: Set<String> = ["html", "head", "body", "title", "meta", "div", "p", "link", "script", "style"]

    /// The first element's name, lower-cased, after the XML declaration, comments and DOCTYPE.
    static func firstElementName(_ bytes: [UInt8]) -> String {
        var i = 0
        while i < bytes.count {
            guard let open = bytes[i...].firstIndex(of: UInt8(ascii: "<")), open + 1 < bytes.count else { return "" }
            let next = bytes[open + 1]
            if next == UInt8(ascii: "?") || next == UInt8(ascii: "!") {
                i = (bytes[open...].firstIndex(of: UInt8(ascii: ">")) ?? bytes.count) + 1
                continue
            }
            let name = bytes[(open + 1)...].prefix { ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) }
            return String(decoding: name, as: UTF8.self).lowercased()
        }
        return ""
    }

    /// The bytes as UTF-8 for libxml2, and the charset to report: valid UTF-8 is read as UTF-8 whatever the
    /// declaration says (a wrong declaration is the common failure); other bytes are decoded from their
    /// declared charset by iconv(3); undeclared (or invalid in what they declare) from Windows-1252, as a
    /// fallback. A declared charset iconv does not know fails the article with its name.
    static func utf8Input(_ bytes: [UInt8], html: Bool, bomEncoding: String?) throws(ReaderError)
        -> (bytes: [UInt8], reported: String, fallback: Bool) {
        if let bomEncoding { return (bytes, bomEncoding, false) }
        if bytes.isValidUTF8 { return (bytes, "utf-8", false) }
        let declared = declaredCharset(bytes, html: html)
        do {
            let decoded = try TextDecoding.decode(bytes, declared: declared)
            return (Array(decoded.text.utf8), decoded.encoding, decoded.usedFallback)
        } catch {
            let where_ = html ? "the page's <meta charset>" : "the XML declaration"
            throw ReaderError(format: html ? HTMLReader.format : "xml", reason: "\(error), declared by \(where_)")
        }
    }

    /// `encoding="..."` in an XML declaration, or `charset=...` in the first 4 KiB of HTML.
    static func declaredCharset(_ bytes: [UInt8], html: Bool) -> String? {
        let head = String(decoding: bytes.prefix(html ? 4096 : 256), as: UTF8.self).lowercased()
        let key = html ? "charset=" : "encoding="
        guard let range = head.firstRange(of: key) else { return nil }
        var rest = head[range.upperBound...].drop(while: { $0 == "\"" || $0 == "'" || $0 == " " })
        rest = rest.prefix(while: { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ":" || $0 == "." })
        return rest.isEmpty ? nil : String(rest)
    }
}
