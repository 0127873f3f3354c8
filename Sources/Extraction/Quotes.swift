// Scaffold: quotes and attribution arrive with issue 6 (this file is owned by that work).

public struct Quote: Sendable, Encodable, Hashable {
    public var start: Int
    public var end: Int
    public var text: String
    public var speaker: String?
}

enum QuoteStage {
    static func run(_ text: AnalysedText, entities: [Entity], deadline: Deadline) throws(DeadlineExceeded) -> [Quote] { [] }
}
