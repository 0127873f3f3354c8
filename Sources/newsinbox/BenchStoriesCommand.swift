import ArgumentParser
import Extraction
import FoundationEssentials
import Glibc
import NewsCore
import NewsIndex
import NewsInbox

/// `newsinbox bench stories --set FILE`: story clustering against the labelled set that
/// benchmarks/stories/make-labelled-set.py generates from the BBC corpus. Each half is run on its
/// own fresh index, in the set's arrival order, through the daemon's own path (read, extract, index
/// row, `ArticleIndex.storyID`); pairwise precision and recall are counted over the pairs of each half.
struct BenchStoriesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stories",
        abstract: "Pairwise precision and recall of story_id on the labelled set (dev and test halves).")

    @Option(help: "The labelled set (JSON lines from benchmarks/stories/make-labelled-set.py).") var set: String
    @Option(help: "Which halves: dev, test or both.") var half = "both"
    @Option(name: .customLong("model-dir"), help: "Where the models are.") var modelDir: String?
    @Option(help: "Write the pairs the matcher got wrong to this file.") var errors: String?
    @OptionGroup var output: BenchOutputOptions

    struct Doc: Decodable { var doc: String; var story: String; var half: String; var kind: String; var name: String; var text: String }

    func run() throws {
        let data = try String(contentsOfFile: set, encoding: .utf8)
        let docs = try data.split(separator: "\n").map { try JSONDecoder().decode(Doc.self, from: Data($0.utf8)) }
        let models = try ExtractionModels.load(searching: ModelDirectory.candidates(configured: modelDir))
        var json = BenchJSON()
        var mistakes: [String] = []
        for part in half == "both" ? ["dev", "test"] : [half] {
            let chosen = docs.filter { $0.half == part }
            let dir = (FileManager.default.temporaryDirectory.path + "/") + "newsinbox-bench-stories-\(getpid())-\(part)"
            try? FileManager.default.removeItem(atPath: dir)
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let index = try ArticleIndex(path: dir + "/index.sqlite")
            var predicted: [String: String] = [:]  // doc -> story id
            var decide: [Double] = []
            for doc in chosen {
                for (var record, signature) in try OfflineIndexing.entries(bytes: Array(doc.text.utf8), file: doc.name, models: models) {
                    let t0 = BenchClock.now()
                    record.storyID = try index.storyID(for: record, signature: signature)
                    decide.append(Double(BenchClock.now() - t0) / 1e3)
                    var batch = ArticleIndex.Batch()
                    batch.records = [(record, signature)]
                    try index.apply(batch)
                    predicted[doc.doc] = record.storyID
                }
            }
            var tp = 0, fp = 0, fn = 0
            for i in chosen.indices {
                for j in chosen.indices where j > i {
                    let same = chosen[i].story == chosen[j].story
                    let merged = predicted[chosen[i].doc] != nil && predicted[chosen[i].doc] == predicted[chosen[j].doc]
                    if same && merged { tp += 1 } else if merged { fp += 1 } else if same { fn += 1 }
                    if same != merged && mistakes.count < 500 {
                        mistakes.append("\(part)\t\(merged ? "merged" : "missed")\t\(chosen[i].doc) \(chosen[i].kind)\t\(chosen[j].doc) \(chosen[j].kind)\t\(chosen[i].story)/\(chosen[j].story)")
                    }
                }
            }
            let precision = tp + fp == 0 ? 1 : Double(tp) / Double(tp + fp)
            let recall = tp + fn == 0 ? 1 : Double(tp) / Double(tp + fn)
            let stories = Set(chosen.map(\.story)).count
            print("stories \(part): " + String(cFormat: "%d documents, %d stories, %d same-story pairs: precision %.4f, recall %.4f (tp %d, fp %d, fn %d); storyID() p50 %.0f µs, p99 %.0f µs",
                         chosen.count, stories, tp + fn, precision, recall, tp, fp, fn, Stat.percentile(decide, 0.5), Stat.percentile(decide, 0.99)))
            json["\(part).documents"] = chosen.count
            json["\(part).stories"] = stories
            json["\(part).same_story_pairs"] = tp + fn
            json["\(part).precision"] = Stat.rounded(precision, 4)
            json["\(part).recall"] = Stat.rounded(recall, 4)
            json["\(part).false_merges"] = fp
            json["\(part).missed_pairs"] = fn
            json["\(part).story_decision_p50_us"] = Stat.rounded(Stat.percentile(decide, 0.5), 1)
            json["\(part).story_decision_p99_us"] = Stat.rounded(Stat.percentile(decide, 0.99), 1)
        }
        if let errors { try mistakes.joined(separator: "\n").write(toFile: errors, atomically: true, encoding: .utf8) }
        try json.write(to: output.json)
    }
}
