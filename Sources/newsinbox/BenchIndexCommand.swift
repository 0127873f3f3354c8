import ArgumentParser
import Extraction
import FoundationEssentials
import Glibc
import NewsCore
import NewsIndex
import NewsInbox

/// `newsinbox bench index`: what the index costs the writer per article, how that cost grows with the
/// index, its size per article, and query latency on a generated index (100,000 articles by default).
///
/// The articles are the BBC set, read and extracted once through the daemon's path (`OfflineIndexing`),
/// then repeated: copy N gets a fresh id, another feed and date, and a story signature of its own (its
/// words suffixed with N), so the LSH buckets fill as they would with that many different articles while
/// the entities recur as real news names do. Each copy goes through `ArticleIndex.storyID` and `apply`
/// in batches, as on the writer. Extraction's own CPU per article is measured in the same run, so the
/// index's share of the per-article work comes from one machine state.
struct BenchIndexCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index",
        abstract: "Index write cost per article, its growth, size per article and query latency on a generated index.")

    @Option(help: "A directory of plain-text articles (default: ../shared/corpora/bbc).") var corpus: String?
    @Option(help: "How many articles the generated index holds.") var articles = 100_000
    @Option(help: "Articles per write batch (the writer's group commit).") var batch = 64
    @Option(help: "Queries of each kind timed on the full index.") var queries = 200
    @Option(help: "Where the index is built (removed afterwards unless --keep).") var workdir = (FileManager.default.temporaryDirectory.path + "/")
    @Flag(help: "Keep the generated index (to read its query plans with sqlite3).") var keep = false
    @Option(name: .customLong("model-dir"), help: "Where the models are.") var modelDir: String?
    @OptionGroup var output: BenchOutputOptions

    func run() throws {
        let loadAtStart = BenchClock.loadAverage()
        let directory = corpus ?? defaultCorpora() + "/bbc"
        let files = try loadFiles(directory) { $0.hasSuffix(".txt") && !$0.contains("README") }
        guard !files.isEmpty else { throw ValidationError("no .txt articles in \(directory)") }
        let models = try ExtractionModels.load(searching: ModelDirectory.candidates(configured: modelDir))

        // Read + extract + index row, once per corpus file: the pipeline's per-article CPU besides the index.
        var base: [IndexRecord] = []
        var extractCPU: [Double] = []
        for file in files {
            let t0 = BenchClock.threadCPU()
            let entries = try OfflineIndexing.entries(bytes: file.bytes, file: file.name, models: models)
            extractCPU.append(Double(BenchClock.threadCPU() - t0) / 1e6)
            base += entries.map(\.0)
        }

        let dir = workdir + "/newsinbox-bench-index-\(getpid())"
        try? FileManager.default.removeItem(atPath: dir)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { if !keep { try? FileManager.default.removeItem(atPath: dir) } }
        let path = dir + "/index.sqlite"
        if keep { print("bench index: the index is kept at \(path)") }
        let index = try ArticleIndex(path: path)

        // Write: storyID + apply per article (CPU ms), recorded per decade of index size.
        var storyMicros: [Double] = []
        var writeMillis: [Double] = []  // per article: its share of the batch's apply, plus its storyID
        var growth = BenchJSON()
        var pending = ArticleIndex.Batch()
        var pendingStory = 0.0
        let start = BenchClock.now()
        for n in 0..<articles {
            var record = Self.copy(base[n % base.count], number: n, day: n * 100 / articles)
            let signature = StorySignature.compute(text: n < base.count ? record.text : Self.suffixWords(record.text, n / base.count))
            let t0 = BenchClock.threadCPU()
            record.storyID = try index.storyID(for: record, signature: signature)
            let story = Double(BenchClock.threadCPU() - t0) / 1e3
            storyMicros.append(story)
            pendingStory += story / 1e3
            pending.records.append((record, signature))
            if pending.records.count == batch || n == articles - 1 {
                let t1 = BenchClock.threadCPU()
                try index.apply(pending)
                let apply = Double(BenchClock.threadCPU() - t1) / 1e6
                writeMillis.append((apply + pendingStory) / Double(pending.records.count))
                pending = ArticleIndex.Batch()
                pendingStory = 0
            }
            if [1_000, 10_000, 100_000, 1_000_000].contains(n + 1) {
                let recent = storyMicros.suffix(1_000)
                growth["\(n + 1).story_decision_p50_us"] = Stat.percentile(Array(recent), 0.5)
                growth["\(n + 1).story_decision_p99_us"] = Stat.percentile(Array(recent), 0.99)
                growth["\(n + 1).write_ms_per_article"] = Stat.median(Array(writeMillis.suffix(1_000 / batch + 1)))
            }
        }
        let buildSeconds = Double(BenchClock.now() - start) / 1e9

        // Queries on the full index, each through a fresh read-only reader as a control connection has.
        let reader = try IndexReader(path: path)
        let sizes = try reader.sizes()
        let names = Array(Set(base.flatMap { $0.entities.filter { $0.type == "PERSON" || $0.type == "ORG" }.map(\.name) })).sorted()
        let speakers = Array(Set(base.flatMap { $0.quotes.compactMap(\.speaker) })).sorted()
        let words = ["minister", "election", "shares", "film", "broadband", "champion", "profits", "court"]
        let ids = (0..<queries).map { Self.id(($0 * 7_919) % articles) }
        var rng = SystemRandomNumberGenerator()
        let kinds: [(String, (Int) throws -> Void)] = [
            ("search_all", { _ in _ = try reader.search(.init(limit: 20)) }),
            ("search_type", { _ in _ = try reader.search(.init(type: "PERSON", limit: 20)) }),
            ("search_entity", { i in _ = try reader.search(.init(entity: names[(i * 31) % names.count], limit: 20)) }),
            ("search_entity_type_since", { i in _ = try reader.search(.init(entity: names[(i * 17) % names.count], type: "PERSON", since: "2005-02-01", limit: 20)) }),
            ("search_text", { i in _ = try reader.search(.init(text: words[i % words.count], limit: 20)) }),
            ("search_feed_until", { i in _ = try reader.search(.init(feed: "feed-\(i % 8)", until: "2005-03-01", limit: 20)) }),
            ("story", { i in _ = try reader.story(ids[i]) }),
            ("trending_24h", { _ in _ = try reader.trending(window: 86_400, type: nil, limit: 10, now: Self.trendingEnd) }),
            ("trending_7d", { _ in _ = try reader.trending(window: 7 * 86_400, type: nil, limit: 10, now: Self.trendingEnd) }),
            ("trending_7d_person", { _ in _ = try reader.trending(window: 7 * 86_400, type: "PERSON", limit: 10, now: Self.trendingEnd) }),
            ("quotes_speaker", { i in _ = try reader.quotes(speaker: speakers.isEmpty ? nil : speakers[(i * 13) % speakers.count], since: nil, limit: 20) }),
        ]
        var json = BenchJSON()
        json["articles"] = articles
        json["corpus_articles"] = base.count
        json["batch"] = batch
        json["build_seconds"] = buildSeconds
        json["bytes"] = sizes["bytes"] ?? 0
        json["bytes_per_article"] = Double(sizes["bytes"] ?? 0) / Double(articles)
        json["extract_cpu_ms_per_article_p50"] = Stat.median(extractCPU)
        json["extract_cpu_ms_per_article_mean"] = extractCPU.reduce(0, +) / Double(extractCPU.count)
        json["index_write_cpu_ms_per_article_p50"] = Stat.median(writeMillis)
        let writeMean = writeMillis.reduce(0, +) / Double(writeMillis.count)
        let extractMean = extractCPU.reduce(0, +) / Double(extractCPU.count)
        let bytesPerArticle = Double(sizes["bytes"] ?? 0) / Double(articles)
        let storyP50 = Stat.percentile(storyMicros, 0.5), storyP99 = Stat.percentile(storyMicros, 0.99)
        json["index_write_cpu_ms_per_article_mean"] = writeMean
        json["index_share_of_per_article_cpu"] = writeMean / extractMean
        json["story_decision_p50_us"] = storyP50
        json["story_decision_p99_us"] = storyP99
        json["growth"] = growth
        let share = 100 * writeMean / extractMean
        print(String(cFormat: "bench index: %d articles in %.0f s, %.0f bytes per article; write %.3f ms CPU per article (extraction %.2f ms: %.1f%%); storyID p50 %.0f µs, p99 %.0f µs",
                     articles, buildSeconds, bytesPerArticle, writeMean, extractMean, share, storyP50, storyP99))
        // Wall time is what a user waits; on a shared, loaded machine it is mostly waiting for a core.
        // The query thread's own CPU time (it runs SQLite on this thread) is what the query costs.
        var latency = BenchJSON(), cpu = BenchJSON()
        print("  query                       wall p50 / p99 / max           thread CPU p50 / p99 / max")
        for (name, query) in kinds {
            var ms: [Double] = [], cpuMs: [Double] = []
            for i in (0..<queries).shuffled(using: &rng) {
                let t0 = BenchClock.now(), c0 = BenchClock.threadCPU()
                try query(i)
                cpuMs.append(Double(BenchClock.threadCPU() - c0) / 1e6)
                ms.append(Double(BenchClock.now() - t0) / 1e6)
            }
            latency[name] = latencyJSON(ms)
            cpu[name] = latencyJSON(cpuMs)
            print("  " + name.padded(to: 26) + String(cFormat: " %8.2f / %8.2f / %8.2f ms   %8.2f / %8.2f / %8.2f ms",
                         Stat.percentile(ms, 0.5), Stat.percentile(ms, 0.99), ms.max() ?? 0,
                         Stat.percentile(cpuMs, 0.5), Stat.percentile(cpuMs, 0.99), cpuMs.max() ?? 0))
        }
        json["query_latency_ms"] = latency
        json["query_cpu_ms"] = cpu
        json.set("load_average_at_start", numbers: loadAtStart)
        json.set("load_average_at_end", numbers: BenchClock.loadAverage())
        json["max_rss_mb"] = Double(RSSSampler.status(getpid(), "VmHWM") ?? 0) / 1024
        try json.write(to: output.json)
    }

    /// Articles are dated over 100 days from 2005-01-01 (the BBC set's era), each with a timestamp
    /// somewhere in its day. `trending` ends at noon of the last day, so its windows start and end
    /// mid-day: the edges of each window are counted from the articles, not from whole days
    /// (`entity_days`), the dearer case. (Before schema 5 every article was at midnight and the
    /// windows ended at midnight.)
    static let epochStart: Int64 = 1_104_537_600
    static let epochEnd: Int64 = epochStart + 100 * 86_400
    static let trendingEnd: Int64 = epochEnd - 43_200

    static func id(_ n: Int) -> String { String(cFormat: "%024lx", 0xbe_0000_0000 + n) }

    static func copy(_ r: IndexRecord, number n: Int, day: Int) -> IndexRecord {
        var r = r
        r.id = id(n)
        r.guid = "urn:bench:\(n)"
        r.file = "feed-\(n % 8)/\(n).txt"
        r.feed = "feed-\(n % 8)"
        r.storyID = r.id
        let midnight = epochStart + Int64(day) * 86_400
        r.date = String(UTCTimestamp.string(from: Date(timeIntervalSince1970: TimeInterval(midnight))).prefix(10))
        r.timestamp = UTCTimestamp.string(from: Date(timeIntervalSince1970: TimeInterval(midnight + Int64(n * 7_919 % 86_400))))
        return r
    }

    /// Every word with `n` appended: the same text shape, shingles no other copy has.
    static func suffixWords(_ text: String, _ n: Int) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count * 2)
        var inWord = false
        for ch in text {
            let letter = ch.isLetter || ch.isNumber
            if inWord && !letter { out += "q\(n)" }
            out.append(ch)
            inWord = letter
        }
        if inWord { out += "q\(n)" }
        return out
    }
}
