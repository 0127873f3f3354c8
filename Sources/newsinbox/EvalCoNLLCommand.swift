import ArgumentParser
import Dispatch
import Extraction
import ExtractionTraining
import FoundationEssentials
import Glibc
import NewsCore
import NewsInbox

/// `newsinbox eval conll`: tags a CoNLL file, writes the predictions, scores them against gold tags.
struct EvalCoNLLCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conll",
        abstract: "Tag a CoNLL-2003 file; print conlleval-style precision/recall/F1 when it has gold tags.")

    @Argument(help: "CoNLL file: word in the first column, blank lines between sentences.") var file: String
    @Option(help: "Write the input lines plus one column, the predicted tag.") var predictions: String?
    @Option(help: "Model directory (default: the usual search path).") var models: String?
    @Option(help: "Documents to tag and score, numbered from 1 in file order: all, odd (the tuning half of the held-out protocol) or even (the held-out half); the others' lines get no tag column.")
    var documents = "all"
    @Option(help: "Tag the file this many times and report tokens per second (one thread).") var benchmark: Int = 0

    func run() throws {
        let loaded = try ExtractionModels.load(searching: ModelDirectory.candidates(configured: models))
        guard let tagger = loaded.tagger else { throw ValidationError("no tagger in the models") }
        let corpus = CoNLLCorpus(text: try String(contentsOfFile: file, encoding: .utf8)).selecting(try documentSelection(documents, option: "--documents"))
        let started = DispatchTime.now().uptimeNanoseconds
        let tags = corpus.documents.map { tagger.tag($0) }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        print("model \(loaded.directory ?? "?") " + String(cFormat: "(%d features) loaded in %.1f ms; tagged %d tokens in %.2f s",
                     tagger.model.featureCount, loaded.loadMilliseconds, corpus.tokenCount, seconds))
        if benchmark > 0 {
            // CPU time of this thread, so that other load on the machine does not count.
            func cpuSeconds() -> Double {
                var t = timespec()
                clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
                return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
            }
            let start = DispatchTime.now().uptimeNanoseconds
            let cpuStart = cpuSeconds()
            var checksum = 0
            for _ in 0..<benchmark { for d in corpus.documents { checksum &+= tagger.tag(d).count } }
            let cpu = cpuSeconds() - cpuStart
            let s = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            let tokens = Double(corpus.tokenCount * benchmark)
            print(String(cFormat: "benchmark: %d tokens x %d: %.2f s wall (%.0f tokens/s), %.2f s CPU on one thread (%.0f tokens/s)",
                         corpus.tokenCount, benchmark, s, tokens / s, cpu, tokens / cpu))
            _ = checksum
            var fastest = Double.infinity
            for _ in 0..<5 { fastest = min(fastest, try ExtractionModels.load(searching: loaded.directory.map { [$0] } ?? []).loadMilliseconds) }
            print(String(cFormat: "load: %.1f ms (fastest of 5)", fastest))
        }
        if let predictions {
            var column = [String?](repeating: nil, count: corpus.lines.count)
            for (d, document) in corpus.documents.enumerated() {
                for (i, line) in document.lineNumbers.enumerated() { column[line] = tags[d][i] }
            }
            var out = ""
            for (n, line) in corpus.lines.enumerated() {
                if let tag = column[n] { out += line + " " + tag + "\n" } else { out += line + "\n" }
            }
            try out.write(toFile: predictions, atomically: true, encoding: .utf8)
        }
        if corpus.hasGold {
            var score = ChunkScore()
            for (d, document) in corpus.documents.enumerated() {
                score.add(gold: document.gold, predicted: tags[d], sentences: document.sentences)
            }
            print(score.report, terminator: "")
        }
    }
}

/// `--documents all|odd|even` as the corpus type.
func documentSelection(_ name: String, option: String) throws -> CoNLLCorpus.DocumentSelection {
    guard let selection = CoNLLCorpus.DocumentSelection(rawValue: name) else {
        throw ValidationError("\(option) takes all, odd or even, not \(name)")
    }
    return selection
}
