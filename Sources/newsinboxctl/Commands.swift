import ArgumentParser
import Control
import Foundation

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

    @Flag(name: .long, help: "Print the daemon's answer as JSON (one object) instead of text.")
    var json = false

    static let defaultSocket = "newsinbox-local/control.sock"
    /// Where the packaged service's socket unit listens.
    static let serviceSocket = "/run/newsinbox/control.sock"

    var socketPath: String {
        if let socket { return socket }
        if let fromEnvironment = ProcessInfo.processInfo.environment["NEWSINBOX_CONTROL_SOCKET"], !fromEnvironment.isEmpty {
            return fromEnvironment
        }
        // A daemon run from a checkout first; else the installed service, so operators need no flag.
        if !FileManager.default.fileExists(atPath: Self.defaultSocket) && FileManager.default.fileExists(atPath: Self.serviceSocket) {
            return Self.serviceSocket
        }
        return Self.defaultSocket
    }
}

/// The shared part of every command: send, then print the answer or map the failure to an exit code.
protocol ControlCommand: ParsableCommand {
    var global: GlobalOptions { get }
    var request: ControlRequest { get }
    func printHuman(_ data: JSONValue)
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
        let data = response.data ?? .null
        if global.json { Render.printJSON(data) } else { printHuman(data) }
    }
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
    static let configuration = CommandConfiguration(abstract: "Running, paused or draining; version, uptime, directories and counts.")
    @OptionGroup var global: GlobalOptions
    var request: ControlRequest { ControlRequest(command: "status") }
    func printHuman(_ data: JSONValue) { Render.status(data) }
}

struct Stats: ControlCommand {
    static let configuration = CommandConfiguration(
        abstract: "Counters since start, latency (arrival to output, and per stage) and throughput.")
    @OptionGroup var global: GlobalOptions
    var request: ControlRequest { ControlRequest(command: "stats") }
    func printHuman(_ data: JSONValue) { Render.stats(data) }
}

struct LimitOption: ParsableArguments {
    @Option(name: .long, help: "Show at most this many items.") var limit: Int = 20

    func validate() throws {
        guard limit > 0 else { throw ValidationError("--limit must be at least 1") }
    }
}

struct Queue: ControlCommand {
    static let configuration = CommandConfiguration(abstract: "What is in flight and what waits, in claiming order.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var limit: LimitOption
    var request: ControlRequest { ControlRequest(command: "queue", args: ["limit": .int(limit.limit)]) }
    func printHuman(_ data: JSONValue) { Render.queue(data) }
}

struct Failed: ControlCommand {
    static let configuration = CommandConfiguration(abstract: "What failed and why, newest first (from failed/ and its sidecars).")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var limit: LimitOption
    var request: ControlRequest { ControlRequest(command: "failed", args: ["limit": .int(limit.limit)]) }
    func printHuman(_ data: JSONValue) { Render.failed(data) }
}

struct Recent: ControlCommand {
    static let configuration = CommandConfiguration(abstract: "What finished last, most recent first.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var limit: LimitOption
    var request: ControlRequest { ControlRequest(command: "recent", args: ["limit": .int(limit.limit)]) }
    func printHuman(_ data: JSONValue) { Render.recent(data) }
}

struct Show: ControlCommand {
    static let configuration = CommandConfiguration(
        abstract: "One article's history, output and extraction summary.",
        discussion: "ID is the article id; FILE is the name as dropped (relative to the inbox) or an absolute path in the inbox or the spool.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp("An article id or a file.", valueName: "id-or-file")) var target: String
    var request: ControlRequest { ControlRequest(command: "show", args: ["target": .string(target)]) }
    func printHuman(_ data: JSONValue) { Render.show(data) }
}

struct Why: ControlCommand {
    static let configuration = CommandConfiguration(
        abstract: "Why a file in the inbox has not been processed (yet).",
        discussion: "Ignored by a pattern, still open for writing, too large, a duplicate, waiting behind others, paused, ...")
    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp("The file, as dropped or as an absolute path.", valueName: "file"), completion: .file())
    var file: String
    var request: ControlRequest { ControlRequest(command: "why", args: ["target": .string(file)]) }
    func printHuman(_ data: JSONValue) { Render.why(data) }
}

// MARK: - Commands that change the daemon

struct Pause: ControlCommand {
    static let configuration = CommandConfiguration(abstract: "Stop claiming new files; in-flight items finish.")
    @OptionGroup var global: GlobalOptions
    var request: ControlRequest { ControlRequest(command: "pause") }
    func printHuman(_ data: JSONValue) {
        print(data["changed"]?.boolValue == false ? "already \(data["state"]?.stringValue ?? "paused")"
              : "paused: no new files are claimed; \(data["in_flight"]?.intValue ?? 0) in flight will finish")
    }
}

struct Resume: ControlCommand {
    static let configuration = CommandConfiguration(abstract: "Start claiming again after pause.")
    @OptionGroup var global: GlobalOptions
    var request: ControlRequest { ControlRequest(command: "resume") }
    func printHuman(_ data: JSONValue) {
        print(data["changed"]?.boolValue == false ? "not paused (\(data["state"]?.stringValue ?? "running"))"
              : "resumed: \(data["waiting"]?.intValue ?? 0) waiting")
    }
}

struct Retry: ControlCommand {
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
        ControlRequest(command: "retry", args: allFailed ? ["all_failed": .bool(true)] : ["target": .string(target ?? "")])
    }

    func printHuman(_ data: JSONValue) {
        let retried = data["retried"]?.arrayValue?.compactMap(\.stringValue) ?? []
        print(retried.isEmpty ? "nothing to retry" : "retrying \(retried.count): \(retried.joined(separator: ", "))")
        for skipped in data["skipped"]?.arrayValue ?? [] {
            print("skipped \(skipped["file"]?.stringValue ?? "?"): \(skipped["reason"]?.stringValue ?? "")")
        }
    }
}

struct Reprocess: ControlCommand {
    static let configuration = CommandConfiguration(
        abstract: "Extract a finished article again and replace its output atomically.",
        discussion: "Needs the source in done/ (on_success = move). Waits until the new output is written.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp("The article id.", valueName: "id")) var id: String
    var request: ControlRequest { ControlRequest(command: "reprocess", args: ["target": .string(id)]) }
    func printHuman(_ data: JSONValue) {
        let outputs = data["outputs"]?.arrayValue?.compactMap(\.stringValue) ?? []
        print("reprocessed \(data["id"]?.stringValue ?? id) (\(data["file"]?.stringValue ?? "?")): wrote \(outputs.joined(separator: ", "))")
    }
}

struct Rescan: ControlCommand {
    static let configuration = CommandConfiguration(abstract: "Scan the inbox now for files inotify did not report.")
    @OptionGroup var global: GlobalOptions
    var request: ControlRequest { ControlRequest(command: "rescan") }
    func printHuman(_ data: JSONValue) {
        let more = data["more_in_inbox"]?.boolValue == true ? " (more in the inbox)" : ""
        print("rescan: \(data["queued"]?.intValue ?? 0) newly queued, \(data["waiting"]?.intValue ?? 0) waiting\(more)")
    }
}

struct Reload: ControlCommand {
    static let configuration = CommandConfiguration(abstract: "Reload the config file (like SIGHUP); a bad config is rejected.")
    @OptionGroup var global: GlobalOptions
    @Flag(help: "Only validate the config and show what would change (read-only).") var check = false
    var request: ControlRequest { ControlRequest(command: "reload", args: check ? ["check": .bool(true)] : [:]) }
    func printHuman(_ data: JSONValue) {
        let changes = data["changes"]?.arrayValue?.compactMap(\.stringValue) ?? []
        if check {
            print(changes.isEmpty ? "config is valid; nothing would change" : "config is valid; reload would change:")
        } else {
            print(changes.isEmpty ? "reloaded; nothing changed" : "reloaded; changed:")
        }
        for change in changes { print("  \(change)") }
        for note in data["notes"]?.arrayValue?.compactMap(\.stringValue) ?? [] { print("note: \(note)") }
    }
}

struct LogLevel: ControlCommand {
    static let configuration = CommandConfiguration(commandName: "log-level", abstract: "Set the daemon's log level until the next reload or restart.")
    static let levels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp("trace, debug, info, notice, warning, error or critical.", valueName: "level"),
              completion: .list(LogLevel.levels))
    var level: String

    func validate() throws {
        guard Self.levels.contains(level) else { throw ValidationError("level must be one of: \(Self.levels.joined(separator: ", "))") }
    }

    var request: ControlRequest { ControlRequest(command: "log-level", args: ["level": .string(level)]) }
    func printHuman(_ data: JSONValue) {
        print("log level \(data["level"]?.stringValue ?? level) (was \(data["previous"]?.stringValue ?? "?"))")
    }
}

struct Drain: ControlCommand {
    static let configuration = CommandConfiguration(abstract: "Finish in-flight work and stop the daemon.")
    @OptionGroup var global: GlobalOptions
    var request: ControlRequest { ControlRequest(command: "drain") }
    func printHuman(_ data: JSONValue) {
        print("draining: \(data["in_flight"]?.intValue ?? 0) in flight will finish, then newsinboxd stops")
    }
}
