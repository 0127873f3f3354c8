import ArgumentParser
import Control
import Glibc

/// `newsinboxctl [--socket PATH] [--json] COMMAND`: one request to newsinboxd's control socket, one answer.
struct Newsinboxctl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "newsinboxctl",
        abstract: "Look at and steer a running newsinboxd over its control socket.",
        discussion: """
            The socket is --socket, else $NEWSINBOX_CONTROL_SOCKET, else newsinbox-local/control.sock below the \
            current directory (newsinboxd's built-in default) if it exists, else /run/newsinbox/control.sock (the \
            installed service's). Read-only commands work for anyone who can open the \
            socket; commands that change the daemon need root, the daemon's user or its admin_group.

            Exit status: 0 ok, 1 the command failed, 2 usage error, 3 the daemon is not running, 4 permission denied.
            """,
        version: NewsInboxVersion.string,
        subcommands: [
            Status.self, Stats.self, Queue.self, Failed.self, Recent.self, Show.self, Why.self,
            Search.self, Story.self, Trending.self, Quotes.self, Follow.self,
            Pause.self, Resume.self, Retry.self, Reprocess.self, Rescan.self, Reload.self, LogLevel.self, Drain.self,
        ])

    @OptionGroup var global: GlobalOptions

    func run() throws {
        throw ValidationError("a command is needed (see --help)")
    }
}

struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The daemon's control socket.", valueName: "path"),
            completion: .file())
    var socket: String?

    @Flag(name: [.short, .long], help: "Print the daemon's answer as JSON (one object) instead of text.")
    var json = false

    static let defaultSocket = SharedNames.localControlSocket
    static let serviceSocket = SharedNames.serviceControlSocket

    var socketPath: String {
        if let socket { return socket }
        if let fromEnvironment = getenv("NEWSINBOX_CONTROL_SOCKET").map({ String(cString: $0) }), !fromEnvironment.isEmpty {
            return fromEnvironment
        }
        // A daemon run from a checkout first; else the installed service, so operators need no flag.
        func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }
        if !exists(Self.defaultSocket) && exists(Self.serviceSocket) {
            return Self.serviceSocket
        }
        return Self.defaultSocket
    }
}

/// The shared part of every command: send, then print the answer or map the failure to an exit code.
/// `--json` prints the daemon's `data` as it came (a newer daemon's fields included); text output reads
/// it as the command's `Reply` type from Control, so a field name is never spelled here.
protocol ControlCommand: ParsableCommand {
    associatedtype Reply: Decodable
    var global: GlobalOptions { get }
    var request: ControlRequest { get }
    func printHuman(_ reply: Reply)
    func failure(in reply: Reply) -> Exit?
}

extension ControlCommand {
    func run() throws {
        let path = global.socketPath
        let response: ControlResponse
        do {
            // Long enough for a reprocess (item_timeout is 30 s by default); the server answers or closes, never hangs.
            response = try ControlClient(socketPath: path, timeoutSeconds: 90).send(request)
        } catch let failure as ControlClient.Failure {
            switch failure {
            case .notRunning: throw Exit.notRunning("newsinboxctl: newsinboxd is not running (no answer on \(path))")
            case .permissionDenied: throw Exit.denied("newsinboxctl: permission denied opening \(path)")
            default: throw Exit.failed("newsinboxctl: \(failure)")
            }
        }
        guard response.ok else {
            if global.json { Render.printJSON(Render.errorObject(response)) }
            let message = "newsinboxctl: \(request.command): \(response.error ?? "failed")"
            switch response.code {
            case .denied: throw Exit.denied(message)
            case .usage, .unknownCommand: throw Exit.usage(message)
            default: throw Exit.failed(message)
            }
        }
        if global.json {
            Render.printJSON(response.data ?? .null)
            if let reply = try? response.decodeData(as: Reply.self), let failure = failure(in: reply) { throw failure }
            return
        }
        let reply: Reply
        do {
            reply = try response.decodeData(as: Reply.self)
        } catch {
            throw Exit.failed("newsinboxctl: \(request.command): unexpected answer from the daemon (\(error))")
        }
        printHuman(reply)
        if let failure = failure(in: reply) { throw failure }
    }

    /// An answer that is printed but still means the command failed; none by default.
    func failure(in reply: Reply) -> Exit? { nil }
}

/// Exit codes, each with its one-line message for stderr.
enum Exit: Error {
    case failed(String), usage(String), notRunning(String), denied(String)

    var code: Int32 {
        switch self {
        case .failed: return 1
        case .usage: return 2
        case .notRunning: return 3
        case .denied: return 4
        }
    }

    var message: String {
        switch self {
        case .failed(let m), .usage(let m), .notRunning(let m), .denied(let m): return m
        }
    }
}

// MARK: - Read-only commands

struct Status: ControlCommand {
    typealias Reply = StatusReply
    static let configuration = CommandConfiguration(abstract: "Running, paused or draining; version, uptime, directories and counts.")
    @OptionGroup var global: GlobalOptions
    var request: ControlRequest { ControlRequest(.status) }
    func printHuman(_ reply: Reply) { Render.status(reply) }
}

struct Stats: ControlCommand {
    typealias Reply = StatsAnswer
    static let configuration = CommandConfiguration(
        abstract: "Counters since start, latency (arrival to output, and per stage) and throughput.")
    @OptionGroup var global: GlobalOptions
    @Flag(help: "Print the Prometheus text exposition, as GET /metrics serves it (for node_exporter's textfile collector).")
    var prometheus = false
    var request: ControlRequest { ControlRequest(prometheus ? .metrics : .stats) }
    func printHuman(_ reply: Reply) {
        switch reply {
        case .stats(let stats): Render.stats(stats)
        case .exposition(let text): print(text, terminator: "")
        }
    }
}

/// `stats` answers with counters; `stats --prometheus` (the `metrics` command) with the exposition text.
enum StatsAnswer: Decodable {
    case stats(StatsReply), exposition(String)

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) { self = .exposition(text) } else { self = .stats(try container.decode(StatsReply.self)) }
    }
}

struct LimitOption: ParsableArguments {
    @Option(name: .long, help: "Show at most this many items.") var limit: Int = 20

    func validate() throws {
        guard limit > 0 else { throw ValidationError("--limit must be at least 1") }
    }
}

struct Queue: ControlCommand {
    typealias Reply = QueueReply
    static let configuration = CommandConfiguration(abstract: "What is in flight and what waits, in claiming order.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var limit: LimitOption
    var request: ControlRequest { ControlRequest(.queue, args: ["limit": .int(limit.limit)]) }
    func printHuman(_ reply: Reply) { Render.queue(reply) }
}

struct Failed: ControlCommand {
    typealias Reply = FailedReply
    static let configuration = CommandConfiguration(abstract: "What failed and why, newest first (from failed/ and its sidecars).")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var limit: LimitOption
    var request: ControlRequest { ControlRequest(.failed, args: ["limit": .int(limit.limit)]) }
    func printHuman(_ reply: Reply) { Render.failed(reply) }
}

struct Recent: ControlCommand {
    typealias Reply = RecentReply
    static let configuration = CommandConfiguration(abstract: "What finished last, most recent first.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var limit: LimitOption
    var request: ControlRequest { ControlRequest(.recent, args: ["limit": .int(limit.limit)]) }
    func printHuman(_ reply: Reply) { Render.recent(reply) }
}

struct Show: ControlCommand {
    typealias Reply = ShowReply
    static let configuration = CommandConfiguration(
        abstract: "One article's history, output and extraction summary.",
        discussion: "ID is the article id; FILE is the name as dropped (relative to the inbox) or an absolute path in the inbox or the spool.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp("An article id or a file.", valueName: "id-or-file")) var target: String
    var request: ControlRequest { ControlRequest(.show, args: ["target": .string(target)]) }
    func printHuman(_ reply: Reply) { Render.show(reply) }
}

struct Why: ControlCommand {
    typealias Reply = WhyReply
    static let configuration = CommandConfiguration(
        abstract: "Why a file in the inbox has not been processed (yet).",
        discussion: "Ignored by a pattern, still open for writing, too large, a duplicate, waiting behind others, paused, ...")
    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp("The file, as dropped or as an absolute path.", valueName: "file"), completion: .file())
    var file: String
    var request: ControlRequest { ControlRequest(.why, args: ["target": .string(file)]) }
    func printHuman(_ reply: Reply) { Render.why(reply) }

    /// A file that is nowhere (not in the inbox, the spool or the history) exits 1, like ls(1).
    func failure(in reply: Reply) -> Exit? {
        guard let first = reply.reasons.first, first.code == "not_in_inbox" else { return nil }
        return .failed("newsinboxctl: why: \(first.message)")
    }
}

// MARK: - Commands that change the daemon

struct Pause: ControlCommand {
    typealias Reply = PauseReply
    static let configuration = CommandConfiguration(abstract: "Stop claiming new files; in-flight items finish.")
    @OptionGroup var global: GlobalOptions
    var request: ControlRequest { ControlRequest(.pause) }
    func printHuman(_ reply: Reply) {
        print(!reply.changed ? "already \(reply.state)"
              : "paused: no new files are claimed; \(reply.inFlight) in flight will finish")
    }
}

struct Resume: ControlCommand {
    typealias Reply = ResumeReply
    static let configuration = CommandConfiguration(abstract: "Start claiming again after pause.")
    @OptionGroup var global: GlobalOptions
    var request: ControlRequest { ControlRequest(.resume) }
    func printHuman(_ reply: Reply) {
        print(!reply.changed ? "not paused (\(reply.state))" : "resumed: \(reply.waiting) waiting")
    }
}

struct Retry: ControlCommand {
    typealias Reply = RetryReply
    static let configuration = CommandConfiguration(
        abstract: "Move failed items back into processing and remove their sidecars.",
        discussion: "ID matches the content's id recorded in the sidecar; FILE is the name as dropped or a path in failed/.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp("An article id or a failed file.", valueName: "id-or-file")) var target: String?
    @Flag(name: .customLong("all-failed"), help: "Retry everything in failed/.") var allFailed = false

    func validate() throws {
        if allFailed == (target != nil) { throw ValidationError("give either an ID or FILE, or --all-failed") }
    }

    var request: ControlRequest {
        ControlRequest(.retry, args: allFailed ? ["all_failed": .bool(true)] : ["target": .string(target ?? "")])
    }

    func printHuman(_ reply: Reply) {
        let retried = reply.retried
        print(retried.isEmpty ? "nothing to retry" : "retrying \(retried.count): \(retried.joined(separator: ", "))")
        for skipped in reply.skipped { print("skipped \(skipped.file): \(skipped.reason)") }
    }
}

struct Reprocess: ControlCommand {
    typealias Reply = ReprocessReply
    static let configuration = CommandConfiguration(
        abstract: "Extract a finished article again and replace its output atomically.",
        discussion: "Needs the source in done/ (on_success = move). Waits until the new output is written.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp("The article id.", valueName: "id")) var id: String
    var request: ControlRequest { ControlRequest(.reprocess, args: ["target": .string(id)]) }
    func printHuman(_ reply: Reply) {
        print("reprocessed \(reply.id) (\(reply.file)): wrote \(reply.outputs.joined(separator: ", "))")
    }
}

struct Rescan: ControlCommand {
    typealias Reply = RescanReply
    static let configuration = CommandConfiguration(abstract: "Scan the inbox now for files inotify did not report.")
    @OptionGroup var global: GlobalOptions
    var request: ControlRequest { ControlRequest(.rescan) }
    func printHuman(_ reply: Reply) {
        let more = reply.moreInInbox ? " (more in the inbox)" : ""
        print("rescan: \(reply.queued) newly queued, \(reply.waiting) waiting\(more)")
    }
}

struct Reload: ControlCommand {
    typealias Reply = ReloadReply
    static let configuration = CommandConfiguration(abstract: "Reload the config file (like SIGHUP); a bad config is rejected.")
    @OptionGroup var global: GlobalOptions
    @Flag(help: "Only validate the config and show what would change (read-only).") var check = false
    var request: ControlRequest { ControlRequest(.reload, args: check ? ["check": .bool(true)] : [:]) }
    func printHuman(_ reply: Reply) {
        let changes = reply.changes
        if check {
            print(changes.isEmpty ? "config is valid; nothing would change" : "config is valid; reload would change:")
        } else {
            print(changes.isEmpty ? "reloaded; nothing changed" : "reloaded; changed:")
        }
        for change in changes { print("  \(change)") }
        for note in reply.notes ?? [] { print("note: \(note)") }
    }
}

struct LogLevel: ControlCommand {
    typealias Reply = LogLevelReply
    static let configuration = CommandConfiguration(commandName: "log-level", abstract: "Set the daemon's log level until the next reload or restart.")
    static let levels = SharedNames.logLevels
    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp("trace, debug, info, notice, warning, error or critical.", valueName: "level"),
              completion: .list(LogLevel.levels))
    var level: String

    func validate() throws {
        guard Self.levels.contains(level) else { throw ValidationError("level must be one of: \(Self.levels.joined(separator: ", "))") }
    }

    var request: ControlRequest { ControlRequest(.logLevel, args: ["level": .string(level)]) }
    func printHuman(_ reply: Reply) {
        print("log level \(reply.level) (was \(reply.previous))")
    }
}

struct Drain: ControlCommand {
    typealias Reply = DrainReply
    static let configuration = CommandConfiguration(abstract: "Finish in-flight work and stop the daemon.")
    @OptionGroup var global: GlobalOptions
    var request: ControlRequest { ControlRequest(.drain) }
    func printHuman(_ reply: Reply) {
        print("draining: \(reply.inFlight) in flight will finish, then newsinboxd stops")
    }
}
