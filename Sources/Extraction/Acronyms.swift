// Scaffold: acronym definitions arrive with issue 6 (this file is owned by that work).

public struct Acronym: Sendable, Encodable, Hashable {
    public var short: String
    public var long: String
}

enum AcronymStage {
    static func run(_ text: AnalysedText, entities: [Entity], deadline: Deadline) throws(DeadlineExceeded) -> [Acronym] { [] }
}
