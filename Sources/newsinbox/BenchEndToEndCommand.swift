import ArgumentParser
import Control
import FoundationEssentials
import Glibc

/// `newsinbox bench e2e`: the real daemon and the Python peer on the same files, in one run.
///
/// Files are BBC articles with a `date 2005-01-01` first line; copies beyond the first 2,225 end with a
/// `(copy N)` paragraph so every file has its own id. Every drop is write-to-staging then rename into
/// the inbox; a file counts as finished when its source arrives in state/done/ (or failed/), which each
/// system does only after the JSON output is durable (and, for NewsInbox, after the journal entry).
struct BenchEndToEndCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "e2e",
        abstract: "Articles/s, close-to-durable latency, RSS and start-up of newsinboxd beside the spaCy peer.")

    @Option(help: "The daemon binary.") var daemon = ".build-release/release/newsinboxd"
    @Option(name: .customLong("daemon-config"), help: "A config file for the daemon (e.g. index = off to measure the index's cost).") var daemonConfig: String?
    @Option(name: .customLong("peer-python"), help: "Python with spacy + watchdog for the peer; without it the peer is skipped.") var peerPython: String?
    @Option(name: .customLong("peer-script"), help: "The peer daemon.") var peerScript = "benchmarks/peer/spacy_inbox.py"
    @Option(help: "Directory of BBC plain-text articles (default: ../shared/corpora/bbc).") var corpus: String?
    @Option(help: "The seed article (default: ../shared/corpora/seed/dawn-2023-02-12.txt).") var seed: String?
    @Option(help: "Where workspaces go (removed afterwards).") var workdir = "/tmp"
    @Option(name: .customLong("seed-drops"), help: "Seed variants dropped one at a time (default 200; peer 30).") var seedDrops: Int?
    @Option(name: .customLong("backlog-files"), help: "Files in the BBC backlog (default 2225, the set).") var backlogFiles: Int?
    @Option(help: "Repeats of the BBC backlog for NewsInbox (default 3; median reported).") var repeats: Int?
    @Option(help: "Files in the large backlog renamed in at once (default 0; run.sh uses 20000 on tmpfs).") var scale: Int?
    @Option(name: .customLong("big-backlog"), help: "Files already waiting at start-up, for flat RSS (default 0; run.sh uses 100000 on tmpfs).") var bigBacklog: Int?
    @Option(name: .customLong("steady-seconds"), help: "Duration of each steady-rate run (default 20).") var steadySeconds: Double?
    @Option(help: "Fresh instances started to time exec to READY=1 (default 7).") var startups: Int?
    @Option(name: .customLong("peer-backlog-files"), help: "Files in the peer's backlog (default 300: the peer needs minutes for the set).") var peerBacklogFiles: Int?
    @Option(name: .customLong("peer-steady-seconds"), help: "Duration of the peer's steady-rate runs (default 4).") var peerSteadySeconds: Double?
    @Flag(name: .customLong("keep"), help: "Keep the workspaces for inspection.") var keep = false
    @OptionGroup var output: BenchOutputOptions

    func run() throws {
        let corpora = defaultCorpora()
        let corpus = try BenchCorpus(bbc: self.corpus ?? corpora + "/bbc", seed: seed ?? corpora + "/seed/dawn-2023-02-12.txt")
        let quick = output.quick
        let base = workdir + "/newsinbox-bench-\(getpid())"
        defer { if !keep { try? FileManager.default.removeItem(atPath: base) } }
        BenchCleanup.onInterrupt(remove: keep ? nil : base)
        let journald = FileManager.default.fileExists(atPath: "/run/systemd/journal/socket")
        print("bench e2e: \(corpus.bbc.count) BBC articles, workspaces in \(base), journald \(journald ? "on: one journal entry per article" : "absent: no journal entries")")

        let daemonPath = URL(fileURLWithPath: daemon).standardizedFileURL.path
        guard FileManager.default.isExecutableFile(atPath: daemonPath) else { throw ValidationError("no daemon binary at \(daemonPath)") }
        let configArguments = daemonConfig.map { ["--config", URL(fileURLWithPath: $0).standardizedFileURL.path] } ?? []
        let newsinbox = SystemUnderTest(name: "newsinbox") { ws in
            [daemonPath, "--foreground"] + configArguments
                + ["--inbox", ws.inbox, "--output", ws.output, "--state", ws.state, "--control-socket", ws.root + "/control.sock"]
        }
        let peer: SystemUnderTest? = peerPython.map { python in
            let script = URL(fileURLWithPath: peerScript).standardizedFileURL.path
            return SystemUnderTest(name: "peer") { ws in [python, script, "--inbox", ws.inbox, "--output", ws.output, "--state", ws.state] }
        }

        var plans: [(SystemUnderTest, Plan)] = [(newsinbox, Plan(
            seedDrops: seedDrops ?? (quick ? 50 : 200), steadySeconds: steadySeconds ?? (quick ? 4 : 20),
            backlogFiles: min(corpus.bbc.count, backlogFiles ?? (quick ? 500 : corpus.bbc.count)),
            backlogRepeats: repeats ?? (quick ? 1 : 3), scale: scale ?? 0, startups: startups ?? (quick ? 3 : 7)))]
        if let peer {
            plans.append((peer, Plan(
                seedDrops: quick ? 8 : 30, steadySeconds: peerSteadySeconds ?? (quick ? 0.6 : 4),
                backlogFiles: peerBacklogFiles ?? (quick ? 40 : 300), backlogRepeats: 1, scale: 0, startups: 1)))
        }

        var results: [String: BenchJSON] = [:]
        var summaries: [String: Summary] = [:]
        for (system, plan) in plans {
            print("bench e2e: \(system.name) ...")
            fflush(nil)
            let runner = ScenarioRunner(system: system, corpus: corpus, base: base + "/" + system.name)
            let (json, summary) = try runner.runAll(plan)
            results[system.name] = json
            summaries[system.name] = summary
        }
        let big = bigBacklog ?? 0
        if big > 0 {
            print("bench e2e: newsinbox with \(big) files waiting at start-up ...")
            fflush(nil)
            let runner = ScenarioRunner(system: newsinbox, corpus: corpus, base: base + "/newsinbox-big")
            var json = results["newsinbox"]!
            json["backlog_at_startup"] = try runner.prefilledBacklog(big, summary: &summaries["newsinbox"]!)
            results["newsinbox"] = json
        }

        var out = BenchJSON()
        out["journald"] = journald
        out["newsinbox"] = results["newsinbox"]
        if let p = results["peer"] { out["peer"] = p }
        Summary.table(summaries["newsinbox"]!, summaries["peer"]).print(title: "end to end (newsinboxd vs spaCy peer, same files, same run)")
        if let n = summaries["newsinbox"], let p = summaries["peer"] { out["ratios"] = Summary.ratios(n, p) }
        try BenchJSON.wrap("e2e", out).write(to: output.json)
    }
}

struct SystemUnderTest {
    let name: String
    let argv: (BenchWorkspace) -> [String]
}

/// The input files: BBC articles given a date line, and the seed article.
struct BenchCorpus {
    let bbc: [[UInt8]]
    let seed: [UInt8]

    init(bbc directory: String, seed: String) throws {
        let files = try loadFiles(directory) { $0.hasSuffix(".txt") && !$0.contains("README") }
        guard !files.isEmpty else { throw ValidationError("no BBC articles in \(directory)") }
        bbc = files.map { Array("date 2005-01-01\n".utf8) + $0.bytes }
        guard let s = FileManager.default.contents(atPath: seed) else { throw ValidationError("cannot read \(seed)") }
        self.seed = [UInt8](s)
    }

    /// The `index`th file of an endless sequence: the BBC set, then copies of it with a `(copy N)` paragraph.
    func article(_ index: Int) -> [UInt8] {
        let copy = index / bbc.count
        let base = bbc[index % bbc.count]
        return copy == 0 ? base : base + Array("\n\n(copy \(copy))\n".utf8)
    }

    func seedVariant(_ index: Int) -> [UInt8] { seed + Array("\n\n(copy \(index + 1))\n".utf8) }

    /// A short article: the date line, headline and first paragraph of a BBC article, and a copy number.
    /// The backlog that tests memory uses these so that 100,000 files drain in minutes on 2 cores.
    func shortArticle(_ index: Int) -> [UInt8] {
        let base = bbc[index % bbc.count]
        var breaks = 0
        var end = base.count
        for i in 1..<base.count where base[i] == 0x0A && base[i - 1] == 0x0A {
            breaks += 1
            if breaks == 2 { end = i; break }
        }
        return Array(base[..<end]) + Array("\n(copy \(index))\n".utf8)
    }
}

/// What one system runs; the peer gets smaller sets where it would take minutes.
struct Plan {
    var seedDrops: Int
    var steadySeconds: Double
    var backlogFiles: Int
    var backlogRepeats: Int
    var scale: Int
    var startups: Int
}

/// The headline numbers of one system, for the table and the ratios.
struct Summary {
    var startupMs = 0.0
    var idleMB = 0.0
    var seedP50 = 0.0, seedP99 = 0.0
    var steady50P50 = 0.0, steady50P99 = 0.0, steady50Max = 0.0, steady50KeptUp = false
    var backlogRate = 0.0
    /// Articles per CPU-second of the system's own process (journald's work for the daemon not counted).
    var backlogPerCPU = 0.0
    var backlogPeakMB = 0.0
    var sustainedRate = 0.0, sustainedP50 = 0.0, sustainedP99 = 0.0, sustainedMax = 0.0
    var scaleRate: Double?
    var scalePeakMB: Double?
    var bigRate: Double?
    var bigRSSGrowthMB: Double?
    var bigPeakMB: Double?
    var peakMB = 0.0
    var afterMB = 0.0

    static func table(_ n: Summary, _ p: Summary?) -> BenchTable {
        var t = BenchTable("measure", "newsinbox", "peer", "newsinbox advantage")
        func row(_ name: String, _ a: Double, _ b: Double?, _ digits: Int = 1, higherIsBetter: Bool) {
            let ratio = b.map { b in higherIsBetter ? a / b : b / a }
            t.add(name, fmt(a, digits), b.map { fmt($0, digits) } ?? "-", ratio.map { fmt($0, 1) + "x" } ?? "-")
        }
        row("start-up to READY=1 (ms)", n.startupMs, p?.startupMs, higherIsBetter: false)
        row("RSS idle (MB)", n.idleMB, p?.idleMB, higherIsBetter: false)
        row("seed, one at a time: p50 (ms)", n.seedP50, p?.seedP50, higherIsBetter: false)
        row("seed, one at a time: p99 (ms)", n.seedP99, p?.seedP99, higherIsBetter: false)
        row("50 files/s: p50 close-to-durable (ms)", n.steady50P50, p?.steady50P50, higherIsBetter: false)
        row("50 files/s: p99 (ms)", n.steady50P99, p?.steady50P99, higherIsBetter: false)
        row("50 files/s: max (ms)", n.steady50Max, p?.steady50Max, higherIsBetter: false)
        row("BBC backlog (articles/s)", n.backlogRate, p?.backlogRate, higherIsBetter: true)
        row("BBC backlog (articles per CPU-second)", n.backlogPerCPU, p?.backlogPerCPU, higherIsBetter: true)
        row("RSS peak during backlog (MB)", n.backlogPeakMB, p?.backlogPeakMB, higherIsBetter: false)
        row("steady at 80% of max: rate (files/s)", n.sustainedRate, p?.sustainedRate, higherIsBetter: true)
        row("steady at 80% of max: p50 (ms)", n.sustainedP50, p?.sustainedP50, higherIsBetter: false)
        row("steady at 80% of max: p99 (ms)", n.sustainedP99, p?.sustainedP99, higherIsBetter: false)
        row("steady at 80% of max: max (ms)", n.sustainedMax, p?.sustainedMax, higherIsBetter: false)
        if let r = n.scaleRate { t.add("20k+ backlog (articles/s)", fmt(r), "-", "-") }
        if let r = n.scalePeakMB { t.add("RSS peak, 20k+ backlog (MB)", fmt(r), "-", "-") }
        if let r = n.bigRate { t.add("waiting at start-up (articles/s)", fmt(r), "-", "-") }
        if let r = n.bigPeakMB { t.add("RSS peak, files waiting at start-up (MB)", fmt(r), "-", "-") }
        if let r = n.bigRSSGrowthMB { t.add("RSS growth 10%->90% of that backlog (MB)", fmt(r), "-", "-") }
        row("RSS peak, whole run (VmHWM, MB)", n.peakMB, p?.peakMB, higherIsBetter: false)
        row("RSS after the load (MB)", n.afterMB, p?.afterMB, higherIsBetter: false)
        return t
    }

    static func ratios(_ n: Summary, _ p: Summary) -> BenchJSON {
        var j = BenchJSON()
        j["backlog_articles_per_second"] = n.backlogRate / p.backlogRate
        j["backlog_articles_per_cpu_second"] = n.backlogPerCPU / p.backlogPerCPU
        j["sustained_rate"] = n.sustainedRate / p.sustainedRate
        j["startup"] = p.startupMs / n.startupMs
        j["seed_latency_p50"] = p.seedP50 / n.seedP50
        j["steady50_latency_p99"] = p.steady50P99 / n.steady50P99
        j["rss_idle"] = p.idleMB / n.idleMB
        j["rss_peak"] = p.peakMB / n.peakMB
        j["note"] = "peer / newsinbox for times and memory, newsinbox / peer for rates: above 1 favours newsinbox"
        return j
    }
}

/// Runs the scenarios against one long-running instance of a system.
final class ScenarioRunner {
    let system: SystemUnderTest
    let corpus: BenchCorpus
    let base: String
    private var serial = 0

    init(system: SystemUnderTest, corpus: BenchCorpus, base: String) {
        self.system = system
        self.corpus = corpus
        self.base = base
    }

    private var content = 0

    /// The next file of the corpus sequence: every file dropped into one instance has its own content.
    private func nextArticle() -> [UInt8] {
        content += 1
        return corpus.article(content - 1)
    }

    private func nextName(_ tag: String) -> String {
        serial += 1
        return "\(tag)-\(serial).txt"
    }

    func runAll(_ plan: Plan) throws -> (BenchJSON, Summary) {
        var json = BenchJSON()
        var summary = Summary()

        // Start-up: fresh instances, exec to READY=1; the first one goes on to run the scenarios.
        var startups: [Double] = []
        for i in 1..<max(1, plan.startups) {
            let ws = try BenchWorkspace.make(base + "/startup-\(i)")
            let launched = try LaunchedSystem(argv: system.argv(ws), workspace: ws)
            startups.append(launched.startupSeconds * 1000)
            launched.stop()
            ws.remove()
        }
        let ws = try BenchWorkspace.make(base + "/main")
        defer { ws.remove() }
        let watcher = try FinishWatcher(directories: [ws.done, ws.failed])
        defer { watcher.stop() }
        let launched = try LaunchedSystem(argv: system.argv(ws), workspace: ws)
        defer { launched.stop() }
        startups.append(launched.startupSeconds * 1000)
        summary.startupMs = Stat.median(startups)
        var s = BenchJSON()
        s.set("runs_ms", numbers: startups)
        s["median_ms"] = summary.startupMs
        json["startup"] = s
        usleep(1_500_000)
        summary.idleMB = launched.rss.currentMB ?? 0
        json["rss_idle_mb"] = summary.idleMB

        // One article at a time: drop, wait for it, next.
        var seedLatencies: [Double] = []
        for i in 0..<plan.seedDrops {
            let name = nextName("seed")
            try ws.stage(name, corpus.seedVariant(i))
            let before = watcher.count
            let dropped = try ws.drop(name)
            guard watcher.wait(until: before + 1, workspace: ws, timeout: 120) else { throw ValidationError("\(system.name): seed drop \(name) never finished") }
            if let t = watcher.time(name) { seedLatencies.append(milliseconds(dropped, t)) }
            usleep(20_000)
        }
        json["seed_one_at_a_time"] = latencyJSON(seedLatencies)
        summary.seedP50 = Stat.percentile(seedLatencies, 0.5)
        summary.seedP99 = Stat.percentile(seedLatencies, 0.99)

        // 50 files/s.
        let s50 = try steadyRate(ws, watcher, launched, rate: 50, seconds: plan.steadySeconds, tag: "s50")
        json["steady_50_per_second"] = s50.json
        summary.steady50P50 = s50.p50; summary.steady50P99 = s50.p99; summary.steady50Max = s50.max
        summary.steady50KeptUp = s50.keptUp

        // The BBC set dropped at once.
        var backlogRuns: [BacklogResult] = []
        for r in 0..<plan.backlogRepeats {
            let files = (0..<plan.backlogFiles).map { _ in (nextName("bbc\(r)"), nextArticle()) }
            backlogRuns.append(try backlog(ws, watcher, launched, files))
        }
        let rates = backlogRuns.map(\.rate)
        var b = BenchJSON()
        b["files"] = plan.backlogFiles
        b.set("articles_per_second_runs", numbers: rates)
        b["articles_per_second_median"] = Stat.median(rates)
        b.set("runs", array: backlogRuns.map(\.json))
        summary.backlogRate = Stat.median(rates)
        summary.backlogPerCPU = Stat.median(backlogRuns.map(\.perCPU))
        b["articles_per_cpu_second_median"] = summary.backlogPerCPU
        json["backlog_bbc"] = b
        summary.backlogPeakMB = backlogRuns.map(\.peakMB).max() ?? 0

        // Steady at 80% of the backlog rate: the sustainable rate's latency.
        let rate = max(1, (0.8 * summary.backlogRate).rounded())
        let sMax = try steadyRate(ws, watcher, launched, rate: rate, seconds: plan.steadySeconds, tag: "smax")
        json["steady_80_percent_of_max"] = sMax.json
        summary.sustainedRate = sMax.achieved
        summary.sustainedP50 = sMax.p50; summary.sustainedP99 = sMax.p99; summary.sustainedMax = sMax.max

        // The large backlog: the BBC set repeated, renamed in all at once.
        if plan.scale > 0 {
            let files = (0..<plan.scale).map { _ in (nextName("big"), nextArticle()) }
            let result = try backlog(ws, watcher, launched, files)
            var j = result.json
            j["files"] = plan.scale
            json["backlog_scale"] = j
            summary.scaleRate = result.rate
            summary.scalePeakMB = result.peakMB
        }

        usleep(3_000_000)
        summary.afterMB = launched.rss.currentMB ?? 0
        summary.peakMB = launched.rss.peakMB ?? 0
        json["rss_after_load_mb"] = summary.afterMB
        json["rss_peak_mb"] = summary.peakMB
        json["outputs"] = ws.outputs()
        json["failed"] = ((try? FileManager.default.contentsOfDirectory(atPath: ws.failed)) ?? []).filter { !$0.hasSuffix(".error.json") }.count
        json["watcher_lost_events"] = watcher.lostEvents
        return (json, summary)
    }

    struct SteadyResult {
        var json: BenchJSON
        var p50: Double, p99: Double, max: Double
        var achieved: Double
        var keptUp: Bool
    }

    /// Drops files at `rate` per second for `seconds`; latency of each from rename to finished.
    private func steadyRate(_ ws: BenchWorkspace, _ watcher: FinishWatcher, _ launched: LaunchedSystem,
                            rate: Double, seconds: Double, tag: String) throws -> SteadyResult {
        let count = max(1, Int(rate * seconds))
        let files = (0..<count).map { _ in (nextName(tag), nextArticle()) }
        for (name, bytes) in files { try ws.stage(name, bytes) }
        let before = watcher.count
        var dropped: [(String, UInt64)] = []
        let t0 = BenchClock.now()
        for (i, (name, _)) in files.enumerated() {
            let target = t0 + UInt64(Double(i) / rate * 1e9)
            let now = BenchClock.now()
            if target > now {
                var ts = timespec(tv_sec: Int((target - now) / 1_000_000_000), tv_nsec: Int((target - now) % 1_000_000_000))
                nanosleep(&ts, nil)
            }
            dropped.append((name, try ws.drop(name)))
        }
        let lastDrop = dropped.last!.1
        // The slower system gets time to drain: what it cannot keep up with shows in the latency.
        let finished = watcher.wait(until: before + count, workspace: ws, timeout: 60 + Double(count) / 5)
        let latencies = dropped.compactMap { name, t in watcher.time(name).map { milliseconds(t, $0) } }
        let lastDone = dropped.compactMap { watcher.time($0.0) }.max() ?? lastDrop
        let rss = launched.rss.megabytes(from: t0, to: lastDone)
        var j = latencyJSON(latencies)
        j["rate_requested"] = rate
        j["files"] = count
        j["seconds"] = seconds
        j["finished_all"] = finished
        let achieved = Double(count) / (milliseconds(t0, lastDone) / 1000)
        j["completion_rate"] = achieved
        j["drain_after_last_drop_ms"] = milliseconds(lastDrop, lastDone)
        j["rss_max_mb"] = rss.max() ?? 0
        let keptUp = finished && milliseconds(lastDrop, lastDone) < 1000
        j["kept_up"] = keptUp
        return SteadyResult(json: j, p50: Stat.percentile(latencies, 0.5), p99: Stat.percentile(latencies, 0.99),
                            max: latencies.max() ?? 0, achieved: min(rate, achieved), keptUp: keptUp)
    }

    struct BacklogResult { var json: BenchJSON; var rate: Double; var perCPU: Double; var peakMB: Double }

    /// The CPU the daemon reports for itself and for its index (`stats`), when it has a control socket.
    static func daemonCPU(_ ws: BenchWorkspace) -> StatsReply.CPUSeconds? {
        guard let response = try? ControlClient(socketPath: ws.root + "/control.sock", timeoutSeconds: 10).send(ControlRequest(.stats)),
              response.ok else { return nil }
        return try? response.decodeData(as: StatsReply.self).cpuSeconds
    }

    /// Renames every file into the inbox as fast as possible; articles/s from the first rename to the last finish.
    private func backlog(_ ws: BenchWorkspace, _ watcher: FinishWatcher, _ launched: LaunchedSystem,
                         _ files: [(String, [UInt8])]) throws -> BacklogResult {
        for (name, bytes) in files { try ws.stage(name, bytes) }
        let before = watcher.count
        let cpu0 = launched.rss.cpuSeconds ?? 0
        let selfReported0 = Self.daemonCPU(ws)
        let t0 = BenchClock.now()
        for (name, _) in files { _ = try ws.drop(name) }
        let droppedIn = Double(BenchClock.now() - t0) / 1e9
        let finished = watcher.wait(until: before + files.count, workspace: ws, timeout: 120 + Double(files.count) / 2)
        let t1 = BenchClock.now()
        let lastDone = files.compactMap { watcher.time($0.0) }.max() ?? t1
        let end = watcher.lostEvents ? t1 : lastDone
        let seconds = milliseconds(t0, end) / 1000
        let rss = launched.rss.megabytes(from: t0, to: end)
        let cpu = (launched.rss.cpuSeconds ?? 0) - cpu0
        var j = BenchJSON()
        j["files"] = files.count
        j["cpu_seconds"] = cpu
        j["articles_per_cpu_second"] = Double(files.count) / cpu
        // The daemon's own count of its CPU and of the index's (thread CPU of the index's work), over the
        // same backlog: the index's share measured inside one run, not as the difference of two.
        if let a = selfReported0, let b = Self.daemonCPU(ws) {
            let process = b.process - a.process, index = b.index - a.index
            j["daemon_cpu_seconds_self_reported"] = process
            j["index_cpu_seconds"] = index
            j["index_share_of_cpu"] = process > 0 ? index / process : 0
            var parts = BenchJSON()
            for (part, seconds) in b.indexByPart { parts[part] = seconds - (a.indexByPart[part] ?? 0) }
            j["index_cpu_seconds_by_part"] = parts
        }
        j["finished_all"] = finished
        j["seconds"] = seconds
        j["rename_in_seconds"] = droppedIn
        j["articles_per_second"] = Double(files.count) / seconds
        j["rss_max_mb"] = rss.max() ?? 0
        j["rss_median_mb"] = Stat.median(rss)
        if !finished { print("bench e2e: \(system.name): backlog of \(files.count) did not finish in time") }
        return BacklogResult(json: j, rate: Double(files.count) / seconds, perCPU: Double(files.count) / cpu, peakMB: rss.max() ?? 0)
    }

    /// `count` files already in the inbox when the daemon starts: throughput, and RSS over the drain.
    func prefilledBacklog(_ count: Int, summary: inout Summary) throws -> BenchJSON {
        let ws = try BenchWorkspace.make(base)
        defer { ws.remove() }
        let tw = BenchClock.now()
        for i in 0..<count {
            try BenchWorkspace.write(ws.inbox + "/pre-\(i).txt", corpus.shortArticle(i))
        }
        let writeSeconds = Double(BenchClock.now() - tw) / 1e9
        let averageBytes = (0..<min(count, 1000)).reduce(0) { $0 + corpus.shortArticle($1).count } / min(count, 1000)
        let watcher = try FinishWatcher(directories: [ws.done, ws.failed])
        defer { watcher.stop() }
        let t0 = BenchClock.now()
        let launched = try LaunchedSystem(argv: system.argv(ws), workspace: ws)
        defer { launched.stop() }
        // RSS against progress: a sample each 2% of the files.
        var progress: [(Double, Double)] = []
        var nextMark = 0.0
        let finished = watcher.wait(until: count, workspace: ws, timeout: 120 + Double(count) / 20) {
            let done = Double(watcher.count) / Double(count)
            if done >= nextMark, let mb = launched.rss.currentMB {
                progress.append((done, mb))
                nextMark = done + 0.02
            }
        }
        let seconds = Double(BenchClock.now() - t0) / 1e9
        let cpu = launched.rss.cpuSeconds ?? 0
        let at = { (p: Double) -> Double in progress.first { $0.0 >= p }?.1 ?? 0 }
        var j = BenchJSON()
        j["files"] = count
        j["finished_all"] = finished
        j["write_files_seconds"] = writeSeconds
        j["article_bytes_average"] = averageBytes
        j["articles"] = "short: date line, headline, first paragraph of a BBC article, a copy number"
        j["startup_ms_with_backlog"] = launched.startupSeconds * 1000
        j["seconds_from_exec"] = seconds
        j["articles_per_second"] = Double(count) / seconds
        j["cpu_seconds"] = cpu
        j["articles_per_cpu_second"] = Double(count) / cpu
        j["rss_mb_at_10_percent"] = at(0.1)
        j["rss_mb_at_50_percent"] = at(0.5)
        j["rss_mb_at_90_percent"] = at(0.9)
        j["rss_peak_mb"] = launched.rss.peakMB ?? 0
        j.set("rss_mb_every_2_percent", numbers: progress.map(\.1))
        j["outputs"] = ws.outputs()
        summary.bigRate = Double(count) / seconds
        summary.bigPeakMB = launched.rss.peakMB
        summary.bigRSSGrowthMB = at(0.9) - at(0.1)
        return j
    }
}

/// Milliseconds from `a` to `b` (monotonic nanoseconds), negative if `b` is earlier.
func milliseconds(_ a: UInt64, _ b: UInt64) -> Double { (Double(b) - Double(a)) / 1e6 }
