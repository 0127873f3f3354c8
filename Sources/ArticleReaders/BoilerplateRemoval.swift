/// Finds a web page's article body and drops what surrounds it (navigation, ads, comments, related links, footers).
///
/// 1. Blocks: the page's text is cut into blocks at block-level elements, as a reader sees paragraphs. Each block
///    records its length, how much of it is link text, and the element holding it. Elements that never hold
///    article text (nav, footer, aside, forms, figures, hidden elements) are skipped with everything inside.
/// 2. Furniture: elements whose class or id names a page-furniture role (comments, share, related, promo,
///    sidebar...) lose their blocks, unless they hold 40% or more of the page's prose: then the name belongs
///    to a layout wrapper around the article (`pg-rail-wrapper`, `penci_sidebar`).
/// 3. Containers: each block long enough to be prose scores `1 + commas + min(length / 100, 3)`, added in full to
///    the element around its paragraph and in half to the one above. A container's score is nudged by its
///    class/id (article, story, body, content up; furniture names down) and scaled down by its link density.
/// 4. Body: the best container, widened to its parent while the parent adds mostly unlinked prose (articles
///    split around figures), plus siblings that score nearly as well or are a lone prose paragraph. Its blocks
///    are kept in document order, minus link lists and the page's main heading.
enum BoilerplateRemoval {
    struct Block {
        var text: String
        var chars: Int
        var linkChars: Int
        var commas: Int
        /// The innermost block-level element holding the text.
        var element: Int
        var tag: String
        /// The block's text comes right after an image in another block (nothing but white space between).
        var afterImage = false
    }

    static func articleParagraphs(_ tree: MarkupTree) -> [String] {
        guard !tree.isEmpty else { return [] }
        var furnitureNamed: [Int] = []
        let all = collectBlocks(tree, furnitureNamed: &furnitureNamed)
        let blocks = dropFurniture(all, named: furnitureNamed, tree: tree)
        guard !blocks.isEmpty else { return [] }
        let totals = Totals(blocks, tree: tree)
        guard let best = bestContainer(blocks, totals, tree: tree) else {
            return blocks.filter { $0.linkChars * 2 < $0.chars }.map(\.text)
        }
        let body = widen(best.node, scores: best.scores, totals: totals, tree: tree)
        var paragraphs: [String] = []
        var inRelatedList = false
        for block in blocks {
            guard isInside(block.element, body, tree.nodes) else { continue }
            if block.tag == "h1" { continue }
            // The items under a related-stories heading: short blocks with links, up to the first without.
            if inRelatedList {
                if block.linkChars > 0 && block.chars < 160 { continue }
                inRelatedList = false
            }
            if block.linkChars * 2 > block.chars && !isLinkedSentence(block) { continue }
            if isCaption(block) { continue }
            if let kind = FurnitureLines.kind(block.text) {
                if kind == .relatedHeading { inRelatedList = true }
                continue
            }
            paragraphs.append(block.text)
        }
        return paragraphs
    }

    /// A paragraph that is a sentence around a long link (`... was re-opened <a>earlier this year after ...</a>.`):
    /// prose, though most of its text is linked. A list of links has little unlinked text and no full stop.
    private static func isLinkedSentence(_ block: Block) -> Bool {
        guard block.tag == "p", block.chars - block.linkChars >= 25, let last = block.text.unicodeScalars.last else { return false }
        return sentenceEnds.contains(last)
    }

    /// A short line right after an image, in a block of its own that the author did not mark as a paragraph,
    /// list item or heading, and that is not a sentence: the image's caption or credit (`<center><em>16-inch
    /// MacBook Pro's new scissor switch keyboard via iFixit</em></center>`).
    private static func isCaption(_ block: Block) -> Bool {
        guard block.afterImage, block.chars <= 200, let last = block.text.unicodeScalars.last else { return false }
        if ["p", "li", "h1", "h2", "h3", "h4", "h5", "h6"].contains(block.tag) { return false }
        return !sentenceEnds.contains(last) && last != ":"
    }

    /// Scalars that end a sentence (or a quoted or bracketed one), Latin and CJK.
    static let sentenceEnds: Set<Unicode.Scalar> = Set(".!?\"”’)。！？…」』".unicodeScalars)

    /// Per element: the text below it, split by kind, summed from the blocks.
    struct Totals {
        var chars: [Int32]
        var linkChars: [Int32]
        /// Text of long paragraphs with few links: almost never page furniture.
        var goodChars: [Int32]
        /// Text held directly (not by block elements inside), and its last character.
        var ownChars: [Int32]
        var lastScalar: [Unicode.Scalar?]

        init(_ blocks: [Block], tree: MarkupTree) {
            let count = tree.nodes.count
            chars = [Int32](repeating: 0, count: count)
            linkChars = chars
            goodChars = chars
            ownChars = chars
            lastScalar = [Unicode.Scalar?](repeating: nil, count: count)
            for block in blocks {
                let good = block.chars >= 80 && block.linkChars * 5 < block.chars
                ownChars[block.element] += Int32(block.chars)
                lastScalar[block.element] = block.text.unicodeScalars.last
                var n = block.element
                while n >= 0 {
                    chars[n] += Int32(block.chars)
                    linkChars[n] += Int32(block.linkChars)
                    if good { goodChars[n] += Int32(block.chars) }
                    n = Int(tree[n].parent)
                }
            }
        }
    }

    private static func dropFurniture(_ blocks: [Block], named furniture: [Int], tree: MarkupTree) -> [Block] {
        let nodes = tree.nodes
        var prose = [Int32](repeating: 0, count: nodes.count)
        var totalProse: Int32 = 0
        for block in blocks where block.chars >= 25 && block.linkChars * 2 < block.chars {
            totalProse += Int32(block.chars)
            var n = block.element
            while n >= 0 {
                prose[n] += Int32(block.chars)
                n = Int(nodes[n].parent)
            }
        }
        var dropped = [Bool](repeating: false, count: nodes.count)
        for n in furniture where prose[n] * 5 < totalProse * 2 { dropped[n] = true }
        return blocks.filter { block in
            var n = block.element
            while n >= 0 {
                if dropped[n] { return false }
                n = Int(nodes[n].parent)
            }
            return true
        }
    }

    /// The highest-scoring container and every container's final score; nil when no block is prose.
    private static func bestContainer(_ blocks: [Block], _ totals: Totals, tree: MarkupTree) -> (node: Int, scores: [Float])? {
        let nodes = tree.nodes
        var score = [Float](repeating: 0, count: nodes.count)
        var candidates: [Int] = []
        func add(_ n: Int, _ s: Float) {
            if score[n] == 0 { candidates.append(n) }
            score[n] += s
        }
        for block in blocks where block.chars >= 25 {
            let density = Float(block.linkChars) / Float(max(block.chars, 1))
            if density > 0.5 { continue }
            let s = (1 + Float(block.commas) + min(Float(block.chars) / 100, 3)) * (1 - density)
            let parent = Int(nodes[block.element].parent)
            guard parent >= 0 else { continue }
            add(parent, s)
            let grand = Int(nodes[parent].parent)
            if grand >= 0 { add(grand, s / 2) }
        }
        guard !candidates.isEmpty else { return nil }
        var final = [Float](repeating: 0, count: nodes.count)
        for c in candidates {
            let density = Float(totals.linkChars[c]) / Float(max(totals.chars[c], 1))
            final[c] = (score[c] + classWeight(tree, c)) * (1 - density)
        }
        let best = candidates.max { final[$0] < final[$1] }!
        return (best, final)
    }

    /// The best container widened: up to its parent while the parent adds mostly unlinked prose (articles split
    /// into sections around figures or ads; wrappers that hold nothing else), then its siblings that score nearly
    /// as well or are a lone prose paragraph.
    private static func widen(_ best: Int, scores: [Float], totals t: Totals, tree: MarkupTree) -> Set<Int> {
        let nodes = tree.nodes
        var top = best
        while top != tree.root, nodes[top].parent >= 0 {
            let parent = Int(nodes[top].parent)
            if ["body", "html"].contains(nodes[parent].name) { break }
            let addedGood = t.goodChars[parent] - t.goodChars[top]
            let addedOther = (t.chars[parent] - t.chars[top]) - addedGood
            let addedLinks = t.linkChars[parent] - t.linkChars[top]
            if addedOther > 40 && (addedOther * 2 > addedGood || addedLinks * 10 > addedGood + addedOther) { break }
            top = parent
        }
        var kept: Set<Int> = [top]
        guard nodes[top].parent >= 0 else { return kept }
        let threshold = max(10, scores[top] * 0.2)
        for sibling in tree.children(of: Int(nodes[top].parent)) where sibling != top && !nodes[sibling].isText {
            if scores[sibling] >= threshold && scores[sibling] > 0 { kept.insert(sibling); continue }
            // A lone paragraph beside the container (leads often sit outside it; some sites put every paragraph
            // in its own div): long with few links, or a short unlinked sentence.
            guard t.ownChars[sibling] > 0, t.ownChars[sibling] == t.chars[sibling] else { continue }
            if t.chars[sibling] > 80 && t.linkChars[sibling] * 4 < t.chars[sibling] {
                kept.insert(sibling)
            } else if t.linkChars[sibling] == 0, let last = t.lastScalar[sibling], ".!?\"”’)".unicodeScalars.contains(last) {
                kept.insert(sibling)
            }
        }
        return kept
    }

    private static func isInside(_ element: Int, _ kept: Set<Int>, _ nodes: [MarkupTree.Node]) -> Bool {
        var n = element
        while n >= 0 {
            if kept.contains(n) { return true }
            n = Int(nodes[n].parent)
        }
        return false
    }

    // MARK: - Blocks

    /// Elements that never hold article text.
    static let skippedTags: Set<String> = [
        "head", "script", "style", "noscript", "nav", "footer", "aside", "button", "select", "input", "textarea",
        "label", "figcaption", "figure", "menu", "dialog", "template", "svg", "iframe", "picture", "video", "audio",
    ]
    /// Elements that are usually furniture but sometimes wrap the whole page (ASP.NET puts everything in a
    /// `<form>`): treated like a furniture class name, so the 40%-of-the-prose rule keeps such a wrapper.
    static let furnitureTags: Set<String> = ["form", "header"]

    /// The page's blocks in document order; `furnitureNamed` receives the elements whose class or id names
    /// page furniture (their blocks are kept here; the caller decides).
    static func collectBlocks(_ tree: MarkupTree, furnitureNamed: inout [Int]) -> [Block] {
        let nodes = tree.nodes
        var blocks: [Block] = []
        var buffer: [UInt8] = []
        var bufferLinkBytes = 0
        var linkDepth = 0
        var blockStack: [Int] = [tree.root]
        // The block an image was last seen in, until text follows it; whether the buffered block started so.
        var imageBlock: Int?
        var bufferAfterImage = false

        func flush() {
            guard !buffer.isEmpty else { return }
            let text = Text.collapse(buffer)
            let totalBytes = buffer.count
            let linkShare = totalBytes > 0 ? Double(bufferLinkBytes) / Double(totalBytes) : 0
            buffer.removeAll(keepingCapacity: true)
            bufferLinkBytes = 0
            let afterImage = bufferAfterImage
            bufferAfterImage = false
            guard !text.isEmpty else { return }
            var charCount = 0, commas = 0
            for s in text.unicodeScalars {
                charCount += 1
                if s == "," || s == "，" || s == "、" { commas += 1 }
            }
            let element = blockStack.last ?? tree.root
            blocks.append(Block(text: text, chars: charCount, linkChars: Int(Double(charCount) * linkShare),
                                commas: commas, element: element, tag: nodes[element].name, afterImage: afterImage))
        }

        enum Entered { case skipped, leaf, parent }

        func enter(_ n: Int) -> Entered {
            let node = nodes[n]
            if node.isText {
                if let image = imageBlock, node.text.utf8.contains(where: { $0 > 0x20 }) {
                    if !buffer.contains(where: { $0 > 0x20 }) && blockStack.last != image { bufferAfterImage = true }
                    imageBlock = nil
                }
                buffer.append(contentsOf: node.text.utf8)
                if linkDepth > 0 { bufferLinkBytes += node.text.utf8.count }
                return .skipped
            }
            if node.name == "img" || node.name == "picture" { imageBlock = blockStack.last ?? tree.root }
            if skippedTags.contains(node.name) || isHidden(tree, n) { return .skipped }
            if isFurniture(tree, n) {
                // Furniture text must not merge into a neighbour's block: give it its own.
                flush()
                blockStack.append(n)
                furnitureNamed.append(n)
            } else if MarkupTree.blockElements.contains(node.name) {
                flush()
                blockStack.append(n)
            }
            if node.name == "a" { linkDepth += 1 }
            return node.firstChild >= 0 ? .parent : .leaf
        }

        func leave(_ n: Int) {
            let node = nodes[n]
            if node.name == "a" { linkDepth -= 1 }
            if blockStack.last == n {
                flush()
                blockStack.removeLast()
            }
        }

        // Pre-order walk; every element entered (and not skipped) is left exactly once.
        let top = tree.root
        guard enter(top) == .parent else { flush(); return blocks }
        var n = Int(nodes[top].firstChild)
        while n >= 0 {
            let entered = enter(n)
            if entered == .parent { n = Int(nodes[n].firstChild); continue }
            if entered == .leaf { leave(n) }
            var m = n
            n = -1
            while m != top {
                if nodes[m].next >= 0 { n = Int(nodes[m].next); break }
                m = Int(nodes[m].parent)
                leave(m)
            }
        }
        flush()
        return blocks
    }

    private static func isHidden(_ tree: MarkupTree, _ n: Int) -> Bool {
        if tree.attribute("hidden", of: n) != nil { return true }
        if tree.attribute("aria-hidden", of: n) == "true" { return true }
        if let style = tree.attribute("style", of: n)?.lowercased(), style.contains("display:none") || style.contains("display: none") {
            return true
        }
        return false
    }

    // MARK: - Class and id names

    /// Names that mark page furniture even inside an article container.
    static let strongNegative: Set<String> = [
        "comment", "comments", "related", "share", "sharing", "social", "newsletter", "outbrain", "taboola", "promo",
        "advert", "advertisement", "sponsored", "recommended", "recommendations", "breadcrumb", "breadcrumbs", "cookie",
        "cookies", "popup", "modal", "subscribe", "subscription", "signup", "paywall", "disqus",
    ]
    /// Names that mark furniture unless the element also names itself article content.
    static let weakNegative: Set<String> = [
        "sidebar", "footer", "nav", "navbar", "navigation", "menu", "trending", "popular", "most", "more", "readmore", "also",
        "ad", "ads", "tag", "tags", "author", "byline", "caption", "credit", "meta", "widget", "banner", "header",
        "masthead", "toolbar", "print", "tools", "skip", "hidden", "sr", "visually", "tooltip", "pagination", "pager",
        "timestamp", "dateline", "date", "bio", "rail", "teaser", "card", "cards", "list", "links", "video", "gallery",
    ]
    static let positive: Set<String> = [
        "article", "body", "content", "entry", "main", "post", "story", "text", "prose", "paragraph", "blog", "recipe",
    ]

    /// Lower-cased ASCII words of the class and id attributes (`c-entry-content` gives `c`, `entry`, `content`;
    /// `InlineImage-imageCaption` gives `inline`, `image`, `image`, `caption`).
    private static func nameTokens(_ tree: MarkupTree, _ n: Int) -> [String] {
        var tokens: [String] = []
        for key in ["class", "id"] {
            guard let value = tree.attribute(key, of: n), !value.isEmpty else { continue }
            var word: [UInt8] = []
            var previousWasLower = false
            for var b in value.utf8 {
                let isUpper = b >= 0x41 && b <= 0x5A
                if isUpper && previousWasLower && !word.isEmpty {
                    tokens.append(String(decoding: word, as: UTF8.self))
                    word.removeAll(keepingCapacity: true)
                }
                previousWasLower = b >= 0x61 && b <= 0x7A
                if isUpper { b += 32 }
                if (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) {
                    word.append(b)
                } else if !word.isEmpty {
                    tokens.append(String(decoding: word, as: UTF8.self))
                    word.removeAll(keepingCapacity: true)
                }
            }
            if !word.isEmpty { tokens.append(String(decoding: word, as: UTF8.self)) }
        }
        return tokens
    }

    static func isFurniture(_ tree: MarkupTree, _ n: Int) -> Bool {
        let name = tree.name(n)
        if name == "body" || name == "html" || name == "article" || name == "main" || name == "p" { return false }
        if furnitureTags.contains(name) { return true }
        let tokens = nameTokens(tree, n)
        guard !tokens.isEmpty else { return false }
        if tokens.contains(where: { strongNegative.contains($0) }) { return true }
        if tokens.contains(where: { weakNegative.contains($0) }) {
            return !tokens.contains(where: { positive.contains($0) })
        }
        return false
    }

    static func classWeight(_ tree: MarkupTree, _ n: Int) -> Float {
        var weight: Float = 0
        let tokens = nameTokens(tree, n)
        if tokens.contains(where: { positive.contains($0) }) { weight += 25 }
        if tokens.contains(where: { strongNegative.contains($0) || weakNegative.contains($0) }) { weight -= 25 }
        switch tree.name(n) {
        case "article": weight += 15
        case "main": weight += 10
        default: break
        }
        return weight
    }
}
