import Control
import Foundation

/// Text output: aligned key/value blocks and tables, one screen per command.
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

    static func text(_ v: JSONValue?) -> String {
        switch v {
        case .string(let s)?: return s
        case .int(let i)?: return grouped(i)
        case .double(let d)?: return String(format: "%.2f", d)
        case .bool(let b)?: return b ? "yes" : "no"
        case .null?, nil: return "-"
        default: return "…"
        }
    }

    static func grouped(_ n: Int) -> String { NumberText.grouped(n) }

    static func duration(seconds: Double) -> String {
        if seconds < 1 { return String(format: "%.0fms", seconds * 1000) }
        if seconds < 60 { return String(format: "%.1fs", seconds) }
        let s = Int(seconds)
        if s < 3600 { return "\(s / 60)m\(s % 60)s" }
        if s < 86400 { return "\(s / 3600)h\(s % 3600 / 60)m" }
        return "\(s / 86400)d\(s % 86400 / 3600)h"
    }

    static func micros(_ v: JSONValue?) -> String {
        guard let us = v?.doubleValue else { return "-" }
        if us < 1000 { return String(format: "%.0fµs", us) }
        if us < 1_000_000 { return String(format: "%.1fms", us / 1000) }
        return String(format: "%.2fs", us / 1_000_000)
    }

    /// One line of at most `max` characters, control characters shown as spaces.
    static func shorten(_ s: String, _ max: Int) -> String {
        let line = String(s.unicodeScalars.map { $0.properties.generalCategory == .control ? " " : Character($0) })
        return line.count <= max ? line : String(line.prefix(max - 1)) + "…"
    }

    // MARK: - Commands

    static func status(_ d: JSONValue) {
        var waiting = text(d["waiting"])
        if d["waiting_more_in_inbox"]?.boolValue == true { waiting += " (more in the inbox)" }
        var rows: [(String, String)] = [
            ("state", text(d["state"])),
            ("status", text(d["status_line"])),
            ("version", "\(text(d["version"])) (pid \(d["pid"]?.intValue.map(String.init) ?? "-"))"),
            ("uptime", d["uptime_seconds"]?.doubleValue.map { duration(seconds: $0) } ?? "-"),
            ("config", d["config_path"]?.stringValue ?? "built-in defaults"),
            ("inbox", text(d["inbox"])),
            ("output", text(d["output"])),
            ("state dir", text(d["state_dir"])),
            ("log level", text(d["log_level"])),
            ("waiting", waiting),
            ("in flight", text(d["in_flight"])),
            ("processed", text(d["processed"])),
            ("failed", text(d["failed"])),
            ("duplicates", text(d["duplicates"])),
        ]
        if let problem = d["inbox_problem"]?.stringValue { rows.append(("inbox problem", problem)) }
        if let problem = d["output_problem"]?.stringValue { rows.append(("output problem", problem)) }
        rows.append(("last error", d["last_error"]?.stringValue ?? "none"))
        keyValues(rows)
    }

    static func stats(_ d: JSONValue) {
        keyValues([
            ("since", "\(text(d["started_at"])) (\(d["uptime_seconds"]?.doubleValue.map { duration(seconds: $0) } ?? "-"))"),
            ("seen", text(d["seen"])),
            ("processed", text(d["processed"])),
            ("tombstones", text(d["tombstones"])),
            ("duplicates", text(d["duplicates"])),
            ("failed", text(d["failed"])),
            ("rescans", text(d["rescans"])),
            ("overflows", text(d["overflows"])),
            ("found by rescan", text(d["found_by_rescan"])),
        ])
        if let reasons = d["failed_by_reason"]?.objectValue, !reasons.isEmpty {
            print("\nfailed by reason:")
            for (reason, count) in reasons.sorted(by: { ($0.value.intValue ?? 0, $1.key) > ($1.value.intValue ?? 0, $0.key) }) {
                print("  \(pad(text(count), 8)) \(reason)")
            }
        }
        print("\nlatency:")
        var rows: [[String]] = []
        func row(_ name: String, _ w: JSONValue?) {
            guard let w else { return }
            rows.append([name, text(w["count"]), micros(w["p50"]), micros(w["p90"]), micros(w["p99"]), micros(w["max"])])
        }
        row("arrival to output", d["latency_usec"]?["arrival_to_output"])
        let stages = d["latency_usec"]?["stages"]?.objectValue ?? [:]
        let order = ["read", "extract", "encode", "write"]
        for name in order + stages.keys.filter({ !order.contains($0) }).sorted() { row("  " + name, stages[name]) }
        table(["", "COUNT", "P50", "P90", "P99", "MAX"], rows)
        let t = d["throughput_per_second"]
        print("\nthroughput (articles/s): 1m \(text(t?["1m"]))  5m \(text(t?["5m"]))  15m \(text(t?["15m"]))")
        if let c = d["control"] {
            let answers = (c["answers"]?.objectValue ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key) \(text($0.value))" }
            print("control socket: \(text(c["accepted"])) connections, \(text(c["refused"])) refused at the cap, \(text(c["open"])) open; answers: \(answers.joined(separator: ", "))")
        }
    }

    static func queue(_ d: JSONValue) {
        let flying = d["in_flight"]?.arrayValue ?? []
        let waiting = d["waiting"]?.arrayValue ?? []
        print("state \(text(d["state"])), \(text(d["in_flight_total"])) in flight (max \(text(d["max_in_flight"]))), \(text(d["waiting_total"])) waiting\(d["more_in_inbox"]?.boolValue == true ? " + more in the inbox" : "")")
        if !flying.isEmpty {
            print("\nin flight\(flying.count < (d["in_flight_total"]?.intValue ?? 0) ? ", first \(flying.count)" : ""):")
            table(["SINCE", "STAGE", "FILE"], flying.map {
                [duration(seconds: $0["seconds_since_claim"]?.doubleValue ?? 0), text($0["stage"]), text($0["file"]) + ($0["resumed"]?.boolValue == true ? " (resumed)" : "")]
            })
        }
        if !waiting.isEmpty {
            print("\nwaiting\(waiting.count < (d["waiting_total"]?.intValue ?? 0) ? ", first \(waiting.count)" : ""):")
            table(["#", "WAITING", "FILE"], waiting.map {
                [text($0["position"]), duration(seconds: $0["seconds_waiting"]?.doubleValue ?? 0), text($0["file"])]
            })
        }
    }

    static func failed(_ d: JSONValue) {
        let items = d["failed"]?.arrayValue ?? []
        let total = d["total"]?.intValue ?? items.count
        guard !items.isEmpty else { print("nothing in \(text(d["directory"]))"); return }
        print("\(grouped(total)) in \(text(d["directory"]))\(total > items.count ? ", newest \(items.count) shown" : "")")
        table(["TIME", "ID", "STAGE", "FILE", "REASON"], items.map {
            [text($0["time"]), text($0["id"]), text($0["stage"]),
             text($0["name"]) == text($0["file"]) ? text($0["file"]) : "\(text($0["file"])) (as \(text($0["name"])))",
             shorten(text($0["reason"]), 100)]
        })
    }

    static func recent(_ d: JSONValue) {
        let items = d.arrayValue ?? []
        guard !items.isEmpty else { print("nothing finished yet"); return }
        table(["FINISHED", "OUTCOME", "ID", "TOOK", "FILE", "DETAIL"], items.map { r in
            let took = (r["stages"]?.arrayValue ?? []).compactMap { $0["microseconds"]?.doubleValue }.reduce(0, +)
            let detail = r["error"]?.stringValue ?? r["duplicate_of"]?.stringValue.map { "duplicate of \($0)" } ?? r["headline"]?.stringValue ?? ""
            return [text(r["finished"]), text(r["outcome"]), (r["ids"]?.arrayValue ?? []).compactMap(\.stringValue).joined(separator: ","),
                    micros(.double(took)), text(r["file"]), shorten(detail, 80)]
        })
    }

    static func show(_ d: JSONValue) {
        if let now = d["now"]?.stringValue { print("now: \(now)") }
        if let r = d["record"], r != .null {
            var rows: [(String, String)] = [
                ("file", text(r["file"])),
                ("outcome", text(r["outcome"]) + (r["resumed"]?.boolValue == true ? " (resumed after a restart)" : "")),
                ("ids", (r["ids"]?.arrayValue ?? []).compactMap(\.stringValue).joined(separator: ", ")),
                ("arrived", text(r["arrived"])),
                ("claimed", text(r["claimed"])),
                ("finished", text(r["finished"])),
            ]
            for stage in r["stages"]?.arrayValue ?? [] { rows.append(("  " + text(stage["name"]), micros(stage["microseconds"]))) }
            for path in r["output_paths"]?.arrayValue ?? [] { rows.append(("output", text(path))) }
            if let m = r["message_id"]?.stringValue { rows.append(("MESSAGE_ID", m)) }
            if let e = r["error"]?.stringValue { rows.append(("error", e)) }
            if let dup = r["duplicate_of"]?.stringValue { rows.append(("duplicate of", dup)) }
            if let f = r["format"]?.stringValue { rows.append(("format", f)) }
            if let h = r["headline"]?.stringValue { rows.append(("headline", h)) }
            if let summary = r["summary"]?.objectValue, !summary.isEmpty {
                rows.append(("extraction", summary.sorted { $0.key < $1.key }.map { "\($0.key) \(text($0.value))" }.joined(separator: ", ")))
            }
            keyValues(rows)
        } else {
            print("(not in the daemon's recent history; from the disk)")
        }
        for output in d["outputs"]?.arrayValue ?? [] {
            print("\noutput \(text(output["id"])): \(text(output["path"]))")
            var rows: [(String, String)] = [
                ("processed at", text(output["processed_at"])),
                ("source", "\(text(output["source"]?["file"])) (\(text(output["source"]?["format"])), \(text(output["source"]?["bytes"])) bytes)"),
                ("date", text(output["article"]?["date"])),
                ("headline", text(output["article"]?["headline"])),
            ]
            if let x = output["extraction"]?.objectValue {
                rows.append(("extraction", x.sorted { $0.key < $1.key }.map { "\($0.key) \(text($0.value))" }.joined(separator: ", ")))
            }
            if output["tombstone"]?.boolValue == true { rows.append(("tombstone", "yes")) }
            if let s = output["supersedes"]?.stringValue { rows.append(("supersedes", s)) }
            keyValues(rows)
        }
        if let f = d["failure"], f != .null {
            print("\nfailed:")
            keyValues([("file", text(f["file"])), ("stage", text(f["stage"])), ("reason", text(f["reason"])),
                       ("time", text(f["time"])), ("id", text(f["id"]))])
        }
        let locations = d["locations"]?.arrayValue ?? []
        if !locations.isEmpty {
            print("\non disk:")
            for l in locations { print("  \(text(l))") }
        }
    }

    static func why(_ d: JSONValue) {
        print("\(text(d["path"])): \(text(d["verdict"]))")
        let reasons = d["reasons"]?.arrayValue ?? []
        for reason in reasons.dropFirst() { print("  also: \(text(reason["message"]))") }
    }
}
