import ArgumentParser
import Extraction
import ExtractionTraining
import FoundationEssentials

/// `newsinbox train ner`: trains the entity tagger from CoNLL-2003 files.
struct TrainNERCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ner",
        abstract: "Train the entity tagger (averaged perceptron) from a CoNLL-2003 file.",
        discussion: "Training is deterministic: the same files and options give the same model bytes.")

    @Option(help: "Training data, CoNLL-2003 format.") var train: String
    @Option(help: "Development data: picks the best epoch and reports F1 after each.") var dev: String?
    @Option(help: "Where to write the model.") var out: String
    @Option(help: "Which documents of --dev pick the epoch: all, odd (the tuning half; the even half stays held out) or even.")
    var devDocuments = "all"
    @Option(help: "Gazetteer TSV (default: gazetteer.tsv next to --out).") var gazetteer: String?
    @Option(help: "Word clusters TSV (default: clusters.tsv next to --out, if present).") var clusters: String?
    @Option(help: "Passes over the training data.") var epochs: Int = 15
    @Option(help: "Random seed for the order of sentences.") var seed: UInt64 = 20_230_212
    @Option(help: "Drop features seen fewer times than this.") var minCount: Int = 1
    @Option(help: "Vector-cluster TSV (scripts/make-vector-clusters.py); none by default.") var vectorClusters: String?
    @Option(help: "Train the second stage (non-local features) on first-pass labels jackknifed over this many folds of the training documents; 0: none.")
    var secondStageFolds: Int = 0
    @Option(help: "Passes of the second stage over the training data.") var secondStageEpochs: Int = 10

    func run() throws {
        let beside = URL(fileURLWithPath: out).deletingLastPathComponent()
        let gazetteerPath = gazetteer ?? beside.appendingPathComponent("gazetteer.tsv").path
        let clustersPath = clusters ?? beside.appendingPathComponent("clusters.tsv").path
        let gaz = Gazetteer(tsv: try read(gazetteerPath, "the gazetteer (--gazetteer)"))
        var wordClusters = clusters != nil || FileManager.default.fileExists(atPath: clustersPath)
            ? WordClusters(tsv: try read(clustersPath, "the word clusters (--clusters)")) : .empty
        if wordClusters.isEmpty { print("no word clusters: training without them") }
        if let vectorClusters { wordClusters.addVectorClusters(tsv: try read(vectorClusters, "the vector clusters (--vector-clusters)")) }
        let trainCorpus = CoNLLCorpus(text: try read(train, "the training data (--train)"))
        let devCorpus = try dev.map { CoNLLCorpus(text: try read($0, "the development data (--dev)")).selecting(try documentSelection(devDocuments, option: "--dev-documents")) }
        guard trainCorpus.hasGold else { throw ValidationError("\(train) carries no NER tags") }
        var options = NERTrainer.Options()
        options.epochs = epochs
        options.seed = seed
        options.minCount = minCount
        options.secondStageFolds = secondStageFolds
        options.secondStageEpochs = secondStageEpochs
        let tagger = NERTrainer.train(train: trainCorpus, dev: devCorpus, gazetteer: gaz, clusters: wordClusters,
                                      options: options) { print($0) }
        try tagger.write(to: out)
        print("wrote \(out) (\(tagger.model.featureCount) features" +
              (tagger.secondStage.map { ", second stage \($0.featureCount)" } ?? "") + ")")
    }

    private func read(_ path: String, _ what: String) throws -> String {
        do { return try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw ValidationError("cannot read \(what) at \(path)")
        }
    }
}
