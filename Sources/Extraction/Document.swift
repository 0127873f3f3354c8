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
