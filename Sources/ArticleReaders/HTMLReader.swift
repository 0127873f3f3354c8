import FoundationEssentials
import NewsCore

/// Web pages: the article body without the page around it, plus headline, byline, date and language from
/// `<title>`, OpenGraph, `article:*` meta tags and JSON-LD (`NewsArticle` and kin).
enum HTMLReader {
    static let format = "html"

    static func read(_ bytes: [UInt8], encoding: String?, deadline: Deadline = .never) throws(ReaderError) -> Article {
        guard let tree = LibXML.parseHTML(bytes, encoding: encoding) else {
            throw ReaderError(format: format, reason: "no HTML elements in the file")
        }
        try ArticleReading.check(deadline, format: format)
        let metadata = PageMetadata(tree: tree)
        var paragraphs = BoilerplateRemoval.articleParagraphs(tree)
        // Pages that render the article with JavaScript still carry it in JSON-LD: when the DOM holds much less
        // text than the page's own `articleBody`, the latter is the article.
        if let body = metadata.articleBody, !Text.looksLikeMarkup(body) {
            let fromJSON = Text.bodyParagraphs(body)
            let domLength = paragraphs.reduce(0) { $0 + $1.utf8.count }
            if domLength * 2 < body.utf8.count { paragraphs = fromJSON }
        }
        var article = Article(headline: metadata.headline ?? "", paragraphs: paragraphs)
        if article.paragraphs.isEmpty { throw ReaderError(format: format, reason: "no text: no article body found on the page") }
        if !Text.hasText(article.headline) { article.headline = FirstSentence.of(article.paragraphs[0]) }
        article.byline = metadata.byline
        article.language = metadata.language
        article.guid = metadata.url
        article.keywords = metadata.keywords
        article.provider = metadata.siteName
        article.setDate(metadata.published)
        return article
    }

    /// Paragraphs of an HTML fragment (an e-mail's HTML part, a ninjs `body_html`): all text, no boilerplate removal.
    static func fragmentParagraphs(_ html: String) -> [String] {
        guard let tree = LibXML.parseHTML(Array(html.utf8), encoding: "UTF-8") else { return Text.paragraphs(html) }
        return tree.paragraphs(of: tree.root, skip: ["head", "script", "style", "title"])
    }
}

/// What a page says about itself in its head and JSON-LD.
struct PageMetadata {
    var headline: String?
    var byline: String?
    var published: String?
    var language: String?
    var url: String?
    var keywords: [String] = []
    var articleBody: String?
    var siteName: String?

    init(tree: MarkupTree) {
        var meta: [String: String] = [:]
        var title: String?
        var canonical: String?
        var jsonLD: [[String: Any]] = []
        var firstH1: String?
        for node in tree.descendants(of: tree.root) where !tree[node].isText {
            switch tree.name(node) {
            case "meta":
                guard let content = tree.attribute("content", of: node) else { continue }
                let key = (tree.attribute("property", of: node) ?? tree.attribute("name", of: node)
                    ?? tree.attribute("itemprop", of: node) ?? tree.attribute("http-equiv", of: node))?.lowercased()
                if let key, meta[key] == nil { meta[key] = content }
            case "title":
                if title == nil { title = tree.nonEmptyText(node) }
            case "link":
                if tree.attribute("rel", of: node)?.lowercased() == "canonical" { canonical = tree.attribute("href", of: node) }
            case "script":
                let raw = tree.children(of: node).filter { tree[$0].isText }.map { tree[$0].text }.joined()
                jsonLD += Self.articleObjects(raw)
            case "h1":
                if firstH1 == nil { firstH1 = tree.nonEmptyText(node) }
            default: break
            }
        }
        let ld = jsonLD.first
        headline = Text.nonEmpty(ld?["headline"] as? String) ?? Text.nonEmpty(meta["og:title"]) ?? Text.nonEmpty(meta["twitter:title"])
            ?? firstH1 ?? title.map(Self.stripSiteName)
        byline = Self.authorName(ld?["author"]) ?? Text.nonEmpty(meta["author"]) ?? Text.nonEmpty(meta["article:author"]).flatMap {
            $0.hasPrefix("http") ? nil : $0
        } ?? Text.nonEmpty(meta["byl"])
        published = Text.nonEmpty(ld?["datePublished"] as? String) ?? Text.nonEmpty(meta["article:published_time"])
            ?? Text.nonEmpty(meta["datepublished"]) ?? Text.nonEmpty(meta["pubdate"]) ?? Text.nonEmpty(meta["publishdate"])
            ?? Text.nonEmpty(meta["date"]) ?? Text.nonEmpty(meta["dc.date.issued"]) ?? Text.nonEmpty(meta["dc.date"])
            ?? Text.nonEmpty(meta["og:published_time"])
        var lang = Text.nonEmpty(tree.attribute("lang", of: tree.root)) ?? Text.nonEmpty(tree.attribute("xml:lang", of: tree.root))
            ?? Text.nonEmpty(meta["content-language"]) ?? Text.nonEmpty(ld?["inLanguage"] as? String) ?? Text.nonEmpty(meta["og:locale"])
        lang = lang?.replacing("_", with: "-")
        language = lang
        url = Text.nonEmpty(canonical) ?? Text.nonEmpty(meta["og:url"]) ?? Text.nonEmpty(ld?["url"] as? String)
        for key in ["news_keywords", "keywords"] {
            if let k = meta[key] {
                keywords = k.split(separator: ",").map { Text.collapse(String($0)) }.filter { !$0.isEmpty }
                break
            }
        }
        articleBody = ld?["articleBody"] as? String
        siteName = Text.nonEmpty(meta["og:site_name"]) ?? Self.authorName(ld?["publisher"])
    }

    private static let articleTypes: Set<String> = [
        "NewsArticle", "Article", "ReportageNewsArticle", "AnalysisNewsArticle", "BlogPosting", "OpinionNewsArticle",
        "ReviewNewsArticle", "BackgroundNewsArticle", "LiveBlogPosting", "TechArticle", "Report", "WebPage",
    ]

    /// Article-like objects in a JSON-LD script, looking inside arrays and `@graph`; articles before web pages.
    static func articleObjects(_ raw: String) -> [[String: Any]] {
        guard Text.hasText(raw), raw.utf8.count < 2_000_000,
              let json = try? JSONTree.parse(Array(raw.utf8)) else { return [] }
        var found: [[String: Any]] = []
        var queue: [Any] = [json]
        var visited = 0
        while let next = queue.popLast(), visited < 200 {
            visited += 1
            if let list = next as? [Any] { queue.append(contentsOf: list.reversed()); continue }
            guard let object = next as? [String: Any] else { continue }
            if let graph = object["@graph"] as? [Any] { queue.append(contentsOf: graph.reversed()) }
            let types = (object["@type"] as? String).map { [$0] } ?? (object["@type"] as? [String] ?? [])
            if types.contains(where: articleTypes.contains) { found.append(object) }
        }
        return found.sorted { a, b in
            let aPage = (a["@type"] as? String) == "WebPage", bPage = (b["@type"] as? String) == "WebPage"
            return !aPage && bPage
        }
    }

    private static func authorName(_ value: Any?) -> String? {
        if let s = value as? String { return Text.nonEmpty(s) }
        if let o = value as? [String: Any] { return Text.nonEmpty(o["name"] as? String) }
        if let list = value as? [Any] {
            let names = list.compactMap { authorName($0) }
            return names.isEmpty ? nil : names.joined(separator: ", ")
        }
        return nil
    }

    /// `Headline | Site` and `Headline - Site`: the longest piece is the headline.
    static func stripSiteName(_ title: String) -> String {
        for separator in [" | ", " – ", " — ", " - ", " :: "] where title.contains(separator) {
            let pieces = title.components(separatedBy: separator)
            if let longest = pieces.max(by: { $0.count < $1.count }), longest.count >= 15 { return Text.collapse(longest) }
        }
        return title
    }
}
