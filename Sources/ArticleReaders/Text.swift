/// Byte-level text clean-up shared by the readers (no per-Character work in the hot paths).
enum Text {
    /// Collapses runs of white space (ASCII, NBSP, the Unicode spaces and line/paragraph separators) to one
    /// space, drops control characters, and trims both ends.
    static func collapse(_ s: String) -> String {
        var s = s
        return s.withUTF8 { collapseBytes($0) }
    }

    static func collapse(_ bytes: [UInt8]) -> String {
        bytes.withUnsafeBufferPointer { collapseBytes($0) }
    }

    static func collapseBytes(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var pendingSpace = false
        var i = 0
        let n = bytes.count
        while i < n {
            let b = bytes[i]
            var spaceWidth = 0
            if b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D || b == 0x0C || b == 0x0B {
                spaceWidth = 1
            } else if b < 0x20 || b == 0x7F {
                spaceWidth = 1  // wire control characters act as separators
            } else if b == 0xC2, i + 1 < n, bytes[i + 1] == 0xA0 || bytes[i + 1] == 0x85 {
                spaceWidth = 2  // U+00A0 no-break space, U+0085 next line
            } else if b == 0xE2, i + 2 < n, bytes[i + 1] == 0x80,
                      (0x80...0x8A).contains(bytes[i + 2]) || bytes[i + 2] == 0xA8 || bytes[i + 2] == 0xA9 || bytes[i + 2] == 0xAF {
                spaceWidth = 3  // U+2000-U+200A, U+2028, U+2029, U+202F
            } else if b == 0xE2, i + 2 < n, bytes[i + 1] == 0x80, bytes[i + 2] == 0x8B {
                i += 3; continue  // zero-width space: dropped
            } else if b == 0xEF, i + 2 < n, bytes[i + 1] == 0xBB, bytes[i + 2] == 0xBF {
                i += 3; continue  // stray byte-order mark
            }
            if spaceWidth > 0 {
                pendingSpace = !out.isEmpty
                i += spaceWidth
                continue
            }
            if pendingSpace { out.append(0x20); pendingSpace = false }
            out.append(b)
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Splits on blank lines into paragraphs, each collapsed; empty paragraphs dropped.
    static func paragraphs(_ text: String) -> [String] {
        var result: [String] = []
        var current: [UInt8] = []
        var lineHasText = false
        for b in text.utf8 {
            if b == 0x0A {
                if !lineHasText {
                    if !current.isEmpty {
                        let p = collapse(current)
                        if !p.isEmpty { result.append(p) }
                        current.removeAll(keepingCapacity: true)
                    }
                } else {
                    current.append(0x0A)
                }
                lineHasText = false
                continue
            }
            if !(b == 0x20 || b == 0x09 || b == 0x0D) { lineHasText = true }
            current.append(b)
        }
        let p = collapse(current)
        if !p.isEmpty { result.append(p) }
        return result
    }

    /// Paragraphs of a text body from a feed: blank-line separated, or one per line when the text has no blank
    /// line at all; escaped HTML (`<p>...`) inside a text element is read as HTML.
    static func bodyParagraphs(_ text: String) -> [String] {
        if looksLikeMarkup(text) { return HTMLReader.fragmentParagraphs(text) }
        let blankSeparated = paragraphs(text)
        guard blankSeparated.count == 1, text.utf8.contains(0x0A) else { return blankSeparated }
        return text.split(separator: "\n").map { collapse(String($0)) }.filter { !$0.isEmpty }
    }

    static func looksLikeMarkup(_ text: String) -> Bool {
        let head = text.utf8.prefix(2000)
        guard head.contains(UInt8(ascii: "<")) else { return false }
        let lower = String(decoding: head, as: UTF8.self).lowercased()
        return lower.contains("<p>") || lower.contains("<p ") || lower.contains("<br") || lower.contains("</p>") || lower.contains("<div")
    }

    /// True when `s` has something besides white space.
    static func hasText(_ s: String?) -> Bool {
        guard let s else { return false }
        return s.utf8.contains { !($0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D) }
    }

    static func nonEmpty(_ s: String?) -> String? {
        guard let s else { return nil }
        let c = collapse(s)
        return c.isEmpty ? nil : c
    }
}

extension [UInt8] {
    /// Whether these bytes are valid UTF-8 (without building a String).
    var isValidUTF8: Bool {
        // The standard library's validation is vectorised; the copy it makes is cheap next to a parse.
        String(validating: self, as: UTF8.self) != nil
    }

    func starts(withASCII prefix: String, caseInsensitive: Bool = true, at offset: Int = 0) -> Bool {
        let p = Array(prefix.utf8)
        guard offset + p.count <= count else { return false }
        for (k, c) in p.enumerated() {
            var b = self[offset + k]
            if caseInsensitive, b >= 0x41, b <= 0x5A { b += 32 }
            var e = c
            if caseInsensitive, e >= 0x41, e <= 0x5A { e += 32 }
            if b != e { return false }
        }
        return true
    }
}
