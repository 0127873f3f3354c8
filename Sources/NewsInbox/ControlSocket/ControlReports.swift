import Control
import Dispatch
import FoundationEssentials
import NewsCore
import Glibc

/// The read-only reports built from the pipeline's memory: `status`, `stats`, `queue`, `recent`.
/// All are called on `intake` and copy what they need into their reply (ControlReplies.swift).
extension ControlCommands {
    func status(_ s: Pipeline.Snapshot) -> StatusReply {
        let state = s.inboxProblem != nil ? "inbox-missing" : s.outputProblem != nil ? "output-full" : s.mode.rawValue
        return StatusReply(
            state: state, statusLine: s.statusLine, version: NewsInboxVersion.string, pid: Int(getpid()),
            startedAt: Self.iso(s.stats.startedAt), uptimeSeconds: Date().timeIntervalSince(s.stats.startedAt),
            configPath: daemon.configPath, inbox: s.config.inbox, output: s.config.output, stateDir: s.config.state,
            controlSocket: s.config.controlSocket, waiting: s.waitingCount, waitingMoreInInbox: s.moreInInbox,
            inFlight: s.inFlightCount, processed: s.stats.processed, failed: s.stats.failed, duplicates: s.stats.duplicates,
            tombstones: s.stats.tombstones, outputProblem: s.outputProblem, inboxProblem: s.inboxProblem,
            lastError: s.stats.lastError, unclaimable: s.unclaimableCount,
            logLevel: sharedLogLevel.withLock { $0.rawValue })
    }

    func stats(_ snapshot: Pipeline.Snapshot) -> StatsReply {
        let s = snapshot.stats
        let control = daemon.control.counters
        return StatsReply(
            startedAt: Self.iso(s.startedAt), uptimeSeconds: Date().timeIntervalSince(s.startedAt), seen: s.seen,
            processed: s.processed, tombstones: s.tombstones, duplicates: s.duplicates, failed: s.failed,
            failedByReason: s.failedByReason, rescans: s.rescans, overflows: s.overflows, foundByRescan: s.foundByRescan,
            latencyUsec: .init(arrivalToOutput: Self.latency(s.arrivalToOutput), stages: s.stageDurations.mapValues(Self.latency)),
            writeBatchSize: Self.latency(s.writeBatches),
            control: .init(accepted: control.accepted, refused: control.refused, open: control.open, answers: control.answers),
            throughputPerSecond: .init(oneMinute: s.completions.rate(over: 60), fiveMinutes: s.completions.rate(over: 300),
                                       fifteenMinutes: s.completions.rate(over: 900)),
            cpuSeconds: .init(process: IndexCPU.processSeconds(), indexByPart: IndexCPU.seconds()))
    }

    static func latency(_ window: LatencyWindow) -> StatsReply.Percentiles {
        let p = window.percentiles([0.5, 0.9, 0.99])
        return .init(count: window.count, p50: Int(p[0]), p90: Int(p[1]), p99: Int(p[2]), max: Int(window.max))
    }

    /// The first `limit` in-flight items (what each is doing) and waiting files, in the order they were
    /// or will be claimed: copied on intake, encoded on `work`.
    func queue(limit: Int, _ reply: @escaping Reply) {
        pipeline.snapshot(.init(limit: limit)) { [self] s in
            let answer = QueueReply(
                state: s.mode.rawValue, maxInFlight: s.config.maxInFlight, inFlightTotal: s.inFlightCount,
                waitingTotal: s.waitingCount, moreInInbox: s.moreInInbox,
                inFlight: s.inFlight.map { .init(file: $0.file, stage: $0.stage, resumed: $0.resumed, secondsSinceClaim: $0.secondsSinceClaim) },
                waiting: s.waiting.enumerated().map { .init(position: $0 + 1, file: $1.file, secondsWaiting: $1.secondsWaiting) })
            work.async { reply(.success(answer)) }
        }
    }

    /// The last finished items, most recent first: copied on intake, encoded on `work`.
    func recent(limit: Int, _ reply: @escaping Reply) {
        pipeline.snapshot(.init(recent: limit)) { [self] s in
            let records: RecentReply = s.recent
            work.async { reply(.success(records)) }
        }
    }

    // MARK: - JSON helpers

    /// A JSON object on disk, or nil.
    static func jsonObject(contentsOf path: String) -> [String: JSONValue]? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return (try? JSONDecoder().decode(JSONValue.self, from: data))?.objectValue
    }

    static func iso(_ date: Date) -> String { UTCTimestamp.string(from: date) }
}
