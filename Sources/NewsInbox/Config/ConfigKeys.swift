import FoundationEssentials
import NewsCore

/// Why a value was refused: what was expected instead. The parser adds the file, line and key.
struct ConfigValueError: Error {
    var expected: String
}

/// One config key, listed once: its name, what it means, how a value is read (and checked), and how the
/// effective value is printed (by `--check-config`, `reload --check`; printed values parse back).
/// Adding a key is one entry in `all` (and its documentation in config/newsinboxd.conf and
/// newsinboxd.conf(5); a test checks both name every key).
struct ConfigKey: Sendable {
    let name: String
    let doc: String
    let apply: @Sendable (inout DaemonConfig, String) throws -> Void
    let render: @Sendable (DaemonConfig) -> String

    static func named(_ name: String) -> ConfigKey? { all.first { $0.name == name } }

    static let all: [ConfigKey] = [
        .path("inbox", \.inbox, "where producers drop files"),
        .path("output", \.output, "one <id>.json per article (default $STATE_DIRECTORY/out under systemd)"),
        .path("state", \.state, "processing/, done/, failed/, attempts/; same filesystem as the inbox"),
        .path("control_socket", \.controlSocket, "the control socket (default $RUNTIME_DIRECTORY/control.sock under systemd)"),
        ConfigKey(name: "workers", doc: "articles read and extracted at once; 0 = one per CPU",
                  apply: { $0.workers = try ConfigValues.integer($1, in: 0...256) },
                  render: { "\($0.workers)\($0.workers == 0 ? "    # auto: \($0.effectiveWorkers)" : "")" }),
        .integer("max_in_flight", \.maxInFlight, 1...100_000, "files claimed at once"),
        ConfigKey(name: "max_file_size", doc: "larger files fail with \"too large\" without being read",
                  apply: {
                      guard let n = ConfigValues.size($1), n > 0 else { throw ConfigValueError(expected: "expected a size such as 16M, 512K, 1.5G") }
                      $0.maxFileSize = n
                  },
                  render: { ConfigValues.renderSize($0.maxFileSize) }),
        .duration("item_timeout", \.itemTimeout, allowZero: false, "per-article deadline"),
        .duration("rescan_interval", \.rescanInterval, allowZero: true, "periodic safety rescan; 0 disables"),
        .duration("shutdown_timeout", \.shutdownTimeout, allowZero: false, "how long SIGTERM waits for in-flight articles"),
        .integer("max_attempts", \.maxAttempts, 1...1000, "stops of the daemon during an article's extraction before it is quarantined"),
        ConfigKey(name: "ignore_patterns", doc: "fnmatch(3) patterns on each path component, comma-separated",
                  apply: { $0.ignorePatterns = try ConfigValues.patterns($1) },
                  render: { $0.ignorePatterns.joined(separator: ", ") }),
        .choice("on_success", \.onSuccess, "move sources to done/, or delete them"),
        .optionalString("admin_group", \.adminGroup, "members may run commands that change the daemon"),
        ConfigKey(name: "log_level", doc: SharedLogLevelsDoc.text,
                  apply: {
                      guard DaemonConfig.logLevels.contains($1) else {
                          throw ConfigValueError(expected: "expected one of: \(DaemonConfig.logLevels.joined(separator: ", "))")
                      }
                      $0.logLevel = $1
                  },
                  render: { $0.logLevel }),
        .optionalString("model_dir", \.modelDir, "extraction models (default: searched)"),
        .choice("journal", \.journal, "per-article journal entries: auto, on, off"),
        .choice("index", \.index, "the article index (state/index.sqlite: story_id, search, story, trending, quotes, follow): on, off"),
        ConfigKey(name: "metrics_listen", doc: "HOST:PORT for GET /metrics when systemd passes no metrics socket; empty: off",
                  apply: { config, value in
                      guard value.isEmpty || MetricsAddress.parse(value) != nil else {
                          throw ConfigValueError(expected: "expected HOST:PORT such as 127.0.0.1:9470 (empty: off)")
                      }
                      config.metricsListen = value.isEmpty ? nil : value
                  },
                  render: { $0.metricsListen ?? "" }),
        ConfigKey(name: "nats_url", doc: "NATS server for the results and input streams; empty = off",
                  apply: { config, value in
                      guard value.isEmpty || value.contains("://") else {
                          throw ConfigValueError(expected: "expected a URL such as nats://127.0.0.1:4222, or empty for off")
                      }
                      config.natsURL = value
                  },
                  render: { $0.natsURL }),
        ConfigKey(name: "nats_results_subject", doc: "subject of the results; failures go to <subject>.failed",
                  apply: { $0.natsResultsSubject = try ConfigValues.natsSubject($1) },
                  render: { $0.natsResultsSubject }),
        .natsName("nats_results_stream", \.natsResultsStream, allowEmpty: false, "the stream holding the results (created if missing)"),
        .natsName("nats_input_stream", \.natsInputStream, allowEmpty: true, "a stream to take articles from; empty = off"),
        .natsName("nats_input_consumer", \.natsInputConsumer, allowEmpty: false, "the durable pull consumer the daemons share"),
        .optionalString("nats_credentials", \.natsCredentials, "a NATS .creds file"),
        .optionalString("nats_tls_ca", \.natsTLSCA, "PEM file of the CA to trust for tls:// servers"),
        .optionalString("nats_tls_cert", \.natsTLSCertificate, "PEM client certificate for mutual TLS (with nats_tls_key)"),
        .optionalString("nats_tls_key", \.natsTLSKey, "PEM key of nats_tls_cert"),
    ]

    /// A stream or consumer name: letters, digits, '_' and '-'.
    static func natsName(_ name: String, _ field: any WritableKeyPath<DaemonConfig, String> & Sendable,
                         allowEmpty: Bool, _ doc: String) -> ConfigKey {
        ConfigKey(name: name, doc: doc,
                  apply: { config, value in
                      guard (value.isEmpty && allowEmpty)
                              || (!value.isEmpty && value.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") })) else {
                          throw ConfigValueError(expected: "expected a name of letters, digits, '_' and '-'")
                      }
                      config[keyPath: field] = value
                  },
                  render: { $0[keyPath: field] })
    }

    // MARK: - Kinds of key

    static func path(_ name: String, _ field: any WritableKeyPath<DaemonConfig, String> & Sendable, _ doc: String) -> ConfigKey {
        ConfigKey(name: name, doc: doc,
                  apply: { config, value in
                      guard !value.isEmpty else { throw ConfigValueError(expected: "expected a path") }
                      config[keyPath: field] = value
                  },
                  render: { $0[keyPath: field] })
    }

    static func integer(_ name: String, _ field: any WritableKeyPath<DaemonConfig, Int> & Sendable,
                        _ range: ClosedRange<Int>, _ doc: String) -> ConfigKey {
        ConfigKey(name: name, doc: doc,
                  apply: { $0[keyPath: field] = try ConfigValues.integer($1, in: range) },
                  render: { "\($0[keyPath: field])" })
    }

    static func duration(_ name: String, _ field: any WritableKeyPath<DaemonConfig, Double> & Sendable,
                         allowZero: Bool, _ doc: String) -> ConfigKey {
        ConfigKey(name: name, doc: doc,
                  apply: { config, value in
                      guard let seconds = ConfigValues.duration(value), allowZero || seconds > 0 else {
                          throw ConfigValueError(expected: "expected a duration as systemd.time(7) writes it, such as 500ms, 30s, 2min, 1h30min\(allowZero ? " (0 disables)" : "")")
                      }
                      config[keyPath: field] = seconds
                  },
                  render: { ConfigValues.renderDuration($0[keyPath: field]) })
    }

    static func choice<Choice: RawRepresentable & CaseIterable & Sendable>(
        _ name: String, _ field: any WritableKeyPath<DaemonConfig, Choice> & Sendable, _ doc: String
    ) -> ConfigKey where Choice.RawValue == String {
        ConfigKey(name: name, doc: doc,
                  apply: { config, value in
                      guard let choice = Choice(rawValue: value) else {
                          throw ConfigValueError(expected: "expected one of: \(Choice.allCases.map(\.rawValue).joined(separator: ", "))")
                      }
                      config[keyPath: field] = choice
                  },
                  render: { $0[keyPath: field].rawValue })
    }

    /// A string where empty means "not set".
    static func optionalString(_ name: String, _ field: any WritableKeyPath<DaemonConfig, String?> & Sendable, _ doc: String) -> ConfigKey {
        ConfigKey(name: name, doc: doc,
                  apply: { $0[keyPath: field] = $1.isEmpty ? nil : $1 },
                  render: { $0[keyPath: field] ?? "" })
    }
}

private enum SharedLogLevelsDoc {
    static let text = "daemon log level: " + DaemonConfig.logLevels.joined(separator: ", ")
}

/// Value syntaxes shared by the keys.
enum ConfigValues {
    /// Dot-separated tokens without spaces or wildcards (a subject to publish to).
    static func natsSubject(_ text: String) throws -> String {
        let tokens = text.split(separator: ".", omittingEmptySubsequences: false)
        guard !text.isEmpty, tokens.allSatisfy({ !$0.isEmpty && !$0.contains(where: { " *>\t".contains($0) }) }) else {
            throw ConfigValueError(expected: "expected a NATS subject of dot-separated tokens without spaces or wildcards")
        }
        return text
    }

    static func integer(_ text: String, in range: ClosedRange<Int>) throws -> Int {
        guard let n = Int(text), range.contains(n) else {
            throw ConfigValueError(expected: "expected a whole number in \(range.lowerBound)...\(range.upperBound)")
        }
        return n
    }

    /// Comma-separated fnmatch(3) patterns. A pattern holding `/` could never match one path component.
    static func patterns(_ text: String) throws -> [String] {
        let patterns = text.split(separator: ",").map { $0.trimmingBlanks() }.filter { !$0.isEmpty }
        if let bad = patterns.first(where: { $0.contains("/") }) {
            throw ConfigValueError(expected: "pattern '\(bad)' contains '/': patterns match one path component (a file or directory name)")
        }
        return patterns
    }

    /// systemd.time(7) time spans, in seconds: one or more `NUMBER[UNIT]` parts, optionally separated by
    /// white space, summed (`1h30min`, `1h 30min`, `2 h`, `500ms`, `1.5h`); a bare number is seconds.
    /// Units: usec us µs, msec ms, seconds second sec s, minutes minute min m, hours hour hr h,
    /// days day d, weeks week w, months month M (30.44 days), years year y (365.25 days).
    /// Not accepted: `infinity`, negative values.
    static func duration(_ text: String) -> Double? {
        let scalars = Array(text.unicodeScalars)
        var i = 0, total = 0.0, parts = 0
        func skipSpace() { while i < scalars.count, scalars[i] == " " || scalars[i] == "\t" { i += 1 } }
        skipSpace()
        while i < scalars.count {
            var number = ""
            while i < scalars.count, ("0"..."9").contains(scalars[i]) || scalars[i] == "." {
                number.unicodeScalars.append(scalars[i]); i += 1
            }
            guard !number.isEmpty, number.filter({ $0 == "." }).count <= 1, number != ".",
                  let value = Double(number.hasPrefix(".") ? "0" + number : number) else { return nil }
            skipSpace()
            var unit = ""
            while i < scalars.count, scalars[i].properties.isAlphabetic { unit.unicodeScalars.append(scalars[i]); i += 1 }
            guard let factor = unit.isEmpty ? 1 : durationUnits[unit] else { return nil }
            total += value * factor
            parts += 1
            skipSpace()
        }
        return parts > 0 && total.isFinite ? total : nil
    }

    static let durationUnits: [String: Double] = {
        var table: [String: Double] = [:]
        let groups: [([String], Double)] = [
            (["usec", "us", "µs", "μs"], 1e-6),
            (["msec", "ms"], 1e-3),
            (["seconds", "second", "sec", "s"], 1),
            (["minutes", "minute", "min", "m"], 60),
            (["hours", "hour", "hr", "h"], 3600),
            (["days", "day", "d"], 86400),
            (["weeks", "week", "w"], 7 * 86400),
            (["months", "month", "M"], 2_629_800),
            (["years", "year", "y"], 31_557_600),
        ]
        for (names, factor) in groups { for name in names { table[name] = factor } }
        return table
    }()

    /// Printed so that `duration` reads it back exactly: `0`, `250ms`, `30s`, `1h 30min`.
    static func renderDuration(_ seconds: Double) -> String {
        if seconds == 0 { return "0" }
        let milliseconds = (seconds * 1000).rounded()
        guard milliseconds == seconds * 1000, milliseconds < 1e15 else { return "\(seconds)s" }
        var rest = Int(milliseconds)
        var parts: [String] = []
        for (unit, size) in [("h", 3_600_000), ("min", 60_000), ("s", 1000), ("ms", 1)] where rest >= size {
            parts.append("\(rest / size)\(unit)")
            rest %= size
        }
        return parts.joined(separator: " ")
    }

    /// Sizes in bytes: a number (fractions allowed) with an optional binary suffix K, M, G, T (also
    /// KB/KiB...; case-insensitive), as systemd's `MemoryMax=` reads them: `16M`, `512K`, `1.5G`, `4096`.
    static func size(_ text: String) -> Int? {
        var t = text.trimmingBlanks().uppercased()
        if t.hasSuffix("IB") { t.removeLast(2) } else if t.hasSuffix("B") { t.removeLast() }
        var factor = 1.0
        if let last = t.last, let f = ["K": 1024.0, "M": 1024.0 * 1024, "G": 1024.0 * 1024 * 1024, "T": 1024.0 * 1024 * 1024 * 1024][String(last)] {
            factor = f
            t.removeLast()
        }
        t = t.trimmingBlanks()
        guard !t.isEmpty, t.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }), let n = Double(t) else { return nil }
        let bytes = (n * factor).rounded(.down)
        guard bytes >= 0, bytes < Double(Int.max) else { return nil }
        return Int(bytes)
    }

    /// The largest exact suffix: `16M`, `1536K`, `1000`.
    static func renderSize(_ bytes: Int) -> String {
        for (suffix, shift) in [("T", 40), ("G", 30), ("M", 20), ("K", 10)] where bytes > 0 && bytes % (1 << shift) == 0 {
            return "\(bytes >> shift)\(suffix)"
        }
        return "\(bytes)"
    }
}
