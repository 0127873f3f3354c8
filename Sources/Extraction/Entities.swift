// Scaffold: the entity tagger and resolution arrive with issue 5 (this file is owned by that work).

/// One entity of the article: its mentions merged (Derek Chollet / Chollet / Mr Chollet).
public struct Entity: Sendable, Encodable, Hashable {
    public enum Kind: String, Sendable, Encodable { case person = "PERSON", org = "ORG", place = "PLACE", norp = "NORP", event = "EVENT", misc = "MISC" }
    public var id: String
    public var type: Kind
    public var name: String
    public var mentions: [TextSpan]
}

/// Models loaded once at start-up and shared read-only by the workers.
public struct ExtractionModels: Sendable {
    public init() {}

    /// Loads the shipped models; `directory` overrides where they are looked for.
    public static func load(directory: String? = nil) throws -> ExtractionModels { ExtractionModels() }
}

enum EntityStage {
    static func run(_ text: AnalysedText, models: ExtractionModels, deadline: Deadline) throws(DeadlineExceeded) -> [Entity] { [] }
}
