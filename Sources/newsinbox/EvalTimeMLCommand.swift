import ArgumentParser
import Extraction
import Dispatch
import ExtractionTraining
import FoundationEssentials
import Glibc
import NewsCore

/// `newsinbox eval timeml DIR`: temporal expressions against TimeBank/AQUAINT gold annotation.
struct EvalTimeMLCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "timeml",
        abstract: "Score temporal expressions against TimeML (.tml) gold files.",
        discussion: """
            DIR holds .tml files, or folders of them (TimeBank/, AQUAINT/). Each document's DCT is its date.
            --split dev or heldout scores one part of the fixed split (a hash of the document name, see
            TimeMLSplit); rules are chosen on dev and heldout is scored once, after the work is done.
            """)

    @Argument(help: "A folder of .tml files or a folder of such folders.")
    var directory: String

    @Option(help: "Write one JSON line per found expression to this file.")
    var predictions: String?

    @Option(help: "Which documents: all, dev or heldout (a fixed split by a hash of the document name).")
    var split = "all"

    @Flag(help: "Print each missed, spurious and wrongly valued expression.")
    var verbose = false

    func run() throws {
        guard let part = TimeMLSplit(rawValue: split) else { throw ValidationError("--split is all, dev or heldout") }
        let files = try EvalTimeMLCommand.tmlFiles(in: directory).filter {
            part.contains(document: URL(fileURLWithPath: $0).deletingPathExtension().lastPathComponent)
        }
        guard !files.isEmpty else { throw ValidationError("no .tml files under \(directory)") }
        let extractor = Extractor(models: ExtractionModels())
        var score = TimexScore()
        var lines = ""
        var bytes = 0
        var seconds = 0.0
        var cpuSeconds = 0.0
        for file in files {
            let xml = try String(contentsOfFile: file, encoding: .utf8)
            let gold = TimeMLDocument(xml: xml)
            let name = URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
            let started = DispatchTime.now().uptimeNanoseconds
            let cpuStarted = EvalTimeMLCommand.threadCPUSeconds()
            let found = try extractor.extract(Document(text: gold.text, date: gold.date)).times
            cpuSeconds += EvalTimeMLCommand.threadCPUSeconds() - cpuStarted
            seconds += Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
            bytes += gold.text.utf8.count
            score.add(gold: gold.timexes, found: found)
            for t in found {
                lines += "{\"doc\":\(json(name)),\"start\":\(t.start),\"end\":\(t.end),\"value\":\(json(t.value)),\"type\":\"\(t.type.rawValue)\"}\n"
            }
            if verbose { report(name: name, gold: gold, found: found) }
        }
        if let predictions {
            try lines.write(toFile: predictions, atomically: true, encoding: .utf8)
        }
        func pct(_ x: Double) -> String { String(cFormat: "%.1f", x * 100) }
        print("split \(part.rawValue)  documents \(files.count)  gold \(score.gold)  found \(score.found)")
        print("strict  F1 \(pct(score.strictF1))")
        print("relaxed F1 \(pct(score.relaxedF1))  (P \(pct(Double(score.relaxedMatches) / Double(max(score.found, 1)))) R \(pct(Double(score.relaxedMatches) / Double(max(score.gold, 1)))))")
        print("value accuracy \(pct(score.valueAccuracy))  value F1 \(pct(score.valueF1))  type accuracy \(pct(score.typeAccuracy))")
        print(String(cFormat: "speed %.2f MB/s of CPU time, %.2f MB/s wall clock (full extraction, one thread)",
                     Double(bytes) / 1e6 / max(cpuSeconds, 1e-9), Double(bytes) / 1e6 / max(seconds, 1e-9)))
    }

    /// CPU time of the calling thread: speed on a shared machine without other processes' load.
    static func threadCPUSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }

    static func tmlFiles(in directory: String) throws -> [String] {
        let manager = FileManager.default
        var result: [String] = []
        for entry in try manager.contentsOfDirectory(atPath: directory).sorted() {
            let path = directory + "/" + entry
            var isDirectory = false
            guard manager.fileExists(atPath: path, isDirectory: &isDirectory) else { continue }
            if isDirectory {
                result += try manager.contentsOfDirectory(atPath: path).sorted().filter { $0.hasSuffix(".tml") }.map { path + "/" + $0 }
            } else if entry.hasSuffix(".tml") {
                result.append(path)
            }
        }
        return result
    }

    func report(name: String, gold: TimeMLDocument, found: [TimeExpression]) {
        let scalars = Array(gold.text.unicodeScalars)
        func text(_ a: Int, _ b: Int) -> String { String(String.UnicodeScalarView(scalars[a..<b])).replacing("\n", with: " ") }
        for g in gold.timexes {
            if let f = found.first(where: { $0.start < g.end && g.start < $0.end }) {
                if f.value != g.value || f.start != g.start || f.end != g.end {
                    print("DIFF \(name) [\(text(g.start, g.end))] \(g.type) \(g.value)  <>  [\(text(f.start, f.end))] \(f.type.rawValue) \(f.value)  dct \(gold.date?.iso ?? "-")")
                }
            } else {
                print("MISS \(name) [\(text(g.start, g.end))] \(g.type) \(g.value)  dct \(gold.date?.iso ?? "-")  ctx: \(text(max(0, g.start - 30), min(scalars.count, g.end + 30)))")
            }
        }
        for f in found where !gold.timexes.contains(where: { $0.start < f.end && f.start < $0.end }) {
            print("SPUR \(name) [\(text(f.start, f.end))] \(f.type.rawValue) \(f.value)  ctx: \(text(max(0, f.start - 30), min(scalars.count, f.end + 30)))")
        }
    }

    func json(_ s: String) -> String {
        var out = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            default: if c.value < 0x20 { out += "\\u" + String(repeating: "0", count: 4 - String(c.value, radix: 16).count) + String(c.value, radix: 16) } else { out.unicodeScalars.append(c) }
            }
        }
        return out + "\""
    }
}
