import Control
import Extraction
import FoundationEssentials
import NewsCore
import Glibc

/// The daemon's configuration. Precedence, highest first: command-line flags; the config file and then
/// its drop-ins (`<file>.d/*.conf` in lexical order, a later file overriding an earlier one);
/// the directories systemd passes in the environment (`$STATE_DIRECTORY`, `$RUNTIME_DIRECTORY`);
/// the built-in defaults.
///
/// A file is `key = value` lines (LF or CRLF); `#` starts a comment. The keys are listed once, in
/// `ConfigKey.all`; every key is documented in `config/newsinboxd.conf`. Unknown keys and bad values
/// are errors that name the file, the line and the key.
public struct DaemonConfig: Sendable, Equatable {
    public var inbox: String = "newsinbox-local/inbox"
    public var output: String = "newsinbox-local/out"
    public var state: String = "newsinbox-local/state"
    public var controlSocket: String = SharedNames.localControlSocket
    /// 0 means one per CPU.
    var workers: Int = 0
    var maxInFlight: Int = 64
    var maxFileSize: Int = 16 << 20
    var itemTimeout: Double = 30
    /// 0 disables the periodic safety rescan.
    var rescanInterval: Double = 60
    var shutdownTimeout: Double = 20
    /// An item whose extraction was under way this many times when the daemon stopped is quarantined.
    var maxAttempts: Int = 3
    var ignorePatterns: [String] = [".*", "*.tmp", "*.part", "*~"]
    var onSuccess: OnSuccess = .move
    var adminGroup: String? = nil
    public var logLevel: String = "info"
    var modelDir: String? = nil
    var journal: JournalMode = .auto
    /// The article index (state/index.sqlite), which decides story_id and answers the index queries.
    var index: IndexMode = .on
    /// `host:port` for GET /metrics when systemd does not pass a metrics socket; nil: off.
    var metricsListen: String? = nil
    /// NATS JetStream (docs/scaling.md): empty URL = off.
    var natsURL: String = ""
    var natsResultsSubject: String = "newsinbox.results"
    var natsResultsStream: String = "NEWSINBOX_RESULTS"
    /// Empty = no input from a stream.
    var natsInputStream: String = ""
    var natsInputConsumer: String = "newsinboxd"
    var natsCredentials: String? = nil
    var natsTLSCA: String? = nil
    var natsTLSCertificate: String? = nil
    var natsTLSKey: String? = nil

    enum OnSuccess: String, Sendable, CaseIterable { case move, delete }
    enum JournalMode: String, Sendable, CaseIterable { case auto, on, off }
    enum IndexMode: String, Sendable, CaseIterable { case on, off }

    init() {}

    public static let logLevels = SharedNames.logLevels

    var effectiveWorkers: Int {
        workers > 0 ? workers : Self.processorCount
    }

    /// Read once: `activeProcessorCount` reads the affinity mask and cgroup files on every call, and the
    /// pipeline asks for the worker count at every dispatch (2% of the daemon's samples).
    private static let processorCount = max(1, ProcessInfo.processInfo.activeProcessorCount)

    /// The built-in defaults with the directories systemd hands the service (`StateDirectory=` ->
    /// `$STATE_DIRECTORY`, `RuntimeDirectory=` -> `$RUNTIME_DIRECTORY`; the first entry of each) taking
    /// the place of the local ones: results in `$STATE_DIRECTORY/out`, the control socket in
    /// `$RUNTIME_DIRECTORY/control.sock`. The file and the flags still override them.
    static func builtIn(environment: [String: String] = ProcessInfo.processInfo.environment) -> DaemonConfig {
        var config = DaemonConfig()
        func first(_ name: String) -> String? {
            environment[name]?.split(separator: ":").first.map(String.init).flatMap { $0.isEmpty ? nil : $0 }
        }
        if let stateDirectory = first("STATE_DIRECTORY") { config.output = stateDirectory + "/out" }
        if let runtimeDirectory = first("RUNTIME_DIRECTORY") { config.controlSocket = runtimeDirectory + "/control.sock" }
        return config
    }
}

struct ConfigError: Error, CustomStringConvertible, Equatable {
    var message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}

extension DaemonConfig {
    /// The drop-in directory read after the file at `path`: `newsinboxd.conf` -> `newsinboxd.conf.d/`.
    static func dropInDirectory(for path: String) -> String { path + ".d" }

    /// Reads a config file and its drop-ins on top of `base` (the built-in defaults by default).
    static func load(path: String, onto base: DaemonConfig = .builtIn()) throws -> DaemonConfig {
        var config = try parse(readFile(path), origin: path, onto: base, validating: false)
        for dropIn in try dropIns(for: path) {
            config = try parse(readFile(dropIn), origin: dropIn, onto: config, validating: false)
        }
        try config.validate()
        return config
    }

    /// The `*.conf` files in the drop-in directory, in lexical (byte) order; none when it does not exist.
    public static func dropIns(for path: String) throws -> [String] {
        let directory = dropInDirectory(for: path)
        guard let dir = opendir(directory) else {
            if errno == ENOENT { return [] }
            throw ConfigError("\(directory): cannot read: \(String(cString: strerror(errno)))")
        }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name.hasSuffix(".conf") && !name.hasPrefix(".") { names.append(name) }
        }
        return names.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }.map { directory + "/" + $0 }
    }

    /// The whole file, or an error naming it with strerror (missing, unreadable, a directory).
    static func readFile(_ path: String) throws -> String {
        let bytes: [UInt8]
        do {
            bytes = try FileBytes.read(path)
        } catch {
            throw ConfigError("\(path): cannot read: \(String(cString: strerror(error.errno)))")
        }
        guard let text = String(validating: bytes, as: UTF8.self) else { throw ConfigError("\(path): not UTF-8 text") }
        return text
    }

    /// Parses one file's text on top of `base`. A key may be set once per file; a later file may set it again.
    static func parse(_ text: String, origin: String = "config", onto base: DaemonConfig = DaemonConfig(),
                             validating: Bool = true) throws -> DaemonConfig {
        var config = base
        var seen: Set<String> = []
        // Splitting on Character.isNewline treats "\r\n" (one Character) as one line end.
        for (index, rawLine) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let line = stripComment(rawLine).trimmingBlanks()
            if line.isEmpty { continue }
            let location = "\(origin):\(index + 1)"
            guard let eq = line.firstIndex(of: "=") else {
                throw ConfigError("\(location): expected 'key = value', got '\(line)'")
            }
            let name = line[..<eq].trimmingBlanks()
            var value = line[line.index(after: eq)...].trimmingBlanks()
            if value.count >= 2, value.first == "\"", value.last == "\"" { value = String(value.dropFirst().dropLast()) }
            guard let key = ConfigKey.named(name) else { throw ConfigError("\(location): unknown key '\(name)'") }
            guard !seen.contains(name) else { throw ConfigError("\(location): key '\(name)' is set twice") }
            seen.insert(name)
            do {
                try key.apply(&config, value)
            } catch let error as ConfigValueError {
                throw ConfigError("\(location): \(name) = '\(value)': \(error.expected)")
            }
        }
        if validating { try config.validate() }
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

    /// Checks that hold between keys.
    func validate() throws {
        let paths = [("inbox", inbox), ("output", output), ("state", state)]
        for (name, p) in paths where p.isEmpty { throw ConfigError("\(name): must not be empty") }
        if !natsInputStream.isEmpty && natsURL.isEmpty { throw ConfigError("nats_input_stream needs nats_url") }
        if (natsTLSCertificate == nil) != (natsTLSKey == nil) { throw ConfigError("nats_tls_cert and nats_tls_key go together") }
        let resolved = paths.map { ($0.0, Self.absolute($0.1)) }
        for (a, pa) in resolved {
            for (b, pb) in resolved where a != b {
                if pa == pb || pa.hasPrefix(pb + "/") {
                    throw ConfigError("\(a) (\(pa)) must not be \(pa == pb ? "the same as" : "inside") \(b) (\(pb))")
                }
            }
        }
    }

    /// What `--check-config` checks beyond the syntax: that `admin_group` names a group this machine
    /// knows, and that the models load from `model_dir` (or from where they are searched for).
    /// Empty when all is well.
    public func environmentProblems() -> [String] {
        var problems: [String] = []
        if let adminGroup, getgrnam(adminGroup) == nil {
            problems.append("admin_group = \(adminGroup): no such group on this machine")
        }
        do {
            _ = try ExtractionModels.load(searching: ModelDirectory.candidates(configured: modelDir))
        } catch {
            problems.append("model_dir = \(modelDir ?? "(searched)"): \(error)")
        }
        return problems
    }

    /// Paths resolved against the working directory at start-up, so a later chdir changes nothing.
    func resolvingPaths() -> DaemonConfig {
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

    static func parseDuration(_ text: String) -> Double? { ConfigValues.duration(text) }
    static func parseSize(_ text: String) -> Int? { ConfigValues.size(text) }

    /// The effective configuration in the file's own syntax, for `--check-config` and `reload --check`.
    public func rendered() -> String {
        ConfigKey.all.map { "\($0.name) = \($0.render(self))" }.joined(separator: "\n") + "\n"
    }

    static func renderDuration(_ seconds: Double) -> String { ConfigValues.renderDuration(seconds) }

    /// What differs between two configs, one line per key, for `reload --check` and the reload log line.
    func changes(to new: DaemonConfig) -> [String] {
        ConfigKey.all.compactMap { key in
            let (was, now) = (key.render(self), key.render(new))
            return was == now ? nil : "\(key.name) = \(was)  ->  \(now)"
        }
    }
}

/// Shell-style name matching for ignore patterns, by fnmatch(3) on each path component: `*`, `?`,
/// bracket expressions (`[a-z]*.xml`, `[!.]*`) and backslash escapes.
enum NamePattern {
    static func matches(_ name: String, pattern: String) -> Bool {
        fnmatch(pattern, name, 0) == 0
    }

    static func firstMatch(_ name: String, in patterns: [String]) -> String? {
        patterns.first { matches(name, pattern: $0) }
    }
}
