import ArgumentParser
import Extraction
import ExtractionTraining
import FoundationEssentials
import NewsCore
import NewsInbox

/// `newsinbox eval quotes GOLD.jsonl [--split dev|heldout|all]`: extracts every article the quote gold names
/// and prints detection, attribution and end-to-end figures, with breakdowns for continuation quotes,
/// organisation speakers and false positives by kind (scare quotes, titles).
struct EvalQuotesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quotes",
        abstract: "Score quote detection and attribution against hand-made quote gold (docs/annotation/quotes-gold.jsonl).",
        discussion: "The article paths in the gold are relative to --corpus. See docs/annotation/quotes.md for what is scored.")

    @Argument(help: "The gold, JSON Lines: one article per line.")
    var gold: String

    @Option(help: "Score only this half: dev, heldout or all.")
    var split = "all"

    @Option(help: "The BBC corpus folder the gold's article paths are relative to.")
    var corpus = "../shared/corpora/bbc"

    @Option(name: .customLong("model-dir"), help: "Where the models are (default: next to the binary, then the source tree).")
    var modelDir: String?

    @Option(help: "Write the figures as JSON to this file.")
    var json: String?

    @Flag(help: "Print every missed quote, wrong speaker and false positive.")
    var verbose = false

    func validate() throws {
        guard ["dev", "heldout", "all"].contains(split) else { throw ValidationError("--split is dev, heldout or all") }
    }

    func run() throws {
        let articles = try QuoteGoldArticle.load(jsonLines: String(contentsOfFile: gold, encoding: .utf8))
            .filter { split == "all" || $0.split == split }
        guard !articles.isEmpty else { throw ValidationError("no articles for split \(split) in \(gold)") }
        let extractor = Extractor(models: try ExtractionModels.load(searching: ModelDirectory.candidates(configured: modelDir)))
        var score = QuoteScore()
        for article in articles {
            let text = try String(contentsOfFile: corpus + "/" + article.article, encoding: .utf8)
            // The file's text as it is (headline, blank line, paragraphs): the gold's offsets count it.
            let quotes = try extractor.extract(Document(text: text)).quotes
            let scalars = Array(text.unicodeScalars)
            let before = score.misses.count
            score.add(article, found: quotes, text: scalars)
            if verbose {
                for miss in score.misses[before...] { print(describe(miss, scalars)) }
            }
        }
        let lines = summary(score, articles: articles.count)
        for line in lines { print(line) }
        if let json {
            try figures(score, articles: articles.count).write(toFile: json, atomically: true, encoding: .utf8)
        }
    }

    func summary(_ s: QuoteScore, articles: Int) -> [String] {
        func f(_ x: Double) -> String { String(cFormat: "%.3f", x) }
        func tally(_ name: String, _ t: QuoteScore.Tally) -> String {
            "\(name): \(t.gold) gold, detection recall \(f(t.detectionRecall)), attribution \(f(t.attributionAccuracy)), end to end recall \(f(t.endToEndRecall))"
        }
        let fp = s.falsePositives.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        return [
            "split \(split): \(articles) articles, \(s.all.gold) gold quotes, \(s.found) found (\(s.ignored) optional spans left out)",
            "detection   P \(f(s.detectionPrecision))  R \(f(s.all.detectionRecall))  F1 \(f(s.detectionF1))",
            "attribution \(f(s.all.attributionAccuracy)) of detected quotes",
            "end to end  P \(f(s.endToEndPrecision))  R \(f(s.all.endToEndRecall))  F1 \(f(s.endToEndF1))",
            tally("continuation quotes", s.continuation),
            tally("continuation paragraphs", s.continuationParagraph),
            tally("organisation speakers", s.organisation),
            "false positives: " + (fp.isEmpty ? "none" : fp),
        ]
    }

    func figures(_ s: QuoteScore, articles: Int) -> String {
        func t(_ x: QuoteScore.Tally) -> String {
            String(cFormat: "{\"gold\": %d, \"detection_recall\": %.4f, \"attribution\": %.4f, \"end_to_end_recall\": %.4f}",
                   x.gold, x.detectionRecall, x.attributionAccuracy, x.endToEndRecall)
        }
        let fp = s.falsePositives.sorted { $0.key < $1.key }.map { "\"\($0.key)\": \($0.value)" }.joined(separator: ", ")
        return "{\"split\": \"\(split)\", \"articles\": \(articles), \"gold\": \(s.all.gold), \"found\": \(s.found), "
            + String(cFormat: "\"detection\": {\"precision\": %.4f, \"recall\": %.4f, \"f1\": %.4f}, ", s.detectionPrecision, s.all.detectionRecall, s.detectionF1)
            + String(cFormat: "\"attribution\": %.4f, ", s.all.attributionAccuracy)
            + String(cFormat: "\"end_to_end\": {\"precision\": %.4f, \"recall\": %.4f, \"f1\": %.4f}, ", s.endToEndPrecision, s.all.endToEndRecall, s.endToEndF1)
            + "\"continuation\": \(t(s.continuation)), \"continuation_paragraphs\": \(t(s.continuationParagraph)), "
            + "\"organisation\": \(t(s.organisation)), \"false_positives\": {\(fp)}}\n"
    }

    func describe(_ miss: QuoteScore.Miss, _ s: [Unicode.Scalar]) -> String {
        func text(_ a: Int, _ b: Int) -> String {
            let t = String(String.UnicodeScalarView(s[max(0, a)..<min(s.count, b)])).replacing("\n", with: " ")
            return t.count > 90 ? String(t.prefix(90)) + "..." : t
        }
        switch miss.kind {
        case "missed":
            let g = miss.gold!
            return "MISS  \(miss.article) [\(text(g.start, g.end))] \(g.speaker)\(g.continuation ? " (continuation)" : "")"
        case "speaker":
            let g = miss.gold!
            return "WHO   \(miss.article) [\(text(g.start, g.end))] gold \(g.speaker) found \(miss.found?.speaker ?? "-") (cue \(miss.found?.cue ?? "-"))\(g.continuation ? " (continuation)" : "")"
        default:
            let p = miss.foundPiece!
            return "FP    \(miss.article) [\(text(p.start, p.end))] \(miss.kind) speaker \(miss.found?.speaker ?? "-")"
        }
    }
}
