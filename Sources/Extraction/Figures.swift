import NewsCore

/// A number in the text with what it measures: "over 80 people", "$2.5bn", "3.5%", "the second round".
public struct Figure: Sendable, Encodable, Hashable {
    public enum Kind: String, Sendable, Encodable { case money, percent, quantity, duration, ordinal }

    public var start: Int
    public var end: Int
    public var text: String
    public var kind: Kind
    /// The number, multipliers applied (2.5bn is 2.5e9); nil for vague counts ("dozens of").
    public var value: Double?
    /// over, nearly, at least, about ...
    public var qualifier: String?
    /// ISO 4217 code for money, "%" for percentages, the unit word for measures and durations (km, year).
    public var unit: String?
    /// What is counted: people, round, loan.
    public var counts: String?
    /// The verb the figure goes with, when it is right before it: killed, rose.
    public var verb: String?
}

enum FigureStage {
    static func run(_ text: AnalysedText, deadline: Deadline) throws(DeadlineExceeded) -> [Figure] {
        var result: [Figure] = []
        let finder = FigureFinder(text: text)
        for sentence in text.sentences {
            finder.find(in: sentence, into: &result)
            try deadline.check("figures")
        }
        return result
    }
}
