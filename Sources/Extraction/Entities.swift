import Dispatch
import FoundationEssentials

/// One entity of the article: its mentions merged (Derek Chollet / Chollet / Mr Chollet).
public struct Entity: Sendable, Encodable, Hashable {
    public enum Kind: String, Sendable, Encodable { case person = "PERSON", org = "ORG", place = "PLACE", norp = "NORP", event = "EVENT", misc = "MISC" }
    /// "e1", "e2", ... in order of first mention.
    public var id: String
    public var type: Kind
    /// The fullest form used in the article ("Derek Chollet", "Foreign Office").
    public var name: String
    public var mentions: [TextSpan]
    /// The distinct surface forms of the mentions ("Derek Chollet", "Chollet").
    public var aliases: [String] = []
    /// ISO 3166 code of a place: alpha-2 for a country, ISO 3166-2 for a subdivision.
    public var code: String? = nil
    /// The country (alpha-2) a place lies in, where the gazetteer knows it.
    public var country: String? = nil
    /// Roles and titles given to a person ("US State Department Counsellor").
    public var roles: [String] = []
    /// How central the entity is to the article, 0...1 (1 for the most central).
    public var salience: Double = 0
    /// The calibrated probability that the entity is a name of its type, 0...1, three decimals
    /// (`EntityConfidence`).
    public var confidence: Double = 0
    /// The uncalibrated score `confidence` was mapped from (not written out; the calibration is fitted on it).
    package var rawConfidence: Double = 0

    public init(id: String, type: Kind, name: String, mentions: [TextSpan]) {
        self.id = id
        self.type = type
        self.name = name
        self.mentions = mentions
    }

    enum CodingKeys: String, CodingKey { case id, type, name, mentions, aliases, code, confidence, country, roles, salience }
}

/// Models loaded once at start-up and shared read-only by the workers.
public struct ExtractionModels: Sendable {
    /// The entity tagger; nil in `ExtractionModels()`, which finds no entities.
    public let tagger: NERTagger?
    public let directory: String?
    /// Milliseconds spent loading.
    public let loadMilliseconds: Double

    /// No models: stages that need one return nothing.
    public init() {
        tagger = nil
        directory = nil
        loadMilliseconds = 0
    }

    public init(tagger: NERTagger, directory: String?, loadMilliseconds: Double = 0) {
        self.tagger = tagger
        self.directory = directory
        self.loadMilliseconds = loadMilliseconds
    }

    /// Loads the models from `directory`.
    public static func load(directory: String) throws -> ExtractionModels {
        try load(searching: [directory])
    }

    /// Loads the models from the first of `candidates` that holds them; the error names every one.
    public static func load(searching candidates: [String]) throws -> ExtractionModels {
        let started = DispatchTime.now().uptimeNanoseconds
        let found = try locate(in: candidates)
        var tagger = try NERTagger.load(path: found + "/" + modelFile)
        if let calibration = try NERCalibration.load(directory: found),
           calibration.modelFeatures == nil || calibration.modelFeatures == tagger.model.featureCount {
            tagger.calibration = calibration
        }
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e6
        return ExtractionModels(tagger: tagger, directory: found, loadMilliseconds: elapsed)
    }
}
