public import NewsCore

/// The text every extraction stage works on, with random access by Unicode scalar.
///
/// All offsets in the output count Unicode scalars into `text` (end exclusive), so that consumers in
/// any language can slice the article text the same way.
public struct Document: Sendable {
    public let text: String
    public let scalars: [Unicode.Scalar]
    /// The date relative expressions are resolved against ("today", "next month").
    public let date: ArticleDate?

    public init(text: String, date: ArticleDate? = nil) {
        self.text = text
        self.scalars = Array(text.unicodeScalars)
        self.date = date
    }

    public subscript(span: TextSpan) -> String {
        let count = span.end - span.start
        guard count > 0 else { return "" }
        // Most spans are short ASCII words: build them from bytes, not scalar by scalar.
        if count <= 128 && !scalars[span.start..<span.end].contains(where: { $0.value >= 0x80 }) {
            return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: count) { buffer in
                for k in 0..<count { buffer[k] = UInt8(truncatingIfNeeded: scalars[span.start + k].value) }
                return String(decoding: UnsafeBufferPointer(rebasing: buffer[0..<count]), as: UTF8.self)
            }
        }
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars[span.start..<span.end])
        return String(view)
    }

    public func text(_ start: Int, _ end: Int) -> String {
        self[TextSpan(start: start, end: end)]
    }
}

/// A half-open range of Unicode scalar offsets into `Document.text`.
public struct TextSpan: Sendable, Hashable, Codable, Comparable {
    public var start: Int
    public var end: Int

    public init(start: Int, end: Int) {
        self.start = start
        self.end = end
    }

    public var length: Int { end - start }
    public var isEmpty: Bool { end <= start }

    public func contains(_ other: TextSpan) -> Bool { start <= other.start && other.end <= end }
    public func overlaps(_ other: TextSpan) -> Bool { start < other.end && other.start < end }

    public static func < (a: TextSpan, b: TextSpan) -> Bool { (a.start, a.end) < (b.start, b.end) }
}
