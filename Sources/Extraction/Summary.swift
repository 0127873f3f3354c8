// Scaffold: keywords and the extractive summary arrive with issue 6 (this file is owned by that work).

public struct Keyword: Sendable, Encodable, Hashable {
    public var text: String
    public var score: Double
}

enum SummaryStage {
    struct Result { var keywords: [Keyword]; var sentences: [Int] }
    static func run(_ text: AnalysedText, entities: [Entity], deadline: Deadline) throws(DeadlineExceeded) -> Result {
        Result(keywords: [], sentences: [])
    }
}
