import Control
import Dispatch
import Foundation
import Glibc
import Logging
import NewsIndex

/// What each control command does, and who may run it.
///
/// Read-only commands are for anyone who can connect (the socket is 0660); commands that change
/// anything need root, the daemon's own user, or a member of `admin_group`.
///
/// Commands that only look at pipeline state run on `intake` and copy what they need; anything that
/// touches the disk (failed/, sidecars, hashing a file for `why`, re-extracting for `reprocess`) runs on
/// the control's own `work` queue, so the pipeline never waits for an operator.
final class ControlCommands: @unchecked Sendable {
    typealias Reply = @Sendable (ControlResponse) -> Void

    unowned let daemon: Daemon
    let logger: Logger
    /// Serial: disk work for the control socket, one command at a time, never on intake.
    let work = DispatchQueue(label: "newsinbox.control.work")

    struct Command: Sendable {
        /// Changes the daemon: needs root, the daemon's user or the admin group.
        var mutates: Bool
        var run: @Sendable (ControlCommands, ControlRequest, PeerCredentials, @escaping Reply) -> Void
    }

    static let table: [String: Command] = [
        // Through intake, so a pong also means the start-up work queued before it (the first scan) is done.
        "ping": Command(mutates: false) { c, _, _, reply in c.onIntake(reply) { .success(.string("pong")) } },
        "status": Command(mutates: false) { c, _, _, reply in c.onIntake(reply) { .success(c.status()) } },
        "stats": Command(mutates: false) { c, _, _, reply in c.onIntake(reply) { .success(c.stats()) } },
        "queue": Command(mutates: false) { c, r, _, reply in c.queue(limit: c.limit(r), reply) },
        "recent": Command(mutates: false) { c, r, _, reply in c.recent(limit: c.limit(r), reply) },
        "failed": Command(mutates: false) { c, r, _, reply in c.failed(limit: c.limit(r), reply) },
        "show": Command(mutates: false) { c, r, _, reply in c.show(r.args["target"]?.stringValue, reply) },
        "why": Command(mutates: false) { c, r, _, reply in c.why(r.args["target"]?.stringValue, reply) },
        // The index: read-only, on their own queue and connection (ControlIndexQueries).
        "search": Command(mutates: false) { c, r, _, reply in c.indexQueries.run(r, reply) },
        "story": Command(mutates: false) { c, r, _, reply in c.indexQueries.run(r, reply) },
        "trending": Command(mutates: false) { c, r, _, reply in c.indexQueries.run(r, reply) },
        "quotes": Command(mutates: false) { c, r, _, reply in c.indexQueries.run(r, reply) },
        "pause": Command(mutates: true) { c, _, peer, reply in
            c.onIntake(reply) {
                let p = c.daemon.pipeline!
                guard p.mode != .draining else { return .failure(.failed, "the daemon is draining") }
                let was = p.mode
                p.pause()
                if was == .running { c.logger.notice("paused by uid \(peer.uid) pid \(peer.pid)") }
                return .success(.object(["state": .string(p.mode.rawValue), "changed": .bool(was != p.mode),
                                         "in_flight": .int(p.inFlight.count)]))
            }
        },
        "resume": Command(mutates: true) { c, _, peer, reply in
            c.onIntake(reply) {
                let p = c.daemon.pipeline!
                guard p.mode != .draining else { return .failure(.failed, "the daemon is draining and cannot resume") }
                let was = p.mode
                p.resume()
                if was == .paused { c.logger.notice("resumed by uid \(peer.uid) pid \(peer.pid)") }
                return .success(.object(["state": .string(p.mode.rawValue), "changed": .bool(was != p.mode),
                                         "waiting": .int(p.pending.count)]))
            }
        },
        "rescan": Command(mutates: true) { c, _, _, reply in
            c.onIntake(reply) {
                let p = c.daemon.pipeline!
                guard p.mode != .draining else { return .failure(.failed, "the daemon is draining") }
                let before = p.stats.seen
                p.scan("", reason: .request)
                return .success(.object(["queued": .int(p.stats.seen - before), "waiting": .int(p.pending.count),
                                         "more_in_inbox": .bool(p.inboxHasMore)]))
            }
        },
        "retry": Command(mutates: true) { c, r, peer, reply in
            c.retry(target: r.args["target"]?.stringValue, all: r.args["all_failed"]?.boolValue == true, peer: peer, reply)
        },
        "reprocess": Command(mutates: true) { c, r, peer, reply in c.reprocess(r.args["target"]?.stringValue, peer: peer, reply) },
        "reload": Command(mutates: true) { c, _, peer, reply in
            c.onIntake(reply) {
                c.logger.notice("reload requested by uid \(peer.uid) pid \(peer.pid)")
                return c.daemon.reload(checkOnly: false)
            }
        },
        "reload-check": Command(mutates: false) { c, _, _, reply in c.onIntake(reply) { c.daemon.reload(checkOnly: true) } },
        "log-level": Command(mutates: true) { c, r, peer, reply in
            guard let level = r.args["level"]?.stringValue, let parsed = Logger.Level(rawValue: level) else {
                reply(.failure(.usage, "log-level needs one of: \(DaemonConfig.logLevels.joined(separator: ", "))"))
                return
            }
            let old = sharedLogLevel.withLock { old in defer { old = parsed }; return old }
            c.logger.notice("log level set to \(level) (was \(old.rawValue)) by uid \(peer.uid) pid \(peer.pid)")
            reply(.success(.object(["level": .string(level), "previous": .string(old.rawValue)])))
        },
        "drain": Command(mutates: true) { c, _, peer, reply in
            c.daemon.pipeline.intake.async {
                let p = c.daemon.pipeline!
                c.logger.notice("drain requested by uid \(peer.uid) pid \(peer.pid)")
                reply(.success(.object(["state": .string("draining"), "in_flight": .int(p.inFlight.count)])))
                c.daemon.shutdown(reason: "drain requested over the control socket")
            }
        },
    ]

    let indexQueries: ControlIndexQueries

    init(daemon: Daemon, indexPath: String, logger: Logger) {
        self.daemon = daemon
        self.logger = logger
        self.indexQueries = ControlIndexQueries(path: indexPath)
    }

    /// `follow [--entity NAME] [--feed FEED]`: hands the socket to the follow hub (read-only, for anyone).
    func follow(_ request: ControlRequest, peer: PeerCredentials, fd: Int32) -> ControlResponse? {
        let filter = FollowHub.Filter(entity: request.string("entity").map(EntityKey.fold), feed: request.string("feed"))
        let greeting = ControlResponse.success(.object([
            "following": .bool(true), "entity": request.string("entity").map { .string($0) } ?? .null,
            "feed": request.string("feed").map { .string($0) } ?? .null,
        ])).encodedLine()
        guard daemon.pipeline.followers.add(fd: fd, filter: filter, greeting: greeting) else {
            return .failure(.busy, "too many followers (at most \(FollowHub.maxFollowers))")
        }
        logger.debug("control: follow from uid \(peer.uid) pid \(peer.pid)")
        return nil
    }

    /// Called on the control server's queue: authorise, then run the command where it belongs.
    func handle(_ request: ControlRequest, peer: PeerCredentials, reply: @escaping Reply) {
        let name = request.command == "reload" && request.args["check"]?.boolValue == true ? "reload-check" : request.command
        guard let command = Self.table[name] else {
            reply(.failure(.unknownCommand, "unknown command '\(request.command)'"))
            return
        }
        guard command.mutates && peer.uid != 0 && peer.uid != geteuid() else {
            logger.debug("control: '\(request.command)' from uid \(peer.uid) pid \(peer.pid)")
            command.run(self, request, peer, reply)
            return
        }
        // Anyone else needs admin_group, which a reload may change: read it where the config lives,
        // look the group up off intake.
        daemon.pipeline.intake.async { [self] in
            let groupName = daemon.pipeline.config.adminGroup
            work.async { [self] in
                if let groupName, Self.isMember(peer, of: groupName) {
                    logger.debug("control: '\(request.command)' from uid \(peer.uid) pid \(peer.pid) (admin group)")
                    command.run(self, request, peer, reply)
                    return
                }
                logger.warning("control: denied '\(request.command)' to uid \(peer.uid) gid \(peer.gid) pid \(peer.pid)")
                let group = groupName.map { " (\($0))" } ?? ""
                reply(.failure(.denied, "permission denied: '\(request.command)' changes the daemon and needs root, the daemon's user or the admin group\(group)"))
            }
        }
    }

    /// Runs `body` on the intake queue, where the pipeline's state lives, and replies with its result.
    func onIntake(_ reply: @escaping Reply, _ body: @escaping @Sendable () -> ControlResponse) {
        daemon.pipeline.intake.async { reply(body()) }
    }

    func limit(_ request: ControlRequest) -> Int {
        max(1, min(request.args["limit"]?.intValue ?? 20, 100_000))
    }

    /// Whether the peer's primary or one of its supplementary groups is `groupName`.
    static func isMember(_ peer: PeerCredentials, of groupName: String) -> Bool {
        var group = group()
        var result: UnsafeMutablePointer<group>?
        var buffer = [CChar](repeating: 0, count: 16 * 1024)
        guard getgrnam_r(groupName, &group, &buffer, buffer.count, &result) == 0, result != nil else { return false }
        let gid = group.gr_gid
        return peer.gid == gid || supplementaryGroups(of: peer.pid).contains(gid)
    }

    /// The peer process's groups, from /proc/PID/status ("Groups:" line).
    static func supplementaryGroups(of pid: Int32) -> [gid_t] {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("Groups:") }) else { return [] }
        return line.dropFirst("Groups:".count).split(separator: " ").compactMap { gid_t($0.trimmingCharacters(in: .whitespaces)) }
    }
}
