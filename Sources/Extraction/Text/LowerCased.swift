/// Lower-cased copies of token text for the rule-based stages, built without per-scalar String appends.
enum LowerCased {
    /// The scalars `start..<end` lower-cased (ASCII letters only; ’ becomes '), as a String.
    static func word(_ s: [Unicode.Scalar], _ start: Int, _ end: Int) -> String {
        let count = end - start
        guard count > 0 else { return "" }
        var ascii = true
        for k in start..<end where s[k].value >= 0x80 && s[k] != "\u{2019}" { ascii = false; break }
        if ascii && count <= 64 {
            return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: count) { buffer in
                for k in 0..<count {
                    let c = s[start + k]
                    var v = c == "\u{2019}" ? 0x27 : UInt8(truncatingIfNeeded: c.value)
                    if v >= 0x41 && v <= 0x5A { v += 0x20 }
                    buffer[k] = v
                }
                return String(decoding: UnsafeBufferPointer(rebasing: buffer[0..<count]), as: UTF8.self)
            }
        }
        var view = String.UnicodeScalarView()
        for k in start..<end {
            let c = s[k]
            if c.value >= 0x41 && c.value <= 0x5A { view.append(Unicode.Scalar(c.value + 0x20)!) }
            else if c == "\u{2019}" { view.append("'") }
            else { view.append(c) }
        }
        return String(view)
    }

    /// Paragraph boundaries (blank lines) found with plain scalar comparisons; same spans as
    /// `SentenceSplitter.paragraphs` for text whose white space is ASCII.
    static func isBlankLineBreak(_ s: [Unicode.Scalar], at i: Int) -> Bool {
        guard s[i] == "\n" else { return false }
        var j = i + 1
        while j < s.count && (s[j] == " " || s[j] == "\t" || s[j] == "\r") { j += 1 }
        return j >= s.count || s[j] == "\n"
    }
}
