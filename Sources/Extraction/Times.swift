// Scaffold: temporal expressions arrive with issue 6 (this file is owned by that work).

/// A TIMEX3 expression normalised against the article date.
public struct TimeExpression: Sendable, Encodable, Hashable {
    public var start: Int
    public var end: Int
    public var text: String
    public var type: String
    public var value: String
}

enum TimeStage {
    static func run(_ text: AnalysedText, deadline: Deadline) throws(DeadlineExceeded) -> [TimeExpression] { [] }
}
