/// NewsML-G2 (`newsItem`, `packageItem`, `newsMessage` with an `itemSet`) and NewsML 1.2 (`NewsML/NewsItem`).
enum NewsMLG2Reader {
    static let format = "newsml-g2"

    /// One article per newsItem or packageItem; a message with several items yields several articles.
    static func read(_ tree: MarkupTree) throws(ReaderError) -> [Article] {
        var items: [Int] = []
        switch tree.name(tree.root) {
        case "newsItem", "packageItem": items = [tree.root]
        default:
            for set in tree.elementChildren(of: tree.root, named: "itemSet") {
                items += tree.children(of: set).filter { ["newsItem", "packageItem"].contains(tree.name($0)) }
            }
        }
        guard !items.isEmpty else { throw ReaderError(format: format, reason: "no newsItem or packageItem in the document") }
        return try XMLReaders.articles(items.map { readItem(tree, $0) }, format: format)
    }

    private static func readItem(_ tree: MarkupTree, _ item: Int) -> Article {
        var article = Article(headline: "", paragraphs: [])
        article.guid = Text.nonEmpty(tree.attribute("guid", of: item))
        article.version = tree.attribute("version", of: item).flatMap { Int($0) }
        article.language = tree.attribute("xml:lang", of: item)
        var created: String?, firstCreated: String?, versionCreated: String?
        if let meta = tree.child(of: item, named: "itemMeta") {
            versionCreated = tree.nonEmptyText(tree.child(of: meta, named: "versionCreated"))
            firstCreated = tree.nonEmptyText(tree.child(of: meta, named: "firstCreated"))
            if let status = tree.child(of: meta, named: "pubStatus") {
                article.status = XMLReaders.status(tree.attribute("qcode", of: status) ?? tree.attribute("literal", of: status))
            }
            if let provider = tree.child(of: meta, named: "provider") {
                article.provider = tree.nonEmptyText(tree.child(of: provider, named: "name"))
                    ?? Text.nonEmpty(tree.attribute("literal", of: provider)) ?? Text.nonEmpty(tree.attribute("qcode", of: provider))
                    ?? Text.nonEmpty(tree.attribute("uri", of: provider))
            }
        }
        if let meta = tree.child(of: item, named: "contentMeta") {
            for child in tree.children(of: meta) {
                switch tree.name(child) {
                case "headline":
                    if article.headline.isEmpty, let h = tree.nonEmptyText(child) { article.headline = h }
                case "by":
                    if let b = XMLReaders.byline(tree.text(child)) { article.byline = b }
                case "creator":
                    if article.byline == nil, let n = tree.nonEmptyText(tree.child(of: child, named: "name")) { article.byline = n }
                case "located":
                    if article.dateline == nil, let n = tree.nonEmptyText(tree.child(of: child, named: "name")) { article.dateline = n }
                case "dateline":
                    if article.dateline == nil, let d = tree.nonEmptyText(child) { article.dateline = XMLReaders.datelinePlace(d) }
                case "language":
                    if let tag = tree.attribute("tag", of: child) { article.language = tag }
                case "urgency":
                    if let u = Int(tree.text(child)) { article.urgency = u }
                case "subject":
                    if let code = tree.attribute("qcode", of: child) ?? tree.attribute("literal", of: child) {
                        article.subjects.append(code)
                    }
                case "keyword":
                    if let k = tree.nonEmptyText(child) { article.keywords.append(k) }
                case "contentCreated":
                    created = tree.nonEmptyText(child)
                default: break
                }
            }
        }
        if !article.setDate(created), !article.setDate(firstCreated) { article.setDate(versionCreated) }

        if let contentSet = tree.child(of: item, named: "contentSet") {
            readContent(&article, tree: tree, contentSet: contentSet)
        }
        if tree.name(item) == "packageItem", article.paragraphs.isEmpty {
            article.paragraphs = packageParagraphs(tree, item)
        }
        return article
    }

    /// A contentSet holds alternative renditions (`inlineXML`, `inlineData`, `remoteContent`): the body is the
    /// inline one with the most text whose content type is prose (not CSS, JSON, an image...). A teaser or an
    /// abstract rendition is shorter than the story; the same story as NITF and as XHTML gives the first.
    private static func readContent(_ article: inout Article, tree: MarkupTree, contentSet: Int) {
        var best: (article: Article, fromNITF: Bool)?
        var bestLength = 0
        for content in tree.children(of: contentSet) where ["inlineXML", "inlineData"].contains(tree.name(content)) {
            let type = tree.attribute("contenttype", of: content)?.lowercased() ?? ""
            if notProse.contains(where: { type.contains($0) }) { continue }
            var candidate = Article(headline: "", paragraphs: [])
            var fromNITF = false
            if tree.name(content) == "inlineXML" {
                if let nitf = tree.firstDescendant(of: content, named: "nitf") {
                    NITFReader.fill(&candidate, tree: tree, nitf: nitf)
                    fromNITF = true
                } else if let body = tree.firstDescendant(of: content, named: "body") {
                    candidate.paragraphs = tree.paragraphs(of: body)
                } else {
                    candidate.paragraphs = tree.paragraphs(of: content, skip: ["head", "style", "script"])
                }
            } else if type.contains("html") {
                candidate.paragraphs = HTMLReader.fragmentParagraphs(XMLReaders.rawText(tree, content))
            } else {
                candidate.paragraphs = Text.bodyParagraphs(XMLReaders.rawText(tree, content))
            }
            let length = candidate.paragraphs.reduce(0) { $0 + $1.utf8.count }
            if length > bestLength { best = (candidate, fromNITF); bestLength = length }
        }
        guard let best else { return }
        if best.fromNITF { XMLReaders.merge(envelope: &article, body: best.article) } else { article.paragraphs = best.article.paragraphs }
    }

    /// Content types that are never an article body.
    static let notProse = ["css", "javascript", "ecmascript", "json", "rtf", "image/", "audio/", "video/"]

    /// A package has no body of its own: its paragraphs are the referenced items' headlines and descriptions.
    private static func packageParagraphs(_ tree: MarkupTree, _ item: Int) -> [String] {
        var paragraphs: [String] = []
        for ref in tree.descendants(of: item, named: "itemRef") {
            let title = tree.nonEmptyText(tree.child(of: ref, named: "headline")) ?? tree.nonEmptyText(tree.child(of: ref, named: "title"))
            let description = tree.nonEmptyText(tree.child(of: ref, named: "description"))
            let line = [title, description].compactMap { $0 }.joined(separator: ": ")
            if !line.isEmpty && !paragraphs.contains(line) { paragraphs.append(line) }
        }
        return paragraphs
    }
}

enum NewsML12Reader {
    static let format = "newsml-1.2"

    static func read(_ tree: MarkupTree) throws(ReaderError) -> [Article] {
        let items = tree.elementChildren(of: tree.root, named: "NewsItem")
        guard !items.isEmpty else { throw ReaderError(format: format, reason: "no NewsItem in the document") }
        let envelopePriority = tree.child(of: tree.root, path: "NewsEnvelope", "Priority")
            .flatMap { tree.attribute("FormalName", of: $0) }.flatMap { Int($0) }
        return try XMLReaders.articles(items.map { item in
            var article = readItem(tree, item)
            if article.urgency == nil { article.urgency = envelopePriority }
            return article
        }, format: format)
    }

    private static func readItem(_ tree: MarkupTree, _ item: Int) -> Article {
        var article = Article(headline: "", paragraphs: [])
        article.language = tree.attribute("xml:lang", of: item)
        if let id = tree.child(of: item, path: "Identification", "NewsIdentifier") {
            article.guid = tree.nonEmptyText(tree.child(of: id, named: "PublicIdentifier"))
            article.version = tree.nonEmptyText(tree.child(of: id, named: "RevisionId")).flatMap { Int($0) }
            article.provider = tree.nonEmptyText(tree.child(of: id, named: "ProviderId"))
        }
        if let management = tree.child(of: item, named: "NewsManagement") {
            let first = tree.nonEmptyText(tree.child(of: management, named: "FirstCreated"))
            if !article.setDate(first) { article.setDate(tree.nonEmptyText(tree.child(of: management, named: "ThisRevisionCreated"))) }
            if let status = tree.child(of: management, named: "Status") {
                article.status = XMLReaders.status(tree.attribute("FormalName", of: status))
            }
            if let urgency = tree.child(of: management, named: "Urgency") {
                article.urgency = tree.attribute("FormalName", of: urgency).flatMap { Int($0) }
            }
        }
        // Components nest. Metadata lists (keywords, subjects) gather from all of them; the body is the content
        // item that carries the article text wherever it stands; headline, byline and dateline come from the
        // components around that body first (a photo component before the text has its own NewsLines).
        var lines: [(node: Int, kind: String)] = []
        var bodies: [Int] = []
        for node in tree.descendants(of: item) where !tree[node].isText {
            switch tree.name(node) {
            case "HeadLine", "ByLine", "DateLine":
                lines.append((node, tree.name(node)))
            case "KeywordLine":
                if let k = tree.nonEmptyText(node) { article.keywords.append(k) }
            case "Language":
                if article.language == nil { article.language = tree.attribute("FormalName", of: node)?.lowercased() }
            case "Subject", "SubjectMatter", "SubjectDetail":
                if tree[node].parent >= 0, tree.name(Int(tree[node].parent)) == "SubjectCode",
                   let code = tree.attribute("FormalName", of: node), !article.subjects.contains(code) {
                    article.subjects.append(code)
                }
            case "Property":
                if tree.attribute("FormalName", of: node) == "Keyword", let k = Text.nonEmpty(tree.attribute("Value", of: node)) {
                    article.keywords.append(k)
                }
            case "DataContent":
                if carriesProse(tree, dataContent: node) { bodies.append(node) }
            default: break
            }
        }
        let chosen = bestBody(tree, bodies)
        // Lines of a component around the body, nearest first, then every other component's in document order.
        let around = chosen.map { ancestors(tree, of: $0.node) } ?? []
        let ordered = lines.enumerated().sorted { a, b in
            let ra = nearness(tree, a.element.node, around), rb = nearness(tree, b.element.node, around)
            return ra != rb ? ra < rb : a.offset < b.offset
        }.map(\.element)
        for (node, kind) in ordered {
            switch kind {
            case "HeadLine":
                if article.headline.isEmpty, let h = tree.nonEmptyText(node) { article.headline = h }
            case "ByLine":
                if article.byline == nil { article.byline = XMLReaders.byline(tree.text(node)) }
            default:
                if article.dateline == nil, let d = tree.nonEmptyText(node) { article.dateline = XMLReaders.datelinePlace(d) }
            }
        }
        if let chosen {
            if chosen.fromNITF { XMLReaders.merge(envelope: &article, body: chosen.article) } else { article.paragraphs = chosen.article.paragraphs }
        }
        return article
    }

    /// The text of one content item: NITF's body, a plain text's blank-line paragraphs, or markup's paragraphs.
    private static func body(_ tree: MarkupTree, _ dataContent: Int) -> (article: Article, fromNITF: Bool) {
        var article = Article(headline: "", paragraphs: [])
        if let nitf = tree.firstDescendant(of: dataContent, named: "nitf") {
            NITFReader.fill(&article, tree: tree, nitf: nitf)
            return (article, true)
        }
        if tree.children(of: dataContent).allSatisfy({ tree[$0].isText }) {
            article.paragraphs = Text.bodyParagraphs(XMLReaders.rawText(tree, dataContent))
        } else {
            article.paragraphs = tree.paragraphs(of: dataContent)
        }
        return (article, false)
    }

    /// Of the prose content items, the one with the most text (a caption file or an abstract is shorter than
    /// the story; the same text sent twice, as plain text and XHTML, gives either). On a tie, the first.
    private static func bestBody(_ tree: MarkupTree, _ candidates: [Int]) -> (node: Int, article: Article, fromNITF: Bool)? {
        var best: (node: Int, article: Article, fromNITF: Bool)?
        var bestLength = 0
        for node in candidates {
            let (article, fromNITF) = body(tree, node)
            let length = article.paragraphs.reduce(0) { $0 + $1.utf8.count }
            if length > bestLength { best = (node, article, fromNITF); bestLength = length }
        }
        return best
    }

    /// The NewsComponents around `node`, innermost first.
    private static func ancestors(_ tree: MarkupTree, of node: Int) -> [Int] {
        var result: [Int] = []
        var n = Int(tree[node].parent)
        while n >= 0 {
            if tree.name(n) == "NewsComponent" { result.append(n) }
            n = Int(tree[n].parent)
        }
        return result
    }

    /// How near a NewsLines element is to the body: the index of its component in `around`, else past them all.
    private static func nearness(_ tree: MarkupTree, _ line: Int, _ around: [Int]) -> Int {
        var n = Int(tree[line].parent)
        while n >= 0, tree.name(n) != "NewsComponent" { n = Int(tree[n].parent) }
        return around.firstIndex(of: n) ?? around.count
    }

    /// Whether the content item around `dataContent` declares text that can be an article body: a
    /// `MediaType` of Text (or none) and, when it names one, a `MimeType` or `Format` of prose (plain
    /// text, HTML, XHTML, NITF or other XML) rather than a style sheet, a script or JSON.
    private static func carriesProse(_ tree: MarkupTree, dataContent: Int) -> Bool {
        let parent = Int(tree[dataContent].parent)
        guard parent >= 0, tree.name(parent) == "ContentItem" else { return true }
        func formalName(_ element: String) -> String? {
            tree.child(of: parent, named: element).flatMap { tree.attribute("FormalName", of: $0) }?.lowercased()
        }
        if let media = formalName("MediaType"), media != "text" { return false }
        let declared = [formalName("MimeType"), formalName("Format")].compactMap { $0 }
        return !declared.contains { name in NewsMLG2Reader.notProse.contains { name.contains($0) } }
    }
}

/// What the XML readers share: status codes, dateline places, merging an envelope with its body.
enum XMLReaders {
    /// A text element's own text with its line structure kept (for blank-line paragraph splitting).
    static func rawText(_ tree: MarkupTree, _ node: Int) -> String {
        tree.children(of: node).filter { tree[$0].isText }.map { tree[$0].text }.joined()
    }

    /// The items that carry text; an item without text is dropped unless none has any (then its reason is thrown).
    static func articles(_ items: [Article], format: String) throws(ReaderError) -> [Article] {
        var articles: [Article] = []
        var lastError: ReaderError?
        for article in items {
            do throws(ReaderError) {
                try requireText(article, format: format)
                articles.append(article)
            } catch { lastError = error }
        }
        if articles.isEmpty, let lastError { throw lastError }
        return articles
    }

    static func requireText(_ article: Article, format: String) throws(ReaderError) {
        let hasHeadline = Text.hasText(article.headline), hasBody = !article.paragraphs.isEmpty
        if !hasHeadline && !hasBody { throw ReaderError(format: format, reason: "no text: the item has neither headline nor body") }
        if !hasBody { throw ReaderError(format: format, reason: "no text: the item has no body") }
    }

    /// A byline without its `By ` and trailing punctuation; nil when nothing is left.
    static func byline(_ text: String) -> String? {
        var b = Text.collapse(text)
        for prefix in ["By ", "BY ", "by "] where b.hasPrefix(prefix) { b = String(b.dropFirst(prefix.count)) }
        b = b.trimmingCharacters(in: " ,;=")
        return b.isEmpty ? nil : b
    }

    /// `stat:canceled`, `Canceled`, `withheld`... to a status; anything else is usable.
    static func status(_ code: String?) -> Article.Status {
        guard let code = code?.lowercased() else { return .usable }
        if code.hasSuffix("canceled") || code.hasSuffix("cancelled") { return .canceled }
        if code.hasSuffix("withheld") { return .withheld }
        return .usable
    }

    /// The place in a dateline such as `STOCKHOLM, Aug 29, 2014 (AFP) -`; nil when it is only a date.
    static func datelinePlace(_ text: String) -> String? {
        var place = Substring(text)
        if let comma = place.firstIndex(of: ",") { place = place[..<comma] }
        if let paren = place.firstIndex(of: "(") { place = place[..<paren] }
        let trimmed = Text.collapse(String(place)).trimmingCharacters(in: " -–—")
        if trimmed.isEmpty || trimmed.unicodeScalars.contains(where: { ("0"..."9").contains($0) }) { return nil }
        return trimmed
    }

    /// The envelope's metadata wins; the body's fills gaps; the body's paragraphs are taken.
    static func merge(envelope article: inout Article, body: Article) {
        if !Text.hasText(article.headline) { article.headline = body.headline }
        article.byline = article.byline ?? body.byline
        article.dateline = article.dateline ?? body.dateline
        article.language = article.language ?? body.language
        article.guid = article.guid ?? body.guid
        article.provider = article.provider ?? body.provider
        article.urgency = article.urgency ?? body.urgency
        if article.date == nil, let date = body.date {
            article.date = date
            article.timestamp = body.timestamp
        }
        if article.subjects.isEmpty { article.subjects = body.subjects }
        if article.keywords.isEmpty { article.keywords = body.keywords }
        if article.status == .usable { article.status = body.status }
        article.paragraphs = body.paragraphs
    }
}
