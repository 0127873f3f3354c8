import Control
import Dispatch
import Foundation
import Glibc

/// The read-only reports built from the pipeline's memory: `status`, `stats`, `queue`, `recent`.
/// All are called on `intake` and copy what they need into their reply (ControlReplies.swift).
extension ControlCommands {
    func status() -> StatusReply {
        let p: Pipeline = daemon.pipeline
        let s = p.stats
        let state = p.inboxProblem != nil ? "inbox-missing" : p.outputProblem != nil ? "output-full" : p.mode.rawValue
        return StatusReply(
            state: state, statusLine: p.statusLine(), version: NewsInboxVersion.string, pid: Int(getpid()),
            startedAt: Self.iso(s.startedAt), uptimeSeconds: Date().timeIntervalSince(s.startedAt),
            configPath: daemon.configPath, inbox: p.config.inbox, output: p.config.output, stateDir: p.config.state,
            controlSocket: p.config.controlSocket, waiting: p.pending.count, waitingMoreInInbox: p.inboxHasMore,
            inFlight: p.inFlight.count, processed: s.processed, failed: s.failed, duplicates: s.duplicates,
            tombstones: s.tombstones, outputProblem: p.outputProblem, inboxProblem: p.inboxProblem,
            lastError: s.lastError, unclaimable: p.unclaimable.count,
            logLevel: sharedLogLevel.withLock { $0.rawValue })
    }

    func stats() -> StatsReply {
        let s = daemon.pipeline.stats
        let control = controlCounters.current
        return StatsReply(
            startedAt: Self.iso(s.startedAt), uptimeSeconds: Date().timeIntervalSince(s.startedAt), seen: s.seen,
            processed: s.processed, tombstones: s.tombstones, duplicates: s.duplicates, failed: s.failed,
            failedByReason: s.failedByReason, rescans: s.rescans, overflows: s.overflows, foundByRescan: s.foundByRescan,
            latencyUsec: .init(arrivalToOutput: Self.latency(s.arrivalToOutput), stages: s.stageDurations.mapValues(Self.latency)),
            writeBatchSize: Self.latency(s.writeBatches),
            control: .init(accepted: control.accepted, refused: control.refused, open: control.open, answers: control.answers),
            throughputPerSecond: .init(oneMinute: s.completions.rate(over: 60), fiveMinutes: s.completions.rate(over: 300),
                                       fifteenMinutes: s.completions.rate(over: 900)))
    }

    static func latency(_ window: LatencyWindow) -> StatsReply.Percentiles {
        let p = window.percentiles([0.5, 0.9, 0.99])
        return .init(count: window.count, p50: Int(p[0]), p90: Int(p[1]), p99: Int(p[2]), max: Int(window.max))
    }

    /// The first `limit` in-flight items (what each is doing) and waiting files, in the order they were
    /// or will be claimed. The state is copied on intake; the JSON is encoded on `work`.
    func queue(limit: Int, _ reply: @escaping Reply) {
        let p: Pipeline = daemon.pipeline
        p.intake.async { [self] in
            let now = DispatchTime.now()
            let readyFiles = Set(p.ready.map(\.file))
            let stalledFiles = Set(p.stalled.map(\.file))
            // Only state owned by intake is read here: workers write item.record concurrently.
            let flying = p.inFlight.values.sorted { $0.claimed.uptimeNanoseconds < $1.claimed.uptimeNanoseconds }.prefix(limit).map { item in
                QueueReply.InFlight(
                    file: item.file,
                    stage: stalledFiles.contains(item.file) ? "stalled: output not writable"
                        : readyFiles.contains(item.file) ? "claimed, waiting for a worker"
                        : item.outcome != nil ? "writing" : "reading and extracting",
                    resumed: item.resumed, secondsSinceClaim: Double(micros(item.claimed, now)) / 1e6)
            }
            let waiting = p.pending.prefix(limit).enumerated().map { position, entry in
                QueueReply.Waiting(position: position + 1, file: entry.file, secondsWaiting: Double(micros(entry.arrived, now)) / 1e6)
            }
            let answer = QueueReply(
                state: p.mode.rawValue, maxInFlight: p.config.maxInFlight, inFlightTotal: p.inFlight.count,
                waitingTotal: p.pending.count, moreInInbox: p.inboxHasMore, inFlight: Array(flying), waiting: waiting)
            work.async { reply(.success(answer)) }
        }
    }

    /// The last finished items, most recent first: copied on intake, encoded on `work`.
    func recent(limit: Int, _ reply: @escaping Reply) {
        let p: Pipeline = daemon.pipeline
        p.intake.async { [self] in
            let records: RecentReply = p.history.recent(limit: limit, where: { $0.finished != nil })
            work.async { reply(.success(records)) }
        }
    }

    // MARK: - JSON helpers

    /// A JSON object on disk, or nil.
    static func jsonObject(contentsOf path: String) -> [String: JSONValue]? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return (try? JSONDecoder().decode(JSONValue.self, from: data))?.objectValue
    }

    static func iso(_ date: Date) -> String { ISO8601DateFormatter().string(from: date) }
}
