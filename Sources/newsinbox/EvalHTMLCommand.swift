import ArgumentParser
import ArticleReaders
import Dispatch
import FoundationEssentials
import Glibc
import Control
import NewsCore

/// `newsinbox eval html DIR [--split dev|heldout|all] [--predictions OUT.json]`: extracts the article body of every
/// `DIR/html/<id>.html.gz`, scores it against `DIR/ground-truth.json` with the article-extraction benchmark's
/// shingle metric, and prints precision, recall, F1 and pages per second.
///
/// The split is fixed by the page id (the benchmark's ids are SHA-256 hex digests of the pages): an even first
/// hex digit is the development half (30 of the 61 pages), an odd one the held-out half (31). Rules are chosen
/// on `dev`; `heldout` is reported beside it and not tuned on.
struct EvalHTMLCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "html",
        abstract: "Score HTML article-body extraction against a ground-truth set (article-extraction-benchmark layout).")

    @Argument(help: "Directory with html/<id>.html.gz and ground-truth.json.")
    var directory: String

    @Option(name: .long, help: "Write the predictions here as {id: {\"articleBody\": text}}.")
    var predictions: String?

    @Flag(name: .long, help: "Print the score of every page.")
    var verbose = false

    enum Split: String, ExpressibleByArgument, CaseIterable {
        case dev, heldout, all

        /// Whether the page `id` (a hex digest) is in this split: dev when its first hex digit is even.
        func contains(_ id: String) -> Bool {
            guard self != .all else { return true }
            let even = id.first?.hexDigitValue.map { $0 % 2 == 0 } ?? true
            return even == (self == .dev)
        }
    }

    @Option(name: .long, help: "Which pages: dev (first hex digit of the id even), heldout (odd) or all.")
    var split: Split = .all

    func run() throws {
        let root = URL(fileURLWithPath: directory)
        let truthData = try Data(contentsOf: root.appendingPathComponent("ground-truth.json"))
        guard let truth = (try? JSONDecoder().decode(JSONValue.self, from: truthData))?.objectValue else {
            throw ValidationError("ground-truth.json is not a JSON object")
        }
        ArticleReading.prepare()
        var output: [String: [String: String]] = [:]
        var sums = (p: 0.0, r: 0.0, f: 0.0)
        var pages = 0
        var elapsed: UInt64 = 0, cpu: UInt64 = 0
        for id in truth.keys.sorted() where split.contains(id) {
            let gold = truth[id]?["articleBody"]?.stringValue ?? ""
            let file = root.appendingPathComponent("html/\(id).html.gz")
            guard let data = try? Data(contentsOf: file) else {
                print("missing: \(file.path)")
                continue
            }
            let bytes = [UInt8](data)
            let start = DispatchTime.now().uptimeNanoseconds, cpuStart = threadCPUNanoseconds()
            let predicted: String
            do {
                predicted = try ArticleReading.read(ReadInput(bytes: bytes, fileName: "\(id).html.gz")).articles.first?.text ?? ""
            } catch {
                predicted = ""
                print("\(id): \(error)")
            }
            elapsed += DispatchTime.now().uptimeNanoseconds - start
            cpu += threadCPUNanoseconds() - cpuStart
            output[id] = ["articleBody": predicted]
            let s = ShingleScore.score(predicted: predicted, truth: gold)
            sums.p += s.precision; sums.r += s.recall; sums.f += s.f1
            pages += 1
            if verbose {
                print("\(id.prefix(12))  P \(fmt(s.precision))  R \(fmt(s.recall))  F1 \(fmt(s.f1))  \(truth[id]?["url"]?.stringValue ?? "")")
            }
        }
        guard pages > 0 else { throw ValidationError("no pages scored") }
        let n = Double(pages)
        print("split      \(split.rawValue)")
        print("pages      \(pages)")
        print("precision  \(fmt(sums.p / n))")
        print("recall     \(fmt(sums.r / n))")
        print("F1         \(fmt(sums.f / n))")
        // CPU time is the fair measure on a shared machine; wall time is what this run saw.
        print("pages/s    \(Int(n / (Double(cpu) / 1e9))) per CPU-second, \(Int(n / (Double(elapsed) / 1e9))) wall (one thread: decompress + parse + extract)")
        if let predictions {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
            let data = try encoder.encode(output)
            try data.write(to: URL(fileURLWithPath: predictions))
        }
    }

    private func threadCPUNanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    private func fmt(_ x: Double) -> String { String(cFormat: "%.4f", x) }
}
