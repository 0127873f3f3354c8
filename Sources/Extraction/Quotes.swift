import NewsCore

/// A quotation and who said it.
public struct Quote: Sendable, Encodable, Hashable {
    public enum Kind: String, Sendable, Encodable {
        /// Whole sentences in quotation marks.
        case direct
        /// A phrase in quotation marks inside the writer's sentence.
        case partial
        /// Indirect speech after a cue verb: "Chollet had pointed out that ...".
        case reported
    }

    /// Offsets of the quoted words, quotation marks excluded.
    public var start: Int
    public var end: Int
    public var text: String
    public var kind: Kind
    /// The entity the quote is attributed to, when one was found.
    public var speakerId: String?
    /// The speaker as written ("the FO", "he", "Derek Chollet") or the entity's name.
    public var speaker: String?
    /// Where the speaker is named near the quote.
    public var speakerSpan: TextSpan?
    /// The cue: said, told, noted, according to ...
    public var cue: String?

    enum CodingKeys: String, CodingKey {
        case start, end, text, kind, speakerId = "speaker_id", speaker, speakerSpan = "speaker_span", cue
    }
}

enum QuoteStage {
    static func run(_ text: AnalysedText, entities: [Entity], deadline: Deadline) throws(DeadlineExceeded) -> [Quote] {
        try QuoteFinder(text: text, entities: entities).find(deadline: deadline)
    }
}
