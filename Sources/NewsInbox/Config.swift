import Foundation

/// The daemon's configuration: built-in defaults, overridden by the config file, overridden by flags.
///
/// The file is `key = value` lines; `#` starts a comment. Every key is documented in `config/newsinboxd.conf`.
/// Unknown keys and bad values are errors that name the key and the line.
public struct DaemonConfig: Sendable, Equatable {
    public var inbox: String = "newsinbox-local/inbox"
    public var output: String = "newsinbox-local/out"
    public var state: String = "newsinbox-local/state"
    public var controlSocket: String = "newsinbox-local/control.sock"
    /// 0 means one per CPU.
    public var workers: Int = 0
    public var maxInFlight: Int = 64
    public var maxFileSize: Int = 16 << 20
    public var itemTimeout: Double = 30
    /// 0 disables the periodic safety rescan.
    public var rescanInterval: Double = 60
    public var shutdownTimeout: Double = 20
    /// An item whose extraction was under way this many times when the daemon stopped is quarantined.
    public var maxAttempts: Int = 3
    public var ignorePatterns: [String] = [".*", "*.tmp", "*.part", "*~"]
    public var onSuccess: OnSuccess = .move
    public var adminGroup: String? = nil
    public var logLevel: String = "info"
    public var modelDir: String? = nil
    public var journal: JournalMode = .auto

    public enum OnSuccess: String, Sendable, CaseIterable { case move, delete }
    public enum JournalMode: String, Sendable, CaseIterable { case auto, on, off }

    public init() {}

    public static let logLevels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]

    public var effectiveWorkers: Int {
        workers > 0 ? workers : max(1, ProcessInfo.processInfo.activeProcessorCount)
    }

    /// Where the file was read from, for `status` and logs; nil when running on built-in defaults.
    public var sourcePath: String? = nil
}

public struct ConfigError: Error, CustomStringConvertible, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension DaemonConfig {
    /// Reads a config file on top of the built-in defaults.
    public static func load(path: String) throws -> DaemonConfig {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigError("\(path): cannot read: \(error.localizedDescription)")
        }
        var config = try parse(text, origin: path)
        config.sourcePath = path
        return config
    }

    public static func parse(_ text: String, origin: String = "config") throws -> DaemonConfig {
        var config = DaemonConfig()
        var seen: Set<String> = []
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = stripComment(rawLine).trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            let where_ = "\(origin):\(index + 1)"
            guard let eq = line.firstIndex(of: "=") else {
                throw ConfigError("\(where_): expected 'key = value', got '\(line)'")
            }
            let key = line[..<eq].trimmingCharacters(in: .whitespaces)
            var value = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, value.first == "\"", value.last == "\"" { value = String(value.dropFirst().dropLast()) }
            guard !seen.contains(key) else { throw ConfigError("\(where_): key '\(key)' is set twice") }
            seen.insert(key)
            try config.set(key: key, value: value, at: where_)
        }
        try config.validate()
        return config
    }

    private static func stripComment(_ line: Substring) -> String {
        // '#' starts a comment unless inside double quotes.
        var inQuotes = false
        var out = ""
        for c in line {
            if c == "\"" { inQuotes.toggle() }
            if c == "#" && !inQuotes { break }
            out.append(c)
        }
        return out
    }

    mutating func set(key: String, value: String, at where_: String) throws {
        func bad(_ expected: String) -> ConfigError {
            ConfigError("\(where_): \(key) = '\(value)': \(expected)")
        }
        func path() throws -> String {
            guard !value.isEmpty else { throw bad("expected a path") }
            return value
        }
        func integer(_ range: ClosedRange<Int>) throws -> Int {
            guard let n = Int(value), range.contains(n) else { throw bad("expected a whole number in \(range.lowerBound)...\(range.upperBound)") }
            return n
        }
        func duration(allowZero: Bool) throws -> Double {
            guard let seconds = Self.parseDuration(value), seconds >= 0, allowZero || seconds > 0 else {
                throw bad("expected a duration such as 500ms, 30s, 2m\(allowZero ? " (0 disables)" : "")")
            }
            return seconds
        }
        switch key {
        case "inbox": inbox = try path()
        case "output": output = try path()
        case "state": state = try path()
        case "control_socket": controlSocket = try path()
        case "workers": workers = try integer(0...256)
        case "max_in_flight": maxInFlight = try integer(1...100_000)
        case "max_file_size":
            guard let n = Self.parseSize(value), n > 0 else { throw bad("expected a size such as 16M, 512K, 1G") }
            maxFileSize = n
        case "item_timeout": itemTimeout = try duration(allowZero: false)
        case "rescan_interval": rescanInterval = try duration(allowZero: true)
        case "shutdown_timeout": shutdownTimeout = try duration(allowZero: false)
        case "max_attempts": maxAttempts = try integer(1...1000)
        case "ignore_patterns":
            ignorePatterns = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        case "on_success":
            guard let v = OnSuccess(rawValue: value) else { throw bad("expected one of: move, delete") }
            onSuccess = v
        case "admin_group": adminGroup = value.isEmpty ? nil : value
        case "log_level":
            guard Self.logLevels.contains(value) else { throw bad("expected one of: \(Self.logLevels.joined(separator: ", "))") }
            logLevel = value
        case "model_dir": modelDir = value.isEmpty ? nil : value
        case "journal":
            guard let v = JournalMode(rawValue: value) else { throw bad("expected one of: auto, on, off") }
            journal = v
        default:
            throw ConfigError("\(where_): unknown key '\(key)'")
        }
    }

    public func validate() throws {
        let paths = [("inbox", inbox), ("output", output), ("state", state)]
        for (name, p) in paths where p.isEmpty { throw ConfigError("\(name): must not be empty") }
        let resolved = paths.map { ($0.0, Self.absolute($0.1)) }
        for (a, pa) in resolved {
            for (b, pb) in resolved where a != b {
                if pa == pb || pa.hasPrefix(pb + "/") {
                    throw ConfigError("\(a) (\(pa)) must not be \(pa == pb ? "the same as" : "inside") \(b) (\(pb))")
                }
            }
        }
    }

    /// Paths resolved against the working directory at start-up, so a later chdir changes nothing.
    public func resolvingPaths() -> DaemonConfig {
        var c = self
        c.inbox = Self.absolute(inbox)
        c.output = Self.absolute(output)
        c.state = Self.absolute(state)
        c.controlSocket = Self.absolute(controlSocket)
        if let m = modelDir { c.modelDir = Self.absolute(m) }
        return c
    }

    static func absolute(_ path: String) -> String {
        let joined = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        // Normalise "." and ".." lexically; symlinks are the operator's business.
        var parts: [Substring] = []
        for part in joined.split(separator: "/") {
            if part == "." || part.isEmpty { continue }
            if part == ".." { _ = parts.popLast(); continue }
            parts.append(part)
        }
        return "/" + parts.joined(separator: "/")
    }

    public static func parseDuration(_ text: String) -> Double? {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        for (suffix, factor) in units where text.hasSuffix(suffix) {
            let number = text.dropLast(suffix.count).trimmingCharacters(in: .whitespaces)
            if let n = Double(number), n.isFinite { return n * factor }
            if suffix == "s" { break }  // "ms" handled above; don't retry "m" on "…s"
        }
        if let n = Double(text), n.isFinite { return n }  // bare seconds
        return nil
    }

    public static func parseSize(_ text: String) -> Int? {
        var t = text.uppercased().replacingOccurrences(of: "IB", with: "").replacingOccurrences(of: "B", with: "")
        var factor = 1
        if let last = t.last, let f = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30][String(last)] {
            factor = f
            t.removeLast()
        }
        guard let n = Int(t.trimmingCharacters(in: .whitespaces)), n >= 0, n <= Int.max / factor else { return nil }
        return n * factor
    }

    /// The effective configuration in the file's own syntax, for `--check-config` and `reload --check`.
    public func rendered() -> String {
        var lines: [String] = []
        lines.append("inbox = \(inbox)")
        lines.append("output = \(output)")
        lines.append("state = \(state)")
        lines.append("control_socket = \(controlSocket)")
        lines.append("workers = \(workers)\(workers == 0 ? "    # auto: \(effectiveWorkers)" : "")")
        lines.append("max_in_flight = \(maxInFlight)")
        lines.append("max_file_size = \(maxFileSize)")
        lines.append("item_timeout = \(Self.renderDuration(itemTimeout))")
        lines.append("rescan_interval = \(Self.renderDuration(rescanInterval))")
        lines.append("shutdown_timeout = \(Self.renderDuration(shutdownTimeout))")
        lines.append("max_attempts = \(maxAttempts)")
        lines.append("ignore_patterns = \(ignorePatterns.joined(separator: ", "))")
        lines.append("on_success = \(onSuccess.rawValue)")
        lines.append("admin_group = \(adminGroup ?? "")")
        lines.append("log_level = \(logLevel)")
        lines.append("model_dir = \(modelDir ?? "")")
        lines.append("journal = \(journal.rawValue)")
        return lines.joined(separator: "\n") + "\n"
    }

    static func renderDuration(_ seconds: Double) -> String {
        if seconds == 0 { return "0" }
        if seconds < 1 { return "\(Int((seconds * 1000).rounded()))ms" }
        if seconds == seconds.rounded() { return "\(Int(seconds))s" }
        return "\(seconds)s"
    }

    /// What differs between two configs, one line per key, for `reload --check` and the reload log line.
    public func changes(to new: DaemonConfig) -> [String] {
        let old = rendered().split(separator: "\n").map(String.init)
        let updated = new.rendered().split(separator: "\n").map(String.init)
        return zip(old, updated).compactMap { $0 == $1 ? nil : "\($0)  ->  \($1.split(separator: "=", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? "")" }
    }
}

/// Shell-style name matching for ignore patterns: `*` and `?` only, on the file's base name.
public enum NamePattern {
    public static func matches(_ name: String, pattern: String) -> Bool {
        let n = Array(name.unicodeScalars), p = Array(pattern.unicodeScalars)
        var ni = 0, pi = 0, star = -1, mark = 0
        while ni < n.count {
            if pi < p.count && (p[pi] == "?" || p[pi] == n[ni]) { ni += 1; pi += 1 }
            else if pi < p.count && p[pi] == "*" { star = pi; mark = ni; pi += 1 }
            else if star >= 0 { pi = star + 1; mark += 1; ni = mark }
            else { return false }
        }
        while pi < p.count && p[pi] == "*" { pi += 1 }
        return pi == p.count
    }

    public static func firstMatch(_ name: String, in patterns: [String]) -> String? {
        patterns.first { matches(name, pattern: $0) }
    }
}
