import ArgumentParser
import ArticleReaders
import Extraction
import ExtractionTraining
import FoundationEssentials
import NewsCore
import NewsInbox

/// `newsinbox eval entities GOLD.jsonl`: the article's entities (after resolution) against hand-annotated
/// gold, entity by entity: precision, recall and F1 per type, splits, over-merges, wrongly typed.
struct EvalEntitiesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "entities",
        abstract: "Score the entities of whole articles against gold such as docs/annotation/bbc-entities.jsonl.",
        discussion: "Each gold line names an article relative to --corpora; it is read as the daemon reads it. "
            + "The scoring is defined in docs/annotation/entities.md.")

    @Argument(help: "Gold entities, one JSON object per article.")
    var gold: String

    @Option(help: "Score only the articles of this split (dev or heldout).")
    var split: String?

    @Option(help: "The corpora root the gold's article paths are relative to.")
    var corpora = "../shared/corpora"

    @Option(name: .customLong("model-dir"), help: "Where the models are (default: next to the binary, then the source tree).")
    var modelDir: String?

    @Option(help: "Write the scores as JSON to this file.")
    var json: String?

    @Flag(help: "Print every missed, spurious, split, merged and wrongly typed entity.")
    var verbose = false

    func validate() throws {
        if let split, split != "dev" && split != "heldout" { throw ValidationError("--split is dev or heldout") }
    }

    func run() throws {
        let articles = try EntityGoldArticle.load(jsonl: String(decoding: FileBytes.read(gold), as: UTF8.self))
            .filter { split == nil || $0.split == split }
        guard !articles.isEmpty else { throw ValidationError("no gold articles\(split.map { " in split \($0)" } ?? "") in \(gold)") }
        let extractor = Extractor(models: try ExtractionModels.load(searching: ModelDirectory.candidates(configured: modelDir)))
        ArticleReading.prepare()
        var total = EntityScore()
        for gold in articles {
            let bytes = try FileBytes.read(corpora + "/" + gold.article)
            let read = try ArticleReading.read(ReadInput(bytes: bytes, fileName: gold.article))
            guard let article = read.articles.first else { throw ValidationError("\(gold.article): no article") }
            let entities = try extractor.extract(Document(text: article.text, date: article.date)).entities
            let produced = entities.map { ScoredEntity(type: $0.type.rawValue, forms: [$0.name] + $0.aliases) }
            let score = EntityScore.score(gold: gold.entities, produced: produced)
            if verbose {
                for line in score.errors { print("\(gold.article): \(line)") }
            }
            total = total + score
        }
        func f(_ x: Double) -> String { String(cFormat: "%.3f", x) }
        let o = total.overall
        print("articles \(total.articles)\(split.map { " (\($0))" } ?? "")  gold \(o.truePositives + o.falseNegatives)  produced \(o.truePositives + o.falsePositives)")
        print("overall  P \(f(o.precision))  R \(f(o.recall))  F1 \(f(o.f1))")
        for type in EntityScore.scoredTypes {
            let c = total.byType[type] ?? EntityScore.Counts()
            print("\(type + String(repeating: " ", count: max(0, 7 - type.count)))  P \(f(c.precision))  R \(f(c.recall))  F1 \(f(c.f1))  (gold \(c.truePositives + c.falseNegatives))")
        }
        print("splits \(total.splits)  over-merges \(total.overMerges)  wrongly typed \(total.wronglyTyped)")
        if let json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
            try encoder.encode(total).write(to: URL(fileURLWithPath: json))
        }
    }
}
