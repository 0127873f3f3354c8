public import FoundationEssentials

// The `data` of each command's answer, shared by newsinboxd (which encodes them) and newsinboxctl (which
// decodes them), so a field name is written once. Field names are the documented wire names
// (docs/control-protocol.md): snake_case, in explicit `CodingKeys`. A field that is `null` on the wire
// when absent is `@Null`; plain optionals are left out when nil. How to add a command:
// ControlCommandName.swift.

/// `status`
public struct StatusReply: Codable, Sendable {
    public var state: String
    public var statusLine: String
    public var version: String
    public var pid: Int
    public var startedAt: String
    public var uptimeSeconds: Double
    @Null public var configPath: String?
    public var inbox: String
    public var output: String
    public var stateDir: String
    public var controlSocket: String
    public var waiting: Int
    public var waitingMoreInInbox: Bool
    public var inFlight: Int
    public var processed: Int
    public var failed: Int
    public var duplicates: Int
    public var tombstones: Int
    @Null public var outputProblem: String?
    @Null public var inboxProblem: String?
    @Null public var lastError: String?
    /// In the inbox, but the daemon may not move them (permissions).
    public var unclaimable: Int
    public var logLevel: String

    enum CodingKeys: String, CodingKey {
        case state, version, pid, inbox, output, waiting, processed, failed, duplicates, tombstones, unclaimable
        case statusLine = "status_line", startedAt = "started_at", uptimeSeconds = "uptime_seconds"
        case configPath = "config_path", stateDir = "state_dir", controlSocket = "control_socket"
        case waitingMoreInInbox = "waiting_more_in_inbox", inFlight = "in_flight", outputProblem = "output_problem"
        case inboxProblem = "inbox_problem", lastError = "last_error", logLevel = "log_level"
    }

    public init(state: String, statusLine: String, version: String, pid: Int, startedAt: String, uptimeSeconds: Double,
                configPath: String?, inbox: String, output: String, stateDir: String, controlSocket: String,
                waiting: Int, waitingMoreInInbox: Bool, inFlight: Int, processed: Int, failed: Int, duplicates: Int,
                tombstones: Int, outputProblem: String?, inboxProblem: String?, lastError: String?, unclaimable: Int,
                logLevel: String) {
        self.state = state; self.statusLine = statusLine; self.version = version; self.pid = pid
        self.startedAt = startedAt; self.uptimeSeconds = uptimeSeconds; self.configPath = configPath
        self.inbox = inbox; self.output = output; self.stateDir = stateDir; self.controlSocket = controlSocket
        self.waiting = waiting; self.waitingMoreInInbox = waitingMoreInInbox; self.inFlight = inFlight
        self.processed = processed; self.failed = failed; self.duplicates = duplicates; self.tombstones = tombstones
        self.outputProblem = outputProblem; self.inboxProblem = inboxProblem; self.lastError = lastError
        self.unclaimable = unclaimable; self.logLevel = logLevel
    }
}

/// `stats`
public struct StatsReply: Codable, Sendable {
    public var startedAt: String
    public var uptimeSeconds: Double
    public var seen: Int
    public var processed: Int
    public var tombstones: Int
    public var duplicates: Int
    public var failed: Int
    public var failedByReason: [String: Int]
    public var rescans: Int
    public var overflows: Int
    public var foundByRescan: Int
    public var latencyUsec: Latencies
    /// Items per write batch (group commit): 1 when idle, larger under load.
    public var writeBatchSize: Percentiles
    public var control: ControlSocketCounters
    public var throughputPerSecond: Throughput
    public var cpuSeconds: CPUSeconds

    enum CodingKeys: String, CodingKey {
        case seen, processed, tombstones, duplicates, failed, rescans, overflows, control
        case startedAt = "started_at", uptimeSeconds = "uptime_seconds", failedByReason = "failed_by_reason"
        case foundByRescan = "found_by_rescan", latencyUsec = "latency_usec", writeBatchSize = "write_batch_size"
        case throughputPerSecond = "throughput_per_second", cpuSeconds = "cpu_seconds"
    }

    /// CPU seconds since start: the whole process (every thread, user and system) and the index's own
    /// work (thread CPU of each piece of it, by part: row, story, reencode, commit). Over an interval,
    /// the difference of `index` over the difference of `process` is the index's share of the work.
    public struct CPUSeconds: Codable, Sendable {
        public var process: Double
        public var index: Double
        public var indexByPart: [String: Double]
        enum CodingKeys: String, CodingKey { case process, index, indexByPart = "index_by_part" }
        public init(process: Double, indexByPart: [String: Double]) {
            self.process = process
            self.index = indexByPart.values.reduce(0, +)
            self.indexByPart = indexByPart
        }
    }

    public struct Latencies: Codable, Sendable {
        public var arrivalToOutput: Percentiles
        /// By stage name: read, extract, encode, write (and any later stage).
        public var stages: [String: Percentiles]
        enum CodingKeys: String, CodingKey { case stages, arrivalToOutput = "arrival_to_output" }
        public init(arrivalToOutput: Percentiles, stages: [String: Percentiles]) {
            self.arrivalToOutput = arrivalToOutput
            self.stages = stages
        }
    }

    /// Over the last 4,096 samples.
    public struct Percentiles: Codable, Sendable {
        public var count: Int, p50: Int, p90: Int, p99: Int, max: Int
        public init(count: Int, p50: Int, p90: Int, p99: Int, max: Int) {
            self.count = count; self.p50 = p50; self.p90 = p90; self.p99 = p99; self.max = max
        }
    }

    /// The control socket's own counters (like HAProxy's).
    public struct ControlSocketCounters: Codable, Sendable {
        public var accepted: Int
        /// Refused at once at the connection cap.
        public var refused: Int
        public var open: Int
        /// By outcome: "ok" or the error code.
        public var answers: [String: Int]
        public init(accepted: Int, refused: Int, open: Int, answers: [String: Int]) {
            self.accepted = accepted; self.refused = refused; self.open = open; self.answers = answers
        }
    }

    /// Articles per second over the last 1, 5 and 15 minutes.
    public struct Throughput: Codable, Sendable {
        public var oneMinute: Double, fiveMinutes: Double, fifteenMinutes: Double
        enum CodingKeys: String, CodingKey { case oneMinute = "1m", fiveMinutes = "5m", fifteenMinutes = "15m" }
        public init(oneMinute: Double, fiveMinutes: Double, fifteenMinutes: Double) {
            self.oneMinute = oneMinute; self.fiveMinutes = fiveMinutes; self.fifteenMinutes = fifteenMinutes
        }
    }

    public init(startedAt: String, uptimeSeconds: Double, seen: Int, processed: Int, tombstones: Int, duplicates: Int,
                failed: Int, failedByReason: [String: Int], rescans: Int, overflows: Int, foundByRescan: Int,
                latencyUsec: Latencies, writeBatchSize: Percentiles, control: ControlSocketCounters,
                throughputPerSecond: Throughput, cpuSeconds: CPUSeconds) {
        self.startedAt = startedAt; self.uptimeSeconds = uptimeSeconds; self.seen = seen; self.processed = processed
        self.tombstones = tombstones; self.duplicates = duplicates; self.failed = failed
        self.failedByReason = failedByReason; self.rescans = rescans; self.overflows = overflows
        self.foundByRescan = foundByRescan; self.latencyUsec = latencyUsec; self.writeBatchSize = writeBatchSize
        self.control = control; self.throughputPerSecond = throughputPerSecond; self.cpuSeconds = cpuSeconds
    }
}

/// `queue`
public struct QueueReply: Codable, Sendable {
    public var state: String
    public var maxInFlight: Int
    public var inFlightTotal: Int
    public var waitingTotal: Int
    public var moreInInbox: Bool
    /// The first `limit`, in claiming order.
    public var inFlight: [InFlight]
    public var waiting: [Waiting]

    enum CodingKeys: String, CodingKey {
        case state, waiting
        case maxInFlight = "max_in_flight", inFlightTotal = "in_flight_total", waitingTotal = "waiting_total"
        case moreInInbox = "more_in_inbox", inFlight = "in_flight"
    }

    public struct InFlight: Codable, Sendable {
        public var file: String
        public var stage: String
        public var resumed: Bool
        public var secondsSinceClaim: Double
        enum CodingKeys: String, CodingKey { case file, stage, resumed, secondsSinceClaim = "seconds_since_claim" }
        public init(file: String, stage: String, resumed: Bool, secondsSinceClaim: Double) {
            self.file = file; self.stage = stage; self.resumed = resumed; self.secondsSinceClaim = secondsSinceClaim
        }
    }

    public struct Waiting: Codable, Sendable {
        public var position: Int
        public var file: String
        public var secondsWaiting: Double
        enum CodingKeys: String, CodingKey { case position, file, secondsWaiting = "seconds_waiting" }
        public init(position: Int, file: String, secondsWaiting: Double) {
            self.position = position; self.file = file; self.secondsWaiting = secondsWaiting
        }
    }

    public init(state: String, maxInFlight: Int, inFlightTotal: Int, waitingTotal: Int, moreInInbox: Bool,
                inFlight: [InFlight], waiting: [Waiting]) {
        self.state = state; self.maxInFlight = maxInFlight; self.inFlightTotal = inFlightTotal
        self.waitingTotal = waitingTotal; self.moreInInbox = moreInInbox; self.inFlight = inFlight; self.waiting = waiting
    }
}

/// `failed`
public struct FailedReply: Codable, Sendable {
    public var total: Int
    public var directory: String
    /// Newest first.
    public var failed: [FailedItem]
    public init(total: Int, directory: String, failed: [FailedItem]) {
        self.total = total; self.directory = directory; self.failed = failed
    }
}

/// One source in failed/: its sidecar, whole, plus where it is. Fields the sidecar gains pass through.
public typealias FailedItem = PassThrough<FailedItemFields>

public struct FailedItemFields: Codable, Sendable {
    /// The path in failed/ (`feed/x.xml`, or `feed/x.xml.1` when the name was taken).
    public var name: String?
    /// The name as dropped.
    public var file: String?
    /// The id the content would have had.
    public var id: String?
    public var stage: String?
    public var reason: String?
    public var errno: Int?
    public var time: String?
    public var sha256: String?
}

/// `recent` is `[ItemRecord]`, most recent first.
public typealias RecentReply = [ItemRecord]

/// `show`
public struct ShowReply: Codable, Sendable {
    public var query: String
    /// The daemon's in-memory history, or null when it is older than that (found on disk).
    @Null public var record: ItemRecord?
    /// "in flight" or "waiting, position N", when it is in the inbox.
    @Null public var now: String?
    @Null public var failure: FailedItem?
    public var outputs: [OutputSummary]
    public var locations: [String]

    public init(query: String, record: ItemRecord?, now: String?, failure: FailedItem?, outputs: [OutputSummary], locations: [String]) {
        self.query = query; self.record = record; self.now = now; self.failure = failure
        self.outputs = outputs; self.locations = locations
    }
}

/// What `out/ID.json` says, in brief (the article without its text, extraction as counts). Fields the
/// output gains pass through.
public typealias OutputSummary = PassThrough<OutputSummaryFields>

public struct OutputSummaryFields: Codable, Sendable {
    public var id: String?
    public var path: String?
    public var processedAt: String?
    public var source: Source?
    public var article: Article?
    /// Counts by extraction field (entities, times, sentences, ...).
    public var extraction: [String: Int]?
    public var tombstone: Bool?
    public var supersedes: String?

    enum CodingKeys: String, CodingKey {
        case id, path, source, article, extraction, tombstone, supersedes, processedAt = "processed_at"
    }

    public struct Source: Codable, Sendable { public var file: String?, format: String?, bytes: Int? }
    public struct Article: Codable, Sendable { public var date: String?, headline: String? }
}

/// `why`
public struct WhyReply: Codable, Sendable {
    public var path: String
    /// The first reason's message.
    public var verdict: String
    /// Most decisive first.
    public var reasons: [Reason]

    public struct Reason: Codable, Sendable {
        /// ignored, open_for_writing, paused, waiting, ... (docs/control-protocol.md).
        public var code: String
        public var message: String
        public init(code: String, message: String) { self.code = code; self.message = message }
    }

    public init(path: String, reasons: [Reason]) {
        self.path = path
        self.verdict = reasons.first?.message ?? "no reason found"
        self.reasons = reasons
    }
}

/// `pause`
public struct PauseReply: Codable, Sendable {
    public var state: String
    public var changed: Bool
    public var inFlight: Int
    enum CodingKeys: String, CodingKey { case state, changed, inFlight = "in_flight" }
    public init(state: String, changed: Bool, inFlight: Int) { self.state = state; self.changed = changed; self.inFlight = inFlight }
}

/// `resume`
public struct ResumeReply: Codable, Sendable {
    public var state: String
    public var changed: Bool
    public var waiting: Int
    public init(state: String, changed: Bool, waiting: Int) { self.state = state; self.changed = changed; self.waiting = waiting }
}

/// `rescan`
public struct RescanReply: Codable, Sendable {
    public var queued: Int
    public var waiting: Int
    public var moreInInbox: Bool
    enum CodingKeys: String, CodingKey { case queued, waiting, moreInInbox = "more_in_inbox" }
    public init(queued: Int, waiting: Int, moreInInbox: Bool) { self.queued = queued; self.waiting = waiting; self.moreInInbox = moreInInbox }
}

/// `retry`
public struct RetryReply: Codable, Sendable {
    /// Names as dropped, oldest first.
    public var retried: [String]
    public var skipped: [Skipped]
    public struct Skipped: Codable, Sendable {
        public var file: String
        public var reason: String
        public init(file: String, reason: String) { self.file = file; self.reason = reason }
    }
    public init(retried: [String], skipped: [Skipped]) { self.retried = retried; self.skipped = skipped }
}

/// `reprocess`
public struct ReprocessReply: Codable, Sendable {
    public var id: String
    public var file: String
    public var outputs: [String]
    @Null public var headline: String?
    public var extractUsec: Int
    enum CodingKeys: String, CodingKey { case id, file, outputs, headline, extractUsec = "extract_usec" }
    public init(id: String, file: String, outputs: [String], headline: String?, extractUsec: Int) {
        self.id = id; self.file = file; self.outputs = outputs; self.headline = headline; self.extractUsec = extractUsec
    }
}

/// `reload` (`notes`) and `reload` with `check: true` (`valid`).
public struct ReloadReply: Codable, Sendable {
    public var valid: Bool?
    /// What changed (or would change), one line each.
    public var changes: [String]
    /// What does not take effect now (paths change only on restart, ...).
    public var notes: [String]?
    public init(valid: Bool? = nil, changes: [String], notes: [String]? = nil) {
        self.valid = valid; self.changes = changes; self.notes = notes
    }
}

/// `log-level`
public struct LogLevelReply: Codable, Sendable {
    public var level: String
    public var previous: String
    public init(level: String, previous: String) { self.level = level; self.previous = previous }
}

/// `drain`
public struct DrainReply: Codable, Sendable {
    public var state: String
    public var inFlight: Int
    enum CodingKeys: String, CodingKey { case state, inFlight = "in_flight" }
    public init(state: String, inFlight: Int) { self.state = state; self.inFlight = inFlight }
}

/// What happened to one file, for `show` and `recent`. The daemon keeps the last ones in memory.
public struct ItemRecord: Codable, Sendable {
    public enum Outcome: String, Codable, Sendable { case waiting, processing, processed, failed, duplicate, tombstone, stalled }

    public var file: String
    public var ids: [String] = []
    public var outcome: Outcome
    public var arrived: Date
    public var claimed: Date?
    public var finished: Date?
    /// In the order the stages ran.
    public var stages: [Stage] = []
    public var outputPaths: [String] = []
    /// The journal entry's MESSAGE_ID.
    public var messageID: String?
    public var error: String?
    public var duplicateOf: String?
    public var format: String?
    public var headline: String?
    /// Extraction counts (entities, times, quotes, figures, sentences, words).
    public var summary: [String: Int] = [:]
    public var resumed = false

    enum CodingKeys: String, CodingKey {
        case file, ids, outcome, arrived, claimed, finished, stages, error, format, headline, summary, resumed
        case outputPaths = "output_paths", messageID = "message_id", duplicateOf = "duplicate_of"
    }

    public struct Stage: Codable, Sendable {
        public var name: String
        public var microseconds: UInt64
        public init(name: String, microseconds: UInt64) { self.name = name; self.microseconds = microseconds }
    }

    public init(file: String, outcome: Outcome, arrived: Date, claimed: Date? = nil, resumed: Bool = false) {
        self.file = file; self.outcome = outcome; self.arrived = arrived; self.claimed = claimed; self.resumed = resumed
    }
}
