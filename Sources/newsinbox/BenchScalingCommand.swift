import ArgumentParser
import Extraction
import FoundationEssentials
import NewsCore
import NewsInbox

/// `newsinbox bench scaling`: the cost of one article as it grows, stage by stage.
///
/// One article is built by joining BBC article bodies (in corpus order) until it reaches each size; each
/// is extracted once and every stage's thread-CPU time recorded. Cost per MB should stay flat: a stage
/// whose cost per MB grows with the size is worse than linear.
struct BenchScalingCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scaling",
        abstract: "CPU per stage for one article of 1 KB to several MB (is every stage linear?).")

    @Option(help: "A directory of plain-text articles (default: ../shared/corpora/bbc).") var corpus: String?
    @Option(help: ArgumentHelp("Repeat this text instead of joining BBC bodies (an article of one shape: acronyms, quotes...).",
                               valueName: "file")) var repeating: String?
    @Option(help: "Article sizes in KB, comma-separated.") var sizes = "1,10,100,250,500,1000,2000"
    @Option(name: .customLong("model-dir"), help: "Where the models are.") var modelDir: String?
    @OptionGroup var output: BenchOutputOptions

    static let stages = ["tokenize", "entities", "times", "quotes", "figures", "acronyms", "summary"]

    func run() throws {
        let bodies = try repeating.map { [try String(contentsOfFile: $0, encoding: .utf8).trimmingWhitespace()] }
            ?? bbcBodies()
        let kilobytes = sizes.split(separator: ",").compactMap { Int($0.trimmingBlanks()) }
        let extractor = Extractor(models: try ExtractionModels.load(searching: ModelDirectory.candidates(configured: modelDir)))

        var table = BenchTable(["KB", "total cpu s", "s/MB"] + Self.stages.map { "\($0) s/MB" })
        var points: [BenchJSON] = []
        for kb in kilobytes {
            var text = "", next = 0
            while text.utf8.count < kb * 1000 {
                if !text.isEmpty { text += "\n\n" }
                text += bodies[next % bodies.count]
                next += 1
            }
            let document = Document(text: text)
            var stageCPU: [String: Double] = [:]
            var last = BenchClock.threadCPU()
            let start = last
            _ = try extractor.extract(document) { stage in
                let now = BenchClock.threadCPU()
                stageCPU[stage] = Double(now - last) / 1e9
                last = now
            }
            let total = Double(last - start) / 1e9
            let mb = Double(text.utf8.count) / 1e6
            table.rows.append([String(kb), fmt(total, 3), fmt(total / mb, 3)]
                              + Self.stages.map { fmt((stageCPU[$0] ?? 0) / mb, 3) })
            var point = BenchJSON()
            point["bytes"] = text.utf8.count
            point["cpu_seconds"] = total
            point["cpu_seconds_per_mb"] = total / mb
            var perStage = BenchJSON()
            for stage in Self.stages { perStage[stage] = stageCPU[stage] ?? 0 }
            point["stage_cpu_seconds"] = perStage
            points.append(point)
        }
        table.print(title: "one article of \(repeating.map { "repeated " + $0 } ?? "joined BBC bodies"), thread CPU per stage (flat s/MB = linear)")
        var json = BenchJSON()
        json["text"] = repeating ?? "joined BBC bodies"
        json.set("points", array: points)
        try BenchJSON.wrap("scaling", json).write(to: output.json)
    }

    /// The BBC bodies without their headline line, so the joined text reads as one long article.
    func bbcBodies() throws -> [String] {
        let directory = corpus ?? defaultCorpora() + "/bbc"
        let files = try loadFiles(directory) { $0.hasSuffix(".txt") && !$0.contains("README") }
        guard !files.isEmpty else { throw ValidationError("no .txt articles in \(directory)") }
        return files.map { file in
            String(decoding: file.bytes, as: UTF8.self).split(separator: "\n", maxSplits: 1).dropFirst().joined()
                .trimmingWhitespace()
        }
    }
}
