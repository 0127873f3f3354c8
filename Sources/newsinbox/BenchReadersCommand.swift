import ArgumentParser
import ArticleReaders
import Extraction
import FoundationEssentials
import Glibc

/// `newsinbox bench readers`: pages/s and MB/s of `ArticleReading.read` per input format, on one core.
///
/// Groups: the article-extraction benchmark's HTML pages (gzip-compressed, as they would be dropped),
/// and each folder of the wire-format samples. MB/s counts the bytes the reader gets; for the gzip'd
/// HTML the decompressed size is reported too.
struct BenchReadersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "readers",
        abstract: "Pages/s and MB/s of the format readers (HTML and the wire formats) on one core.")

    @Option(help: "Directory of HTML pages, .html or .html.gz (default: ../shared/corpora/article-html/html).") var html: String?
    @Option(help: "Directory with one folder per wire format (default: ../shared/corpora/formats).") var formats: String?
    @Option(help: "Minimum CPU seconds per group and repeat (default 0.5, 0.1 with --quick).") var seconds: Double?
    @Option(help: "Repeats per group; the figure is the median (default 5, 1 with --quick).") var repeats: Int?
    @OptionGroup var output: BenchOutputOptions

    struct Group {
        var name: String
        var files: [(name: String, bytes: [UInt8])]
        var decompressedBytes: Int?
    }

    func run() throws {
        let corpora = defaultCorpora()
        var groups: [Group] = []
        let htmlDir = html ?? corpora + "/article-html/html"
        if FileManager.default.fileExists(atPath: htmlDir) {
            let pages = try loadFiles(htmlDir) { $0.hasSuffix(".html") || $0.hasSuffix(".html.gz") }
            groups.append(Group(name: "html", files: pages, decompressedBytes: try Self.decompressedSize(htmlDir, pages.map(\.name))))
        } else {
            print("bench readers: no HTML pages at \(htmlDir): skipped")
        }
        let formatsDir = formats ?? corpora + "/formats"
        let folders = ((try? FileManager.default.contentsOfDirectory(atPath: formatsDir)) ?? []).sorted()
        for folder in folders {
            var isDirectory = false
            guard FileManager.default.fileExists(atPath: formatsDir + "/" + folder, isDirectory: &isDirectory), isDirectory else { continue }
            // The ninjs folder also holds JSON Schemas: not articles, left out of the rate.
            let files = try loadFiles(formatsDir + "/" + folder) { !$0.contains("schema") }
            if !files.isEmpty { groups.append(Group(name: folder, files: files)) }
        }
        guard !groups.isEmpty else { throw ValidationError("no reader input found under \(corpora)") }

        let minSeconds = seconds ?? (output.quick ? 0.1 : 0.5)
        let repeats = max(1, self.repeats ?? (output.quick ? 1 : 5))
        var table = BenchTable("group", "files", "read ok", "articles", "pages/s", "MB/s", "MB/s (decompressed)", "formats seen")
        var json = BenchJSON()
        var groupJSON: [BenchJSON] = []
        for group in groups {
            // One untimed pass: what each file reads as.
            var ok = 0, articles = 0
            var formatsSeen: [String: Int] = [:]
            var errors: [String] = []
            for file in group.files {
                do {
                    let result = try ArticleReading.read(ReadInput(bytes: file.bytes, fileName: file.name))
                    ok += 1
                    articles += result.articles.count
                    formatsSeen[result.format, default: 0] += 1
                } catch {
                    errors.append("\(file.name): \(error)")
                }
            }
            // Timed: the files that read; the rest would only measure how fast a failure is.
            let readable = group.files.filter { file in !errors.contains { $0.hasPrefix(file.name + ":") } }
            guard !readable.isEmpty else {
                table.add(group.name, String(group.files.count), "0", "0", "-", "-", "-", "none read: \(errors.first ?? "")")
                var g = BenchJSON()
                g["name"] = group.name
                g["files"] = group.files.count
                g["read_ok"] = 0
                g["errors"] = errors.prefix(3).joined(separator: "; ")
                groupJSON.append(g)
                continue
            }
            let inputBytes = readable.reduce(0) { $0 + $1.bytes.count }
            var perPage: [Double] = []  // CPU seconds per pass over the group
            for _ in 0..<repeats {
                var passes = 0
                var spent = 0.0
                var sink = 0
                while spent < minSeconds || passes == 0 {
                    spent += Timing.measure {
                        for file in readable {
                            if let result = try? ArticleReading.read(ReadInput(bytes: file.bytes, fileName: file.name)) {
                                sink &+= result.articles.count
                            }
                        }
                    }.cpu
                    passes += 1
                }
                if sink == -1 { print("") }
                perPage.append(spent / Double(passes))
            }
            let pass = Stat.median(perPage)
            let pagesPerSecond = Double(readable.count) / pass
            let mbPerSecond = Double(inputBytes) / 1e6 / pass
            let decompressed = readable.count == group.files.count ? group.decompressedBytes.map { Double($0) / 1e6 / pass } : nil
            let seen = formatsSeen.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: " ")
            table.add(group.name, String(group.files.count), String(ok), String(articles), fmtInt(pagesPerSecond),
                      fmt(mbPerSecond, 1), decompressed.map { fmt($0, 1) } ?? "-", seen)
            var g = BenchJSON()
            g["name"] = group.name
            g["files"] = group.files.count
            g["read_ok"] = ok
            g["articles"] = articles
            g["input_bytes"] = inputBytes
            g["decompressed_bytes"] = group.decompressedBytes
            g["cpu_seconds_per_pass"] = pass
            g["pages_per_cpu_second"] = pagesPerSecond
            g["mb_per_cpu_second"] = mbPerSecond
            g["decompressed_mb_per_cpu_second"] = decompressed
            g["formats_seen"] = seen
            g["errors"] = errors.isEmpty ? nil : errors.prefix(5).joined(separator: "; ")
            groupJSON.append(g)
        }
        json.set("groups", array: groupJSON)
        json["repeats"] = repeats
        table.print(title: "readers on one core (ArticleReading.read, median of \(repeats))")
        try BenchJSON.wrap("readers", json).write(to: output.json)
    }

    /// Total decompressed size of the .gz files among `names` (gzip -dc), or nil if there are none.
    static func decompressedSize(_ directory: String, _ names: [String]) throws -> Int? {
        let gz = names.filter { $0.hasSuffix(".gz") }
        guard !gz.isEmpty else { return nil }
        var total = 0
        for name in gz {
            let gzip = try ChildProcess(["/bin/gzip", "-dc", directory + "/" + name], outputFile: nil)
            total += try gzip.readAllOutput().count
            gzip.wait()
        }
        return total + names.filter { !$0.hasSuffix(".gz") }.reduce(0) { sum, name in
            sum + ((try? FileManager.default.attributesOfItem(atPath: directory + "/" + name)[.size] as? Int) ?? 0)
        }
    }
}
