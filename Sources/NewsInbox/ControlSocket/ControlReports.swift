import Control
import Dispatch
import Foundation
import Glibc

/// The read-only reports built from the pipeline's memory: `status`, `stats`, `queue`, `recent`.
/// All are called on `intake` and copy what they need into a `JSONValue`.
extension ControlCommands {
    func status() -> JSONValue {
        let p: Pipeline = daemon.pipeline
        let s = p.stats
        let state = p.inboxProblem != nil ? "inbox-missing" : p.outputProblem != nil ? "output-full" : p.mode.rawValue
        var o: [String: JSONValue] = [:]
        o["state"] = .string(state)
        o["status_line"] = .string(p.statusLine())
        o["version"] = .string(NewsInboxVersion.string)
        o["pid"] = .int(Int(getpid()))
        o["started_at"] = .string(Self.iso(s.startedAt))
        o["uptime_seconds"] = .double(Date().timeIntervalSince(s.startedAt))
        o["config_path"] = daemon.configPath.map { .string($0) } ?? .null
        o["inbox"] = .string(p.config.inbox)
        o["output"] = .string(p.config.output)
        o["state_dir"] = .string(p.config.state)
        o["control_socket"] = .string(p.config.controlSocket)
        o["waiting"] = .int(p.pending.count)
        o["waiting_more_in_inbox"] = .bool(p.inboxHasMore)
        o["in_flight"] = .int(p.inFlight.count)
        o["processed"] = .int(s.processed)
        o["failed"] = .int(s.failed)
        o["duplicates"] = .int(s.duplicates)
        o["tombstones"] = .int(s.tombstones)
        o["output_problem"] = p.outputProblem.map { .string($0) } ?? .null
        o["inbox_problem"] = p.inboxProblem.map { .string($0) } ?? .null
        o["last_error"] = s.lastError.map { .string($0) } ?? .null
        o["unclaimable"] = .int(p.unclaimable.count)  // in the inbox, but the daemon may not move them
        o["log_level"] = .string(sharedLogLevel.withLock { $0.rawValue })
        return .object(o)
    }

    static let stageOrder = ["read", "extract", "encode", "write"]

    func stats() -> JSONValue {
        let s = daemon.pipeline.stats
        var o: [String: JSONValue] = [:]
        o["started_at"] = .string(Self.iso(s.startedAt))
        o["uptime_seconds"] = .double(Date().timeIntervalSince(s.startedAt))
        o["seen"] = .int(s.seen)
        o["processed"] = .int(s.processed)
        o["tombstones"] = .int(s.tombstones)
        o["duplicates"] = .int(s.duplicates)
        o["failed"] = .int(s.failed)
        o["failed_by_reason"] = .object(s.failedByReason.mapValues { .int($0) })
        o["rescans"] = .int(s.rescans)
        o["overflows"] = .int(s.overflows)
        o["found_by_rescan"] = .int(s.foundByRescan)
        var stages: [String: JSONValue] = [:]
        for (name, window) in s.stageDurations { stages[name] = Self.latency(window) }
        o["latency_usec"] = .object(["arrival_to_output": Self.latency(s.arrivalToOutput), "stages": .object(stages)])
        // Items per write batch (group commit): 1 when idle, larger under load.
        o["write_batch_size"] = Self.latency(s.writeBatches)
        let control = controlCounters.current
        o["control"] = .object([
            "accepted": .int(control.accepted), "refused": .int(control.refused), "open": .int(control.open),
            "answers": .object(control.answers.mapValues { .int($0) }),
        ])
        o["throughput_per_second"] = .object([
            "1m": .double(s.completions.rate(over: 60)),
            "5m": .double(s.completions.rate(over: 300)),
            "15m": .double(s.completions.rate(over: 900)),
        ])
        return .object(o)
    }

    static func latency(_ window: LatencyWindow) -> JSONValue {
        let p = window.percentiles([0.5, 0.9, 0.99])
        return .object([
            "count": .int(window.count), "p50": .int(Int(p[0])), "p90": .int(Int(p[1])), "p99": .int(Int(p[2])),
            "max": .int(Int(window.max)),
        ])
    }

    /// The first `limit` in-flight items (what each is doing) and waiting files, in the order they were
    /// or will be claimed. The state is copied on intake; the JSON is built on `work`.
    func queue(limit: Int, _ reply: @escaping Reply) {
        let p: Pipeline = daemon.pipeline
        p.intake.async { [self] in
            let now = DispatchTime.now()
            let readyFiles = Set(p.ready.map(\.file))
            let suspectFiles = Set(p.suspects.map(\.file))
            let stalledFiles = Set(p.stalled.map(\.file))
            // Only state owned by intake is read here: workers write item.record concurrently.
            let flying = p.inFlight.values.sorted { $0.claimed.uptimeNanoseconds < $1.claimed.uptimeNanoseconds }.prefix(limit).map { item in
                (file: item.file, resumed: item.resumed, seconds: Double(micros(item.claimed, now)) / 1e6,
                 stage: stalledFiles.contains(item.file) ? "stalled: output not writable"
                    : readyFiles.contains(item.file) ? "claimed, waiting for a worker"
                    : suspectFiles.contains(item.file) ? "resumed: its extraction was under way at a crash; waiting to be extracted alone"
                    : item.outcome != nil ? "writing" : "reading and extracting")
            }
            let waiting = p.pending.prefix(limit).map { (file: $0.file, seconds: Double(micros($0.arrived, now)) / 1e6) }
            let totals: [String: JSONValue] = [
                "state": .string(p.mode.rawValue), "max_in_flight": .int(p.config.maxInFlight),
                "waiting_total": .int(p.pending.count), "more_in_inbox": .bool(p.inboxHasMore),
                "in_flight_total": .int(p.inFlight.count),
            ]
            work.async {
                var o = totals
                o["in_flight"] = .array(flying.map {
                    .object(["file": .string($0.file), "stage": .string($0.stage), "resumed": .bool($0.resumed),
                             "seconds_since_claim": .double($0.seconds)])
                })
                o["waiting"] = .array(waiting.enumerated().map { position, entry in
                    .object(["position": .int(position + 1), "file": .string(entry.file), "seconds_waiting": .double(entry.seconds)])
                })
                reply(.success(.object(o)))
            }
        }
    }

    /// The last finished items, most recent first: copied on intake, encoded on `work`.
    func recent(limit: Int, _ reply: @escaping Reply) {
        let p: Pipeline = daemon.pipeline
        p.intake.async { [self] in
            let records = p.history.recent(limit: limit, where: { $0.finished != nil })
            work.async { reply(.success(.array(records.map(Self.json)))) }
        }
    }

    // MARK: - JSON helpers

    static func json(_ record: ItemRecord) -> JSONValue { json(encoding: record) }

    /// Any Encodable as a JSONValue, with snake_case keys and ISO 8601 dates.
    static func json(encoding value: some Encodable) -> JSONValue {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        guard let data = try? encoder.encode(value), let v = try? JSONDecoder().decode(JSONValue.self, from: data) else { return .null }
        return v
    }

    /// A JSON file on disk as a JSONValue, or nil.
    static func json(contentsOf path: String) -> JSONValue? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return try? JSONDecoder().decode(JSONValue.self, from: data)
    }

    static func iso(_ date: Date) -> String { ISO8601DateFormatter().string(from: date) }
}
