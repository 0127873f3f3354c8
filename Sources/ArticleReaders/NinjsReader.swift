import FoundationEssentials

/// IPTC ninjs 1.x (`headline`, `body_text`, `body_html`, `byline`, lower-case keys), 2.x and 3.x (`headlines[]`,
/// `bodies[]`, `by`, camel-case keys). A wrapper `{"item": [...]}` or a top-level array yields several articles.
/// A JSON Schema (`$schema` with `properties`/`$defs`) is refused as "not an article".
enum NinjsReader {
    static let format = "ninjs"
    /// Deeper JSON is refused before parsing: no news item nests this deep.
    static let maxDepth = 256

    static func read(_ bytes: [UInt8]) throws(ReaderError) -> [Article] {
        try checkDepth(bytes)
        let json: Any
        do {
            json = try JSONTree.parse(bytes)
        } catch {
            throw ReaderError(format: format, reason: "not valid JSON (\(error))")
        }
        var objects: [[String: Any]] = []
        if let list = json as? [Any] {
            objects = list.compactMap { $0 as? [String: Any] }
        } else if let object = json as? [String: Any] {
            if object["$schema"] != nil || object["$defs"] != nil || (object["properties"] is [String: Any] && object["required"] != nil) {
                throw ReaderError(format: format, reason: "not an article: the file is a JSON Schema")
            }
            if let items = object["item"] as? [Any] ?? object["items"] as? [Any] {
                objects = items.compactMap { $0 as? [String: Any] }
            } else {
                objects = [object]
            }
        }
        guard !objects.isEmpty else { throw ReaderError(format: format, reason: "not an article: no JSON object") }
        var articles: [Article] = []
        var lastError: ReaderError?
        for object in objects {
            do throws(ReaderError) { articles.append(try article(object)) } catch { lastError = error }
        }
        if articles.isEmpty, let lastError { throw lastError }
        return articles
    }

    private static func checkDepth(_ bytes: [UInt8]) throws(ReaderError) {
        var depth = 0, inString = false, escaped = false
        for b in bytes {
            if inString {
                if escaped { escaped = false } else if b == 0x5C { escaped = true } else if b == 0x22 { inString = false }
                continue
            }
            switch b {
            case 0x22: inString = true
            case 0x7B, 0x5B:
                depth += 1
                if depth > maxDepth { throw ReaderError(format: format, reason: "nesting too deep (limit \(maxDepth) levels)") }
            case 0x7D, 0x5D: depth -= 1
            default: break
            }
        }
    }

    private static func string(_ object: [String: Any], _ keys: String...) -> String? {
        for key in keys {
            if let s = object[key] as? String, Text.hasText(s) { return s }
            if let n = object[key] as? Int { return String(n) }
        }
        return nil
    }

    private static func int(_ object: [String: Any], _ keys: String...) -> Int? {
        for key in keys {
            if let n = object[key] as? Int { return n }
            if let s = object[key] as? String, let n = Int(s) { return n }
        }
        return nil
    }

    /// The value of the first entry with one of `roles`, else of the first entry.
    private static func pick(_ list: Any?, roles: [String]) -> [String: Any]? {
        guard let list = (list as? [Any])?.compactMap({ $0 as? [String: Any] }), !list.isEmpty else { return nil }
        for role in roles {
            if let hit = list.first(where: { ($0["role"] as? String)?.lowercased() == role }) { return hit }
        }
        return list[0]
    }

    static func article(_ o: [String: Any]) throws(ReaderError) -> Article {
        let headline = string(o, "headline")
            ?? pick(o["headlines"], roles: ["main", "headline"]).flatMap { string($0, "value") }
            ?? string(o, "title") ?? ""
        var article = Article(headline: Text.collapse(headline), paragraphs: [])
        article.guid = string(o, "uri", "guid")
        article.version = int(o, "version")
        article.byline = string(o, "byline", "by").flatMap(XMLReaders.byline)
        article.dateline = string(o, "located").map(Text.collapse)
        article.language = string(o, "language", "lang")
        article.provider = string(o, "copyrightholder", "copyrightHolder", "source").map(Text.collapse)
        article.urgency = int(o, "urgency", "priority")
        article.status = XMLReaders.status(string(o, "pubstatus", "pubStatus"))
        if !article.setDate(string(o, "firstcreated", "firstCreated")) {
            article.setDate(string(o, "versioncreated", "versionCreated"))
        }
        for key in ["subject", "subjects"] {
            for s in (o[key] as? [Any] ?? []).compactMap({ $0 as? [String: Any] }) {
                if let code = string(s, "code", "uri", "literal", "name") { article.subjects.append(code) }
            }
        }
        article.keywords = (o["keywords"] as? [Any] ?? []).compactMap { $0 as? String }

        article.paragraphs = try body(o)
        if article.paragraphs.isEmpty {
            // Some feeds send the text as the description only.
            if let d = string(o, "description_text") ?? pick(o["descriptions"], roles: ["text", "body"]).flatMap({ string($0, "value") }) {
                article.paragraphs = Text.bodyParagraphs(d)
            }
        }
        if !Text.hasText(article.headline), let first = article.paragraphs.first {
            article.headline = FirstSentence.of(first)
        }
        try XMLReaders.requireText(article, format: format)
        return article
    }

    private static func body(_ o: [String: Any]) throws(ReaderError) -> [String] {
        if let text = string(o, "body_text") {
            let p = Text.bodyParagraphs(text)
            if !p.isEmpty { return p }
        }
        for key in ["body_html", "body_xhtml"] {
            if let html = string(o, key) { return HTMLReader.fragmentParagraphs(html) }
        }
        guard let bodies = (o["bodies"] as? [Any])?.compactMap({ $0 as? [String: Any] }), !bodies.isEmpty else { return [] }
        // Prefer plain text, then HTML, then NITF.
        let ordered = bodies.sorted { rank($0) < rank($1) }
        for b in ordered {
            guard let value = string(b, "value") else { continue }
            let type = (string(b, "contentType", "contenttype") ?? "").lowercased()
            let role = (string(b, "role") ?? "").lowercased()
            if type.contains("nitf") || role == "nitf" {
                let tree = try LibXML.parseXML(Array(value.utf8), encoding: "UTF-8", format: format)
                var fromNITF = Article(headline: "", paragraphs: [])
                if let nitf = tree.name(tree.root) == "nitf" ? tree.root : tree.firstDescendant(of: tree.root, named: "nitf") {
                    NITFReader.fill(&fromNITF, tree: tree, nitf: nitf)
                }
                if !fromNITF.paragraphs.isEmpty { return fromNITF.paragraphs }
            } else if type.contains("html") || role == "html" || value.hasPrefix("<") {
                let p = HTMLReader.fragmentParagraphs(value)
                if !p.isEmpty { return p }
            } else {
                let p = Text.bodyParagraphs(value)
                if !p.isEmpty { return p }
            }
        }
        return []
    }

    private static func rank(_ body: [String: Any]) -> Int {
        let type = ((body["contentType"] ?? body["contenttype"]) as? String ?? "").lowercased()
        if type.hasPrefix("text/plain") { return 0 }
        if type.contains("html") { return 1 }
        return 2
    }
}
