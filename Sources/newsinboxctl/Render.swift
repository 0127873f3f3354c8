import Control
import FoundationEssentials

/// Text output: aligned key/value blocks and tables, one screen per command, from the typed replies.
enum Render {
    static func printJSON(_ value: JSONValue) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        if let data = try? encoder.encode(value) { print(String(decoding: data, as: UTF8.self)) }
    }

    static func errorObject(_ response: ControlResponse) -> JSONValue {
        .object(["ok": .bool(false), "error": .string(response.error ?? ""), "code": .string(response.code?.rawValue ?? "failed")])
    }

    // MARK: - Building blocks

    static func keyValues(_ rows: [(String, String)]) {
        let width = rows.map { $0.0.count }.max() ?? 0
        for (key, value) in rows { print(pad(key + ":", width + 1) + "  " + value) }
    }

    /// Columns padded to their widest cell; the last column is not padded.
    static func table(_ header: [String], _ rows: [[String]]) {
        var widths = header.map(\.count)
        for row in rows { for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, cell in i == cells.count - 1 ? cell : pad(cell, widths[i]) }.joined(separator: "  ")
        }
        print(line(header))
        for row in rows { print(line(row)) }
    }

    static func pad(_ s: String, _ width: Int) -> String { s.count >= width ? s : s + String(repeating: " ", count: width - s.count) }

    static func text(_ s: String?) -> String { s ?? "-" }
    static func text(_ n: Int?) -> String { n.map(grouped) ?? "-" }
    static func text(_ d: Double) -> String { fixed(d, places: 2) }
    static func text(_ b: Bool?) -> String { b.map { $0 ? "yes" : "no" } ?? "-" }

    static func grouped(_ n: Int) -> String { NumberText.grouped(n) }

    /// `x` with `places` decimals, rounded half away from zero (printf's %.Nf without Foundation).
    static func fixed(_ x: Double, places: Int) -> String {
        guard x.isFinite else { return "\(x)" }
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        let scaled = (x.magnitude * scale).rounded()
        guard scaled < 9e18 else { return "\(x)" }
        let units = UInt64(scaled), whole = units / UInt64(scale), fraction = units % UInt64(scale)
        var digits = String(fraction)
        digits = String(repeating: "0", count: max(0, places - digits.count)) + digits
        return (x < 0 && units != 0 ? "-" : "") + String(whole) + (places > 0 ? "." + digits : "")
    }

    static func duration(seconds: Double) -> String {
        if seconds < 1 { return fixed(seconds * 1000, places: 0) + "ms" }
        if seconds < 60 { return fixed(seconds, places: 1) + "s" }
        let s = Int(seconds)
        if s < 3600 { return "\(s / 60)m\(s % 60)s" }
        if s < 86400 { return "\(s / 3600)h\(s % 3600 / 60)m" }
        return "\(s / 86400)d\(s % 86400 / 3600)h"
    }

    static func micros(_ us: Double) -> String {
        if us < 1000 { return fixed(us, places: 0) + "µs" }
        if us < 1_000_000 { return fixed(us / 1000, places: 1) + "ms" }
        return fixed(us / 1_000_000, places: 2) + "s"
    }

    /// One line of at most `max` characters, control characters shown as spaces.
    static func shorten(_ s: String, _ max: Int) -> String {
        let line = String(s.unicodeScalars.map { $0.properties.generalCategory == .control ? " " : Character($0) })
        return line.count <= max ? line : String(line.prefix(max - 1)) + "…"
    }

    static func counts(_ counts: [String: Int]) -> String {
        counts.sorted { $0.key < $1.key }.map { "\($0.key) \(grouped($0.value))" }.joined(separator: ", ")
    }

    // MARK: - Commands

    static func status(_ s: StatusReply) {
        var waiting = grouped(s.waiting)
        if s.waitingMoreInInbox { waiting += " (more in the inbox)" }
        var rows: [(String, String)] = [
            ("state", s.state),
            ("status", s.statusLine),
            ("version", "\(s.version) (pid \(s.pid))"),
            ("uptime", duration(seconds: s.uptimeSeconds)),
            ("config", s.configPath ?? "built-in defaults"),
            ("inbox", s.inbox),
            ("output", s.output),
            ("state dir", s.stateDir),
            ("log level", s.logLevel),
            ("waiting", waiting),
            ("in flight", grouped(s.inFlight)),
            ("processed", grouped(s.processed)),
            ("failed", grouped(s.failed)),
            ("duplicates", grouped(s.duplicates)),
        ]
        if let problem = s.inboxProblem { rows.append(("inbox problem", problem)) }
        if let problem = s.outputProblem { rows.append(("output problem", problem)) }
        rows.append(("last error", s.lastError ?? "none"))
        keyValues(rows)
    }

    static func stats(_ s: StatsReply) {
        keyValues([
            ("since", "\(s.startedAt) (\(duration(seconds: s.uptimeSeconds)))"),
            ("seen", grouped(s.seen)),
            ("processed", grouped(s.processed)),
            ("tombstones", grouped(s.tombstones)),
            ("duplicates", grouped(s.duplicates)),
            ("failed", grouped(s.failed)),
            ("rescans", grouped(s.rescans)),
            ("overflows", grouped(s.overflows)),
            ("found by rescan", grouped(s.foundByRescan)),
        ])
        if !s.failedByReason.isEmpty {
            print("\nfailed by reason:")
            for (reason, count) in s.failedByReason.sorted(by: { ($0.value, $1.key) > ($1.value, $0.key) }) {
                print("  \(pad(grouped(count), 8)) \(reason)")
            }
        }
        print("\nlatency:")
        var rows: [[String]] = []
        func row(_ name: String, _ w: StatsReply.Percentiles?) {
            guard let w else { return }
            rows.append([name, grouped(w.count), micros(Double(w.p50)), micros(Double(w.p90)), micros(Double(w.p99)), micros(Double(w.max))])
        }
        row("arrival to output", s.latencyUsec.arrivalToOutput)
        let stages = s.latencyUsec.stages
        let order = ["read", "extract", "encode", "write"]
        for name in order + stages.keys.filter({ !order.contains($0) }).sorted() { row("  " + name, stages[name]) }
        table(["", "COUNT", "P50", "P90", "P99", "MAX"], rows)
        let t = s.throughputPerSecond
        print("\nthroughput (articles/s): 1m \(text(t.oneMinute))  5m \(text(t.fiveMinutes))  15m \(text(t.fifteenMinutes))")
        let cpu = s.cpuSeconds
        let parts = ["row", "story", "reencode", "commit"].compactMap { p in cpu.indexByPart[p].map { "\(p) \(text($0))" } }
        let share = cpu.process > 0 ? fixed(100 * cpu.index / cpu.process, places: 1) + "%" : "-"
        print("cpu seconds since start: process \(text(cpu.process)), index \(text(cpu.index)) (\(share); \(parts.joined(separator: ", ")))")
        let c = s.control
        let answers = c.answers.sorted { $0.key < $1.key }.map { "\($0.key) \(grouped($0.value))" }
        print("control socket: \(grouped(c.accepted)) connections, \(grouped(c.refused)) refused at the cap, \(grouped(c.open)) open; answers: \(answers.joined(separator: ", "))")
    }

    static func queue(_ q: QueueReply) {
        print("state \(q.state), \(grouped(q.inFlightTotal)) in flight (max \(grouped(q.maxInFlight))), \(grouped(q.waitingTotal)) waiting\(q.moreInInbox ? " + more in the inbox" : "")")
        if !q.inFlight.isEmpty {
            print("\nin flight\(q.inFlight.count < q.inFlightTotal ? ", first \(q.inFlight.count)" : ""):")
            table(["SINCE", "STAGE", "FILE"], q.inFlight.map {
                [duration(seconds: $0.secondsSinceClaim), $0.stage, $0.file + ($0.resumed ? " (resumed)" : "")]
            })
        }
        if !q.waiting.isEmpty {
            print("\nwaiting\(q.waiting.count < q.waitingTotal ? ", first \(q.waiting.count)" : ""):")
            table(["#", "WAITING", "FILE"], q.waiting.map { [grouped($0.position), duration(seconds: $0.secondsWaiting), $0.file] })
        }
    }

    static func failed(_ f: FailedReply) {
        guard !f.failed.isEmpty else { print("nothing in \(f.directory)"); return }
        print("\(grouped(f.total)) in \(f.directory)\(f.total > f.failed.count ? ", newest \(f.failed.count) shown" : "")")
        table(["TIME", "ID", "STAGE", "FILE", "REASON"], f.failed.map {
            [text($0.time), text($0.id), text($0.stage),
             text($0.name) == text($0.file) ? text($0.file) : "\(text($0.file)) (as \(text($0.name)))",
             shorten(text($0.reason), 100)]
        })
    }

    static func iso(_ date: Date?) -> String {
        date.map { $0.formatted(.iso8601) } ?? "-"
    }

    static func recent(_ records: RecentReply) {
        guard !records.isEmpty else { print("nothing finished yet"); return }
        table(["FINISHED", "OUTCOME", "ID", "TOOK", "FILE", "DETAIL"], records.map { r in
            let took = r.stages.map { Double($0.microseconds) }.reduce(0, +)
            let detail = r.error ?? r.duplicateOf.map { "duplicate of \($0)" } ?? r.headline ?? ""
            return [iso(r.finished), r.outcome.rawValue, r.ids.joined(separator: ","), micros(took), r.file, shorten(detail, 80)]
        })
    }

    static func show(_ d: ShowReply) {
        if let now = d.now { print("now: \(now)") }
        if let r = d.record {
            var rows: [(String, String)] = [
                ("file", r.file),
                ("outcome", r.outcome.rawValue + (r.resumed ? " (resumed after a restart)" : "")),
                ("ids", r.ids.joined(separator: ", ")),
                ("arrived", iso(r.arrived)),
                ("claimed", iso(r.claimed)),
                ("finished", iso(r.finished)),
            ]
            for stage in r.stages { rows.append(("  " + stage.name, micros(Double(stage.microseconds)))) }
            for path in r.outputPaths { rows.append(("output", path)) }
            if let m = r.messageID { rows.append(("MESSAGE_ID", m)) }
            if let e = r.error { rows.append(("error", e)) }
            if let dup = r.duplicateOf { rows.append(("duplicate of", dup)) }
            if let f = r.format { rows.append(("format", f)) }
            if let h = r.headline { rows.append(("headline", h)) }
            if !r.summary.isEmpty { rows.append(("extraction", counts(r.summary))) }
            keyValues(rows)
        } else {
            print("(not in the daemon's recent history; from the disk)")
        }
        for output in d.outputs {
            print("\noutput \(text(output.id)): \(text(output.path))")
            var rows: [(String, String)] = [
                ("processed at", text(output.processedAt)),
                ("source", "\(text(output.source?.file)) (\(text(output.source?.format)), \(text(output.source?.bytes)) bytes)"),
                ("date", text(output.article?.date)),
                ("headline", text(output.article?.headline)),
            ]
            if let x = output.extraction { rows.append(("extraction", counts(x))) }
            if output.tombstone == true { rows.append(("tombstone", "yes")) }
            if let s = output.supersedes { rows.append(("supersedes", s)) }
            keyValues(rows)
        }
        if let f = d.failure {
            print("\nfailed:")
            keyValues([("file", text(f.file)), ("stage", text(f.stage)), ("reason", text(f.reason)),
                       ("time", text(f.time)), ("id", text(f.id))])
        }
        if !d.locations.isEmpty {
            print("\non disk:")
            for l in d.locations { print("  \(l)") }
        }
    }

    static func why(_ w: WhyReply) {
        print("\(w.path): \(w.verdict)")
        for reason in w.reasons.dropFirst() { print("  also: \(reason.message)") }
    }
}
