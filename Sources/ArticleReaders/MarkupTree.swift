import CLibXML2

/// An XML or HTML document as a flat array of nodes, copied out of libxml2's tree.
///
/// Readers query this instead of libxml2 pointers, so no C memory outlives the parse. Nodes link to
/// parent, first child and next sibling by index: every walk is a loop, never a recursion, because
/// hostile input can nest deeply and worker threads have small stacks.
struct MarkupTree {
    struct Node {
        /// Element local name (no namespace prefix); empty for a text node.
        var name: String
        /// A text node's content; empty for an element.
        var text: String
        var parent: Int32
        var firstChild: Int32 = -1
        var lastChild: Int32 = -1
        var next: Int32 = -1
        var attributeStart: Int32 = 0
        var attributeCount: Int32 = 0

        var isText: Bool { name.isEmpty }
    }

    private(set) var nodes: [Node] = []
    private(set) var attributes: [(name: String, value: String)] = []
    /// The root element (index 0 when the document has one).
    var root: Int { 0 }
    var isEmpty: Bool { nodes.isEmpty }

    subscript(_ i: Int) -> Node { nodes[i] }

    func name(_ i: Int) -> String { nodes[i].name }

    func attribute(_ name: String, of i: Int) -> String? {
        let n = nodes[i]
        var a = Int(n.attributeStart)
        let end = a + Int(n.attributeCount)
        while a < end {
            if attributes[a].name == name { return attributes[a].value }
            a += 1
        }
        return nil
    }

    func attributes(of i: Int) -> ArraySlice<(name: String, value: String)> {
        let n = nodes[i]
        return attributes[Int(n.attributeStart)..<Int(n.attributeStart + n.attributeCount)]
    }

    /// Child indices of `i`, elements and text.
    func children(of i: Int) -> ChildSequence { ChildSequence(tree: self, cursor: Int(nodes[i].firstChild)) }

    struct ChildSequence: Sequence, IteratorProtocol {
        let tree: MarkupTree
        var cursor: Int
        mutating func next() -> Int? {
            guard cursor >= 0 else { return nil }
            defer { cursor = Int(tree.nodes[cursor].next) }
            return cursor
        }
    }

    func elementChildren(of i: Int, named name: String) -> [Int] {
        children(of: i).filter { nodes[$0].name == name }
    }

    func child(of i: Int, named name: String) -> Int? {
        children(of: i).first { nodes[$0].name == name }
    }

    /// Follows a path of child element names: `child(of: item, path: "contentMeta", "headline")`.
    func child(of i: Int, path names: String...) -> Int? {
        var current = i
        for n in names {
            guard let c = child(of: current, named: n) else { return nil }
            current = c
        }
        return current
    }

    /// Every node below `i` in document order (not `i` itself).
    func descendants(of i: Int) -> DescendantSequence { DescendantSequence(tree: self, top: i, current: i) }

    struct DescendantSequence: Sequence, IteratorProtocol {
        let tree: MarkupTree
        let top: Int
        var current: Int
        var started = false
        mutating func next() -> Int? {
            let nodes = tree.nodes
            if !started {
                started = true
                let c = Int(nodes[top].firstChild)
                if c < 0 { return nil }
                current = c
                return c
            }
            if current < 0 { return nil }
            if nodes[current].firstChild >= 0 {
                current = Int(nodes[current].firstChild)
                return current
            }
            var n = current
            while n != top {
                if nodes[n].next >= 0 {
                    current = Int(nodes[n].next)
                    return current
                }
                n = Int(nodes[n].parent)
            }
            current = -1
            return nil
        }
    }

    func firstDescendant(of i: Int, named name: String) -> Int? {
        descendants(of: i).first { nodes[$0].name == name }
    }

    func descendants(of i: Int, named name: String) -> [Int] {
        descendants(of: i).filter { nodes[$0].name == name }
    }

    /// The text below `i`, white space collapsed.
    func text(_ i: Int) -> String {
        if nodes[i].isText { return Text.collapse(nodes[i].text) }
        var bytes: [UInt8] = []
        for d in descendants(of: i) where nodes[d].isText {
            bytes.append(contentsOf: nodes[d].text.utf8)
            bytes.append(0x20)
        }
        return Text.collapse(bytes)
    }

    /// Text of `i`, nil when absent or blank.
    func nonEmptyText(_ i: Int?) -> String? {
        guard let i else { return nil }
        let t = text(i)
        return t.isEmpty ? nil : t
    }

    // MARK: - Building

    /// What `append` keeps of a libxml2 element's content.
    enum ContentRule { case keep, skipAll }

    fileprivate mutating func appendElement(_ name: String, parent: Int32, attributesFrom start: Int) -> Int32 {
        var node = Node(name: name, text: "", parent: parent)
        node.attributeStart = Int32(start)
        node.attributeCount = Int32(attributes.count - start)
        return link(node)
    }

    fileprivate mutating func appendText(_ text: String, parent: Int32) {
        guard parent >= 0 else { return }
        // Adjacent text nodes (split by a skipped entity reference or comment) merge into one.
        let last = nodes[Int(parent)].lastChild
        if last >= 0 && nodes[Int(last)].isText {
            nodes[Int(last)].text += text
            return
        }
        _ = link(Node(name: "", text: text, parent: parent))
    }

    private mutating func link(_ node: Node) -> Int32 {
        let index = Int32(nodes.count)
        nodes.append(node)
        let parent = node.parent
        if parent >= 0 {
            let p = Int(parent)
            if nodes[p].lastChild >= 0 { nodes[Int(nodes[p].lastChild)].next = index } else { nodes[p].firstChild = index }
            nodes[p].lastChild = index
        }
        return index
    }

    /// HTML character entities that NITF and NewsML files use without a loaded DTD.
    static let htmlCharacterEntities: [String: String] = [
        "nbsp": " ", "ensp": " ", "emsp": " ", "thinsp": " ", "mdash": "—", "ndash": "–", "hellip": "…",
        "lsquo": "‘", "rsquo": "’", "ldquo": "“", "rdquo": "”", "laquo": "«", "raquo": "»", "bull": "•",
        "middot": "·", "copy": "©", "reg": "®", "trade": "™", "deg": "°", "euro": "€", "pound": "£", "yen": "¥",
        "cent": "¢", "sect": "§", "para": "¶", "times": "×", "divide": "÷", "frac12": "½", "frac14": "¼", "frac34": "¾",
    ]

    /// Copies a libxml2 tree from `rootElement`, iteratively. `skip` decides which elements' content is dropped.
    init(copying rootElement: xmlNodePtr, skip: (String, xmlNodePtr) -> Bool = { _, _ in false }) {
        nodes.reserveCapacity(256)
        // libxml2 interns names in the document's dictionary: one Swift string per distinct pointer.
        var names: [UnsafePointer<xmlChar>: String] = [:]
        func intern(_ p: UnsafePointer<xmlChar>) -> String {
            if let s = names[p] { return s }
            let s = String(cString: p)
            names[p] = s
            return s
        }
        var stack: [Int32] = []
        var p: xmlNodePtr? = rootElement
        while let node = p {
            let type = node.pointee.type
            var descend = false
            if type == XML_ELEMENT_NODE {
                let name = node.pointee.name.map(intern) ?? ""
                let attributeStart = attributes.count
                var a = node.pointee.properties
                while let attr = a {
                    if let n = attr.pointee.name {
                        var attrName = intern(n)
                        if let ns = attr.pointee.ns, let prefix = ns.pointee.prefix {
                            attrName = intern(prefix) + ":" + attrName
                        }
                        var value = ""
                        var v = attr.pointee.children
                        while let vn = v {
                            if vn.pointee.type == XML_TEXT_NODE, let c = vn.pointee.content { value += String(cString: c) }
                            v = vn.pointee.next
                        }
                        attributes.append((name: attrName, value: value))
                    }
                    a = attr.pointee.next
                }
                let index = appendElement(name, parent: stack.last ?? -1, attributesFrom: attributeStart)
                if node.pointee.children != nil && !skip(name, node) {
                    stack.append(index)
                    descend = true
                }
            } else if type == XML_TEXT_NODE || type == XML_CDATA_SECTION_NODE {
                if let c = node.pointee.content { appendText(String(cString: c), parent: stack.last ?? -1) }
            } else if type == XML_ENTITY_REF_NODE, let n = node.pointee.name,
                      let character = Self.htmlCharacterEntities[String(cString: n)] {
                // A wire file's `&nbsp;` from a DTD that is (rightly) never loaded: a name mapped to a character,
                // nothing is expanded or fetched.
                appendText(character, parent: stack.last ?? -1)
            }
            // Other entity references, comments, processing instructions: dropped, never expanded.
            if descend {
                p = node.pointee.children
                continue
            }
            // Next sibling, or climb until an ancestor has one; stop at the root element.
            var n = node
            p = nil
            while n != rootElement {
                if let sibling = n.pointee.next { p = sibling; break }
                guard let parent = n.pointee.parent else { break }
                stack.removeLast()
                n = parent
            }
        }
    }
}

/// libxml2 with the options that keep untrusted input safe.
enum LibXML {
    /// `xmlInitParser` and the deny-all external entity loader, once per process.
    static let initialized: Void = { cxml_init() }()

    /// NONET|NOCDATA|NOERROR|NOWARNING|COMPACT; never NOENT, DTDLOAD, HUGE or XINCLUDE.
    private static let xmlOptions: Int32 = Int32(
        XML_PARSE_NONET.rawValue | XML_PARSE_NOCDATA.rawValue | XML_PARSE_NOERROR.rawValue
        | XML_PARSE_NOWARNING.rawValue | XML_PARSE_COMPACT.rawValue)

    private static let htmlOptions: Int32 = Int32(
        HTML_PARSE_RECOVER.rawValue | HTML_PARSE_NONET.rawValue | HTML_PARSE_NOERROR.rawValue
        | HTML_PARSE_NOWARNING.rawValue | HTML_PARSE_COMPACT.rawValue)

    /// With an encoding given, the caller has already decoded the bytes (to UTF-8): the document's own
    /// `encoding=` or `<meta charset>` no longer describes them.
    private static let ignoreDeclaredEncoding = Int32(XML_PARSE_IGNORE_ENC.rawValue)

    /// Parses well-formed XML or throws with libxml2's reason, translated for the known attacks.
    static func parseXML(_ bytes: [UInt8], encoding: String?, format: String) throws(ReaderError) -> MarkupTree {
        _ = initialized
        cxml_silence_errors_on_this_thread()
        guard let ctxt = xmlNewParserCtxt() else { throw ReaderError(format: format, reason: "out of memory") }
        defer { xmlFreeParserCtxt(ctxt) }
        let doc: xmlDocPtr? = bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) { base in
                xmlCtxtReadMemory(ctxt, base, Int32(buffer.count), nil, encoding, xmlOptions | (encoding == nil ? 0 : ignoreDeclaredEncoding))
            }
        }
        guard let doc, ctxt.pointee.wellFormed != 0 else {
            if let doc { xmlFreeDoc(doc) }
            throw ReaderError(format: format, reason: describe(ctxt.pointee.lastError))
        }
        defer { xmlFreeDoc(doc) }
        guard let root = xmlDocGetRootElement(doc) else { throw ReaderError(format: format, reason: "no root element") }
        return MarkupTree(copying: root)
    }

    /// Parses any HTML (recovering from garbage); nil only when there is no element at all.
    static func parseHTML(_ bytes: [UInt8], encoding: String?) -> MarkupTree? {
        _ = initialized
        cxml_silence_errors_on_this_thread()
        guard !bytes.isEmpty else { return nil }
        let doc: htmlDocPtr? = bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) { base in
                htmlReadMemory(base, Int32(buffer.count), nil, encoding, htmlOptions | (encoding == nil ? 0 : ignoreDeclaredEncoding))
            }
        }
        guard let doc else { return nil }
        defer { xmlFreeDoc(doc) }
        guard let root = xmlDocGetRootElement(doc) else { return nil }
        return MarkupTree(copying: root, skip: { name, node in
            switch name {
            case "style", "svg", "template", "iframe", "object", "select", "canvas", "math": return true
            case "script":
                // Only JSON-LD is kept: it carries the NewsArticle metadata.
                guard let type = xmlHasProp(node, "type"), let v = type.pointee.children?.pointee.content else { return true }
                return !String(cString: v).lowercased().contains("ld+json")
            default: return false
            }
        })
    }

    private static func describe(_ error: xmlError) -> String {
        switch error.code {
        case Int32(XML_ERR_ENTITY_LOOP.rawValue):
            return "entity expansion refused (entity loop or billion-laughs amplification)"
        default: break
        }
        var message = error.message.map { String(cString: $0) } ?? "not well-formed"
        message = Text.collapse(message)
        if message.contains("Excessive depth") { return "nesting too deep (limit 256 levels)" }
        if message.contains("entity") && message.contains("loop") {
            return "entity expansion refused (entity loop or billion-laughs amplification)"
        }
        return "not well-formed XML at line \(error.line): \(message)"
    }
}

extension MarkupTree {
    /// Elements that end a paragraph in XHTML, HTML and NITF bodies.
    static let blockElements: Set<String> = [
        "p", "div", "section", "article", "main", "header", "footer", "aside", "nav", "h1", "h2", "h3", "h4", "h5", "h6",
        "li", "ul", "ol", "dl", "dt", "dd", "blockquote", "pre", "table", "tr", "td", "th", "thead", "tbody", "caption",
        "br", "hr", "figure", "figcaption", "address", "form", "fieldset", "body", "html", "center",
        // NITF
        "hl1", "hl2", "block", "media", "media-caption", "nitf-table", "body.content", "body.head", "body.end", "tagline", "bibliography",
    ]

    /// The text below `top` as paragraphs: block elements separate them, inline text joins; white space collapsed.
    /// Elements named in `skip` are left out with everything inside them.
    func paragraphs(of top: Int, skip: Set<String> = []) -> [String] {
        var result: [String] = []
        var buffer: [UInt8] = []
        func flush() {
            if !buffer.isEmpty {
                let p = Text.collapse(buffer)
                if !p.isEmpty { result.append(p) }
                buffer.removeAll(keepingCapacity: true)
            }
        }
        let nodes = self.nodes
        var n = Int(nodes[top].firstChild)
        while n >= 0 {
            let node = nodes[n]
            var descend = false
            if node.isText {
                buffer.append(contentsOf: node.text.utf8)
            } else if !skip.contains(node.name) {
                if Self.blockElements.contains(node.name) { flush() }
                descend = node.firstChild >= 0
            }
            if descend { n = Int(node.firstChild); continue }
            // Leave n (and each ancestor we climb out of) before moving on.
            var m = n
            n = -1
            while m != top {
                if !nodes[m].isText, Self.blockElements.contains(nodes[m].name) { flush() }
                if nodes[m].next >= 0 { n = Int(nodes[m].next); break }
                m = Int(nodes[m].parent)
            }
        }
        flush()
        return result
    }
}
