import Control
import Dispatch
import Foundation
import Glibc
import Logging

/// What each control command does, and who may run it.
///
/// Read-only commands are for anyone who can connect (the socket is 0660); commands that change
/// anything need root, the daemon's own user, or a member of `admin_group`.
final class ControlCommands: @unchecked Sendable {
    unowned let daemon: Daemon
    private let logger: Logger

    static let readOnly: Set<String> = ["ping", "status", "stats", "queue", "failed", "recent", "show", "why", "reload-check"]

    init(daemon: Daemon, logger: Logger) {
        self.daemon = daemon
        self.logger = logger
    }

    func handle(_ request: ControlRequest, peer: PeerCredentials, reply: @escaping @Sendable (ControlResponse) -> Void) {
        let command = request.command == "reload" && request.args["check"]?.boolValue == true ? "reload-check" : request.command
        if !Self.readOnly.contains(command) && !isAdmin(peer) {
            logger.warning("control: denied '\(request.command)' to uid \(peer.uid) pid \(peer.pid)")
            reply(.failure(.denied, "permission denied: '\(request.command)' changes the daemon and needs root, the daemon's user or the admin group\(daemon.pipelineConfig.adminGroup.map { " (\($0))" } ?? "")"))
            return
        }
        let pipeline: Pipeline = daemon.pipeline
        pipeline.intake.async { [self] in
            let response: ControlResponse
            switch command {
            case "ping": response = .success(.string("pong"))
            case "status": response = .success(status())
            case "pause":
                pipeline.pause()
                response = .success(.string("paused"))
            case "resume":
                pipeline.resume()
                response = .success(.string("resumed"))
            case "rescan":
                pipeline.scan("", reason: .request)
                response = .success(.string("rescan done, \(pipeline.pending.count) waiting"))
            case "log-level":
                guard let level = request.args["level"]?.stringValue, let parsed = Logger.Level(rawValue: level) else {
                    response = .failure(.usage, "log-level needs one of: \(DaemonConfig.logLevels.joined(separator: ", "))")
                    break
                }
                sharedLogLevel.withLock { $0 = parsed }
                logger.notice("log level set to \(level) by uid \(peer.uid)")
                response = .success(.string("log level \(level)"))
            case "reload", "reload-check":
                response = daemon.reload(checkOnly: command == "reload-check")
            case "drain":
                logger.notice("drain requested by uid \(peer.uid) pid \(peer.pid)")
                reply(.success(.string("draining: finishing \(pipeline.inFlight.count) in-flight items, then stopping")))
                daemon.shutdown(reason: "drain requested over the control socket")
                return
            default:
                response = .failure(.unknownCommand, "unknown command '\(request.command)'")
            }
            reply(response)
        }
    }

    /// Root, the daemon's own user, or a member of admin_group (primary or supplementary group of the peer).
    func isAdmin(_ peer: PeerCredentials) -> Bool {
        if peer.uid == 0 || peer.uid == geteuid() { return true }
        guard let name = daemon.pipelineConfig.adminGroup, let group = getgrnam(name) else { return false }
        let gid = group.pointee.gr_gid
        if peer.gid == gid { return true }
        return Self.supplementaryGroups(of: peer.pid).contains(gid)
    }

    /// The peer process's groups, from /proc/PID/status ("Groups:" line).
    static func supplementaryGroups(of pid: Int32) -> [gid_t] {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("Groups:") }) else { return [] }
        return line.dropFirst("Groups:".count).split(separator: " ").compactMap { gid_t($0.trimmingCharacters(in: .whitespaces)) }
    }

    /// Called on intake.
    func status() -> JSONValue {
        let p: Pipeline = daemon.pipeline
        let s = p.stats
        let state = p.inboxProblem != nil ? "inbox-missing" : p.outputProblem != nil ? "output-full" : p.mode.rawValue
        var o: [String: JSONValue] = [:]
        o["state"] = .string(state)
        o["status_line"] = .string(p.statusLine())
        o["version"] = .string(NewsInboxVersion.string)
        o["pid"] = .int(Int(getpid()))
        o["uptime_seconds"] = .double(Date().timeIntervalSince(s.startedAt))
        o["config_path"] = daemon.configPath.map { .string($0) } ?? .null
        o["inbox"] = .string(p.config.inbox)
        o["output"] = .string(p.config.output)
        o["state_dir"] = .string(p.config.state)
        o["waiting"] = .int(p.pending.count)
        o["waiting_more_in_inbox"] = .bool(p.inboxHasMore)
        o["in_flight"] = .int(p.inFlight.count)
        o["processed"] = .int(s.processed)
        o["failed"] = .int(s.failed)
        o["duplicates"] = .int(s.duplicates)
        o["output_problem"] = p.outputProblem.map { .string($0) } ?? .null
        o["inbox_problem"] = p.inboxProblem.map { .string($0) } ?? .null
        o["last_error"] = s.lastError.map { .string($0) } ?? .null
        return .object(o)
    }
}
