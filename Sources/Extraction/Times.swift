import NewsCore

/// A TIMEX3 expression normalised against the article date.
public struct TimeExpression: Sendable, Encodable, Hashable {
    public enum Kind: String, Sendable, Encodable { case date = "DATE", time = "TIME", duration = "DURATION", set = "SET" }

    public var start: Int
    public var end: Int
    public var text: String
    public var type: Kind
    /// The TIMEX3 value: 2023-02-13, 2023-W07, P2Y, XXXX-WXX-1, PAST_REF ...
    public var value: String
    /// TIMEX3 mod: START, MID, END, APPROX ...
    public var mod: String?
    /// For the second end of a range ("to 16"), the index of the expression that opens it.
    public var rangeStart: Int?

    enum CodingKeys: String, CodingKey { case start, end, text, type, value, mod, rangeStart = "range_start" }
}

enum TimeStage {
    static func run(_ text: AnalysedText, deadline: Deadline) throws(DeadlineExceeded) -> [TimeExpression] {
        try TimeTagger.tag(text, deadline: deadline)
    }
}
