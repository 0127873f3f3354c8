import ArgumentParser
import FoundationEssentials
import NewsCore
import Glibc

/// `newsinbox bench`: the benchmark suite's measuring side (benchmarks/run.sh drives it).
///
/// Our own small harness, not ordo-one/benchmark: what matters here is whole-process behaviour (a
/// daemon started with exec, files renamed into an inbox, inotify on its done/ directory, /proc RSS),
/// which that package does not model, and its micro-benchmarks would add a dependency, a newer tools
/// version and a malloc interposer to the package for three loops we time with two clocks.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure extraction, the readers and the daemon end to end (see benchmarks/run.sh).",
        subcommands: [BenchExtractCommand.self, BenchScalingCommand.self, BenchReadersCommand.self, BenchEndToEndCommand.self, BenchDurabilityCommand.self, BenchIndexCommand.self,
                      BenchStoriesCommand.self])
}

/// Options every bench subcommand takes.
struct BenchOutputOptions: ParsableArguments {
    @Option(help: "Also write the figures as JSON to this file.") var json: String?
    @Flag(help: "A short run (benchmarks/run.sh --quick): fewer repeats, smaller sets.") var quick = false
}

// MARK: - Clocks and statistics

enum BenchClock {
    /// Monotonic wall clock, nanoseconds.
    static func now() -> UInt64 { read(CLOCK_MONOTONIC) }
    /// CPU time of the calling thread, nanoseconds: what a stage costs on one core, less sensitive than
    /// wall time to the other processes sharing the machine.
    static func threadCPU() -> UInt64 { read(CLOCK_THREAD_CPUTIME_ID) }

    /// The 1, 5 and 15 minute load averages: said beside each figure, as the machine is shared.
    static func loadAverage() -> [Double] {
        var loads = [Double](repeating: 0, count: 3)
        return getloadavg(&loads, 3) == 3 ? loads : []
    }

    private static func read(_ clock: clockid_t) -> UInt64 {
        var ts = timespec()
        clock_gettime(clock, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
}

/// Wall and thread-CPU seconds of one timed block.
struct Timing {
    var wall: Double
    var cpu: Double

    static func measure(_ body: () throws -> Void) rethrows -> Timing {
        let w0 = BenchClock.now(), c0 = BenchClock.threadCPU()
        try body()
        let c1 = BenchClock.threadCPU(), w1 = BenchClock.now()
        return Timing(wall: Double(w1 - w0) / 1e9, cpu: Double(c1 - c0) / 1e9)
    }
}

enum Stat {
    static func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return 0 }
        let s = values.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    /// Nearest-rank percentile of `values` (0 < p <= 1).
    static func percentile(_ values: [Double], _ p: Double) -> Double {
        guard !values.isEmpty else { return 0 }
        let s = values.sorted()
        let rank = Int((p * Double(s.count)).rounded(.up))
        return s[min(s.count, max(rank, 1)) - 1]
    }

    static func rounded(_ x: Double, _ digits: Int = 3) -> Double {
        let f = pow(10.0, Double(digits))
        return (x * f).rounded() / f
    }
}

// MARK: - Output

/// A JSON object built up by the benchmarks (ordered keys, so the files diff well).
struct BenchJSON {
    private var keys: [String] = []
    private var values: [String: String] = [:]

    subscript(key: String) -> Double? {
        get { nil }
        set { set(key, raw: newValue.map { $0.isFinite ? String(Stat.rounded($0, 4)) : "null" } ?? "null") }
    }
    subscript(key: String) -> Int? {
        get { nil }
        set { set(key, raw: newValue.map(String.init) ?? "null") }
    }
    subscript(key: String) -> String? {
        get { nil }
        set { set(key, raw: newValue.map(Self.quote) ?? "null") }
    }
    subscript(key: String) -> Bool? {
        get { nil }
        set { set(key, raw: newValue.map { $0 ? "true" : "false" } ?? "null") }
    }
    subscript(key: String) -> BenchJSON? {
        get { nil }
        set { set(key, raw: newValue?.rendered() ?? "null") }
    }
    mutating func set(_ key: String, array: [BenchJSON]) {
        set(key, raw: "[" + array.map { $0.rendered() }.joined(separator: ", ") + "]")
    }
    mutating func set(_ key: String, numbers: [Double]) {
        set(key, raw: "[" + numbers.map { String(Stat.rounded($0, 4)) }.joined(separator: ", ") + "]")
    }

    private mutating func set(_ key: String, raw: String) {
        if values[key] == nil { keys.append(key) }
        values[key] = raw
    }

    /// Compact JSON; benchmarks/report.py pretty-prints the merged file.
    func rendered() -> String {
        "{" + keys.map { "\(Self.quote($0)): \(values[$0]!)" }.joined(separator: ", ") + "}"
    }

    static func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 { out += String(cFormat: "\\u%04x", u.value) } else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }

    func write(to path: String?) throws {
        guard let path else { return }
        try Data((rendered() + "\n").utf8).write(to: URL(fileURLWithPath: path))
    }
}

/// A plain-text table on stdout.
struct BenchTable {
    var header: [String]
    var rows: [[String]] = []

    init(_ header: String...) { self.header = header }
    init(_ header: [String]) { self.header = header }

    mutating func add(_ cells: String...) { rows.append(cells) }

    func print(title: String) {
        let all = [header] + rows
        let widths = header.indices.map { i in all.map { i < $0.count ? $0[i].count : 0 }.max() ?? 0 }
        Swift.print("\n== \(title)")
        for (n, row) in all.enumerated() {
            let cells = row.enumerated().map { i, cell in
                i == 0 ? cell.padded(to: widths[i])
                       : String(repeating: " ", count: max(0, widths[i] - cell.count)) + cell
            }
            Swift.print(cells.joined(separator: "  "))
            if n == 0 { Swift.print(widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")) }
        }
        fflush(nil)
    }
}

func fmt(_ x: Double, _ digits: Int = 1) -> String { String(cFormat: "%.\(digits)f", x) }
func fmtInt(_ x: Double) -> String {
    let n = Int(x.rounded())
    let s = String(abs(n))
    var out = ""
    for (i, c) in s.reversed().enumerated() {
        if i > 0 && i % 3 == 0 { out.append(",") }
        out.append(c)
    }
    return (n < 0 ? "-" : "") + String(out.reversed())
}

/// Where the corpora are by default: `../shared/corpora` from the repository (the working directory
/// benchmarks/run.sh uses), or NEWSINBOX_CORPORA.
func defaultCorpora() -> String {
    ProcessInfo.processInfo.environment["NEWSINBOX_CORPORA"] ?? "../shared/corpora"
}

/// The files below `directory` whose names pass `keep`, sorted, as (relative path, bytes).
func loadFiles(_ directory: String, keep: (String) -> Bool = { _ in true }) throws -> [(name: String, bytes: [UInt8])] {
    guard let walked = try? FileManager.default.subpathsOfDirectory(atPath: directory) else {
        throw ValidationError("cannot read \(directory)")
    }
    var names: [String] = []
    for name in walked {
        var isDirectory = false
        if FileManager.default.fileExists(atPath: directory + "/" + name, isDirectory: &isDirectory), !isDirectory, keep(name) {
            names.append(name)
        }
    }
    return try names.sorted().map { name in
        guard let data = FileManager.default.contents(atPath: directory + "/" + name) else {
            throw ValidationError("cannot read \(directory)/\(name)")
        }
        return (name, [UInt8](data))
    }
}
