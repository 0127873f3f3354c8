import ArgumentParser
import Extraction
import ExtractionTraining
import FoundationEssentials
import NewsCore
import NewsInbox

/// `newsinbox train calibration`: fits the entity confidences' calibration to the model in place.
struct TrainCalibrationCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calibration",
        abstract: "Fit ner.calibration (lattice temperature, mention and entity Platt scaling) on half of CoNLL-2003 dev.",
        discussion: """
            Fits on the dev documents in odd places (1st, 3rd, ... -DOCSTART-), reports those and the held-out \
            even ones. Run it after every `train ner`: the calibration belongs to one model. Deterministic.
            """)

    @Option(help: "CoNLL-2003 dev file (eng.testa).") var dev: String
    @Option(help: "Model directory holding ner.model (default: the usual search path).") var models: String?
    @Option(help: "Where to write the calibration (default: ner.calibration in the model directory).") var out: String?
    @Option(help: "Also write the measurements as JSON here.") var results: String?

    func run() throws {
        let (directory, loadedTagger, corpus) = try CalibrationReport.inputs(models: models, dev: dev)
        var tagger = loadedTagger
        let scored = CalibrationFit.score(corpus, tagger: tagger)
        let fitted = CalibrationFit.fitMentions(scored, tagger: tagger)
        for (t, loss) in fitted.tried { print(String(cFormat: "temperature %7.3f: mention log loss %.5f", t, loss)) }
        tagger.calibration = NERCalibration(temperature: fitted.temperature, mention: fitted.platt, entity: .identity,
                                            modelFeatures: tagger.model.featureCount)
        let entityPlatt = CalibrationFit.platt(CalibrationFit.entities(corpus, tagger: tagger, calibrationHalf: true))
        tagger.calibration.entity = entityPlatt
        let path = out ?? directory + "/ner.calibration"
        let text = tagger.calibration.serialized(comment: [
            "made by: newsinbox train calibration --dev <CoNLL-2003 dev.txt>; fitted on its documents in odd places",
            "for the ner.model beside it (features: its feature count); refit after every train ner",
        ])
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        print("wrote \(path): temperature \(fitted.temperature), mention a \(fitted.platt.a) b \(fitted.platt.b), "
              + "entity a \(entityPlatt.a) b \(entityPlatt.b)")
        let report = CalibrationReport(corpus: corpus, scored: scored, tagger: tagger)
        print(report.text, terminator: "")
        if let results { try report.write(to: results) }
    }
}

/// `newsinbox eval calibration`: ECE and reliability tables of the stored calibration.
struct EvalCalibrationCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calibration",
        abstract: "Print the confidences' expected calibration error and reliability tables on both halves of CoNLL-2003 dev.")

    @Argument(help: "CoNLL-2003 dev file (eng.testa).") var dev: String
    @Option(help: "Model directory holding ner.model and ner.calibration (default: the usual search path).") var models: String?
    @Option(help: "Also write the measurements as JSON here (benchmarks/render-calibration.py reads it).") var results: String?

    func run() throws {
        let (_, tagger, corpus) = try CalibrationReport.inputs(models: models, dev: dev)
        let report = CalibrationReport(corpus: corpus, scored: CalibrationFit.score(corpus, tagger: tagger), tagger: tagger)
        print(report.text, terminator: "")
        if let results { try report.write(to: results) }
    }
}

/// Both halves, both levels, with the calibration the tagger carries.
struct CalibrationReport: Encodable {
    struct Half: Encodable {
        var documents: Int
        var mentions: CalibrationFit.Reliability
        var entities: CalibrationFit.Reliability
    }
    struct Pair: Encodable { var a: Double; var b: Double }

    var command = "newsinbox eval calibration ../shared/corpora/conll2003/dev.txt"
    var split = "CoNLL-2003 dev by document: odd places (1st, 3rd, ... -DOCSTART-) fit, even places held out"
    var temperature: Double
    var mentionPlatt: Pair
    var entityPlatt: Pair
    var calibrationHalf: Half
    var heldOutHalf: Half

    enum CodingKeys: String, CodingKey {
        case command, split, temperature, mentionPlatt = "mention_platt", entityPlatt = "entity_platt"
        case calibrationHalf = "calibration_half", heldOutHalf = "held_out_half"
    }

    /// The model directory found, its tagger (with the calibration beside it, if any) and the dev corpus.
    static func inputs(models: String?, dev path: String) throws -> (directory: String, tagger: NERTagger, corpus: CoNLLCorpus) {
        let loaded = try ExtractionModels.load(searching: ModelDirectory.candidates(configured: models))
        guard let tagger = loaded.tagger else { throw ValidationError("no tagger in the models") }
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch { throw ValidationError("cannot read \(path)") }
        let corpus = CoNLLCorpus(text: text)
        guard corpus.hasGold else { throw ValidationError("\(path) carries no NER tags") }
        return (loaded.directory ?? ".", tagger, corpus)
    }

    init(corpus: CoNLLCorpus, scored: CalibrationFit.Scored, tagger: NERTagger) {
        let c = tagger.calibration
        temperature = c.temperature
        mentionPlatt = Pair(a: c.mention.a, b: c.mention.b)
        entityPlatt = Pair(a: c.entity.a, b: c.entity.b)
        func half(_ calibrationHalf: Bool) -> Half {
            let mentions = CalibrationFit.mentions(scored, tagger: tagger, temperature: c.temperature, calibrationHalf: calibrationHalf)
                .map { (confidence: NERCalibration.rounded(c.mention($0.raw)), right: $0.right) }
            // The entity stage already wrote the calibrated, rounded confidence; recompute it from the raw score the same way.
            let entities = CalibrationFit.entities(corpus, tagger: tagger, calibrationHalf: calibrationHalf)
                .map { (confidence: NERCalibration.rounded(c.entity($0.raw)), right: $0.right) }
            let documents = corpus.documents.indices.filter { CalibrationFit.isCalibrationDocument($0) == calibrationHalf }.count
            return Half(documents: documents, mentions: CalibrationFit.Reliability(mentions), entities: CalibrationFit.Reliability(entities))
        }
        calibrationHalf = half(true)
        heldOutHalf = half(false)
    }

    var text: String {
        var out = String(cFormat: "calibration: temperature %.4g, mention a %.4f b %.4f, entity a %.4f b %.4f\n",
                         temperature, mentionPlatt.a, mentionPlatt.b, entityPlatt.a, entityPlatt.b)
        for (name, h) in [("calibration half (fitted on)", calibrationHalf), ("held-out half", heldOutHalf)] {
            out += "\(name): \(h.documents) documents\n"
            out += "  mentions (exact span and type):\n" + h.mentions.table
            out += "  entities (name and type):\n" + h.entities.table
        }
        return out
    }

    func write(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try (encoder.encode(self) + Data("\n".utf8)).write(to: URL(fileURLWithPath: path))
    }
}
