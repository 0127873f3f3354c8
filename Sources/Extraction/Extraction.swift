/// Everything extracted from one article's text. Offsets count Unicode scalars into the text.
public struct Extraction: Sendable, Encodable {
    public var paragraphs: [TextSpan] = []
    public var sentences: [TextSpan] = []
    public var wordCount: Int = 0
    public var entities: [Entity] = []
    public var times: [TimeExpression] = []
    public var quotes: [Quote] = []
    public var figures: [Figure] = []
    public var acronyms: [Acronym] = []
    public var keywords: [Keyword] = []
    /// Indexes into `sentences` of the most central sentences, in text order.
    public var summary: [Int] = []

    public init() {}

    enum CodingKeys: String, CodingKey {
        case paragraphs, sentences, wordCount = "word_count", entities, times, quotes, figures, acronyms, keywords, summary
    }
}
