/// NITF 3.x: `<nitf><head>` (title, docdata, tobject, meta) and `<body>` (`body.head` with hedline, byline,
/// dateline; `body.content` with the paragraphs). Also used for NITF bodies inside NewsML-G2 inlineXML.
enum NITFReader {
    static let format = "nitf"

    static func read(_ tree: MarkupTree, nitf: Int) throws(ReaderError) -> Article {
        var article = Article(headline: "", paragraphs: [])
        fill(&article, tree: tree, nitf: nitf)
        try XMLReaders.requireText(article, format: format)
        return article
    }

    /// Fills what the NITF element carries, keeping fields already set by an envelope (NewsML-G2) when NITF has none.
    static func fill(_ article: inout Article, tree: MarkupTree, nitf: Int) {
        if let lang = tree.attribute("xml:lang", of: nitf) ?? tree.attribute("lang", of: nitf) { article.language = lang }
        if let head = tree.child(of: nitf, named: "head") { readHead(&article, tree: tree, head: head) }
        guard let body = tree.child(of: nitf, named: "body") else { return }
        if let bodyHead = tree.child(of: body, named: "body.head") {
            if let hedline = tree.child(of: bodyHead, named: "hedline"),
               let hl1 = tree.nonEmptyText(tree.child(of: hedline, named: "hl1")) {
                article.headline = hl1
            }
            let bylines = tree.elementChildren(of: bodyHead, named: "byline").compactMap { byline -> String? in
                // `byttl` is the writer's title ("AP Business Writer"), not part of the name.
                let text = tree.descendants(of: byline).filter { tree[$0].isText && tree.name(Int(tree[$0].parent)) != "byttl" }
                    .map { tree[$0].text }.joined(separator: " ")
                return XMLReaders.byline(text)
            }
            if let first = bylines.first { article.byline = first }
            if let dateline = tree.child(of: bodyHead, named: "dateline") {
                let place = tree.nonEmptyText(tree.child(of: dateline, named: "location"))
                    ?? tree.paragraphs(of: dateline, skip: ["story.date"]).first
                if let place { article.dateline = place }
                if let storyDate = tree.child(of: dateline, named: "story.date"), article.date == nil {
                    article.setDate(tree.attribute("norm", of: storyDate))
                }
            }
        }
        // A body may hold several body.content blocks (sections, or takes joined by the sender): all are the story.
        let paragraphs = tree.elementChildren(of: body, named: "body.content").flatMap {
            tree.paragraphs(of: $0, skip: ["media", "nitf-table-metadata", "note"])
        }
        if !paragraphs.isEmpty { article.paragraphs = paragraphs }
    }

    private static func readHead(_ article: inout Article, tree: MarkupTree, head: Int) {
        if article.headline.isEmpty, let title = tree.nonEmptyText(tree.child(of: head, named: "title")) {
            article.headline = title
        }
        for tobject in tree.elementChildren(of: head, named: "tobject") {
            for subject in tree.elementChildren(of: tobject, named: "tobject.subject") {
                if let code = tree.attribute("tobject.subject.refnum", of: subject), !article.subjects.contains(code) {
                    article.subjects.append(code)
                }
            }
        }
        guard let docdata = tree.child(of: head, named: "docdata") else { return }
        switch tree.attribute("management-status", of: docdata)?.lowercased() {
        case "canceled", "cancelled": article.status = .canceled
        case "withheld": article.status = .withheld
        default: break
        }
        for child in tree.children(of: docdata) {
            switch tree.name(child) {
            case "doc-id":
                if let id = Text.nonEmpty(tree.attribute("id-string", of: child)) { article.guid = id }
                if let source = Text.nonEmpty(tree.attribute("regsrc", of: child)) { article.provider = source }
            case "doc.copyright":
                if article.provider == nil { article.provider = Text.nonEmpty(tree.attribute("holder", of: child)) }
            case "urgency":
                if let u = tree.attribute("ed-urg", of: child).flatMap({ Int($0) }) { article.urgency = u }
            case "date.issue":
                article.setDate(tree.attribute("norm", of: child))
            case "date.release":
                if article.date == nil { article.setDate(tree.attribute("norm", of: child)) }
            case "du-key":
                if let v = tree.attribute("version", of: child).flatMap({ Int($0) }) { article.version = v }
            case "key-list":
                for keyword in tree.elementChildren(of: child, named: "keyword") {
                    if let key = Text.nonEmpty(tree.attribute("key", of: keyword)) { article.keywords.append(key) }
                }
            case "evloc":
                if article.dateline == nil, let city = Text.nonEmpty(tree.attribute("city", of: child)) { article.dateline = city }
            default: break
            }
        }
    }
}
