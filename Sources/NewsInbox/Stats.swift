import Dispatch
import FoundationEssentials
import Prometheus

/// Counters and latencies since start, for `STATUS=`, `newsinboxctl stats`, the benchmarks and the
/// Prometheus metrics (`DaemonMetrics`): each counter and latency window feeds its metric as it is
/// recorded, so the two never disagree. Owned by the pipeline's intake queue.
struct Stats {
    var startedAt = Date()
    var seen = 0 { didSet { Self.count(seen - oldValue, DaemonMetrics.filesSeen) } }
    var processed = 0 { didSet { Self.count(processed - oldValue, DaemonMetrics.articlesProcessed) } }
    var duplicates = 0 { didSet { Self.count(duplicates - oldValue, DaemonMetrics.articlesDuplicate) } }
    var tombstones = 0 { didSet { Self.count(tombstones - oldValue, DaemonMetrics.articlesTombstone) } }
    var failedByReason: [String: Int] = [:] {
        didSet {
            for (reason, n) in failedByReason where n != oldValue[reason] {
                Self.count(n - (oldValue[reason] ?? 0), DaemonMetrics.articlesFailed(reason: reason))
            }
        }
    }
    var rescans = 0 { didSet { Self.count(rescans - oldValue, DaemonMetrics.rescans) } }
    var overflows = 0 { didSet { Self.count(overflows - oldValue, DaemonMetrics.inotifyOverflows) } }
    var foundByRescan = 0 { didSet { Self.count(foundByRescan - oldValue, DaemonMetrics.foundByRescan) } }
    var lastError: String?
    var failed: Int { failedByReason.values.reduce(0, +) }

    /// The last latencies (arrival -> output durable), in microseconds.
    var arrivalToOutput = LatencyWindow { DaemonMetrics.observe(microseconds: $0, into: DaemonMetrics.arrivalToDurable) }
    var stageDurations: [String: LatencyWindow] = [:]
    /// Completions per second over the last 15 minutes, for 1/5/15-minute throughput.
    var completions = RateWindow()
    /// Items per write batch (group commit): 1 when idle, more under load.
    var writeBatches = LatencyWindow { DaemonMetrics.writeBatchSize.record(Double($0)) }

    mutating func recordStage(_ stage: String, microseconds: UInt64) {
        stageDurations[stage, default: LatencyWindow { [histogram = DaemonMetrics.stageDuration(stage)] in
            DaemonMetrics.observe(microseconds: $0, into: histogram)
        }].add(microseconds)
    }

    private static func count(_ increase: Int, _ counter: Prometheus.Counter) {
        if increase > 0 { counter.increment(by: Int64(increase)) }
    }

    /// A short failure category for `failed by reason` ("too large", "timeout", "read: nitf", ...).
    static func category(stage: String, reason: String) -> String {
        if reason.hasPrefix("too large") { return "too large" }
        if reason.hasPrefix("timeout") { return "timeout" }
        if reason.hasPrefix("not a regular file") || reason.hasPrefix("a symbolic link") { return "not a regular file" }
        if let colon = reason.firstIndex(of: ":") { return "\(stage): \(reason[..<colon])" }
        return stage
    }
}

/// A fixed-size ring of recent samples with percentiles.
struct LatencyWindow {
    private var samples: [UInt64] = []
    private var next = 0
    private(set) var count = 0
    private(set) var max: UInt64 = 0
    /// Also told every sample (a Prometheus histogram), when set.
    private let observe: (@Sendable (UInt64) -> Void)?
    static let capacity = 4096

    init(observe: (@Sendable (UInt64) -> Void)? = nil) {
        self.observe = observe
    }

    mutating func add(_ value: UInt64) {
        observe?(value)
        count += 1
        max = Swift.max(max, value)
        if samples.count < Self.capacity { samples.append(value) } else { samples[next] = value }
        next = (next + 1) % Self.capacity
    }

    func percentiles(_ ps: [Double]) -> [UInt64] {
        guard !samples.isEmpty else { return ps.map { _ in 0 } }
        let sorted = samples.sorted()
        // Nearest-rank percentile.
        return ps.map { p in
            let rank = Int((p * Double(sorted.count)).rounded(.up))
            return sorted[Swift.min(sorted.count, Swift.max(rank, 1)) - 1]
        }
    }
}

/// Events per second in one-second buckets over the last 15 minutes.
struct RateWindow {
    private var buckets = [Int](repeating: 0, count: 900)
    private var bucketSecond = [Int](repeating: -1, count: 900)

    mutating func add(at second: Int = RateWindow.now()) {
        let i = second % buckets.count
        if bucketSecond[i] != second { bucketSecond[i] = second; buckets[i] = 0 }
        buckets[i] += 1
    }

    /// Average per second over the last `seconds` (at most 900).
    func rate(over seconds: Int, at now: Int = RateWindow.now()) -> Double {
        var total = 0
        for s in (now - seconds + 1)...now where s >= 0 {
            let i = s % buckets.count
            if bucketSecond[i] == s { total += buckets[i] }
        }
        return Double(total) / Double(seconds)
    }

    static func now() -> Int { Int(DispatchTime.now().uptimeNanoseconds / 1_000_000_000) }
}
