import Control
import ControlServer
import Dispatch
import FoundationEssentials
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
final class ControlCommands: ControlRequestHandler, @unchecked Sendable {
    typealias Reply = @Sendable (ControlResponse) -> Void

    unowned let daemon: Daemon
    /// Seen only through `snapshot` and `perform` (Pipeline+Snapshot.swift) and its fixed spool.
    var pipeline: Pipeline { daemon.pipeline }
    let logger: Logger
    /// Serial: disk work for the control socket, one command at a time, never on intake.
    let work = DispatchQueue(label: "newsinbox.control.work")

    /// Who may run it is the command name's `mutates` (Control), shared with newsinboxctl.
    struct Command: Sendable {
        var run: @Sendable (ControlCommands, ControlRequest, PeerCredentials, @escaping Reply) -> Void
    }

    /// Every command's handler, by name: what a command does lives here, its reply type in Control.
    static let table: [ControlCommandName: Command] = [
        // Through intake, so a pong also means the start-up work queued before it (the first scan) is done.
        .ping: Command { c, _, _, reply in c.pipeline.snapshot { _ in reply(.success(.string("pong"))) } },
        .status: Command { c, _, _, reply in c.pipeline.snapshot { s in reply(.success(c.status(s))) } },
        .stats: Command { c, _, _, reply in c.pipeline.snapshot { s in reply(.success(c.stats(s))) } },
        .metrics: Command { c, _, _, reply in
            c.pipeline.snapshot { s in
                DaemonMetrics.refreshGauges(from: s)
                reply(.success(.string(String(decoding: DaemonMetrics.exposition(), as: UTF8.self))))
            }
        },
        .queue: Command { c, r, _, reply in c.queue(limit: c.limit(r), reply) },
        .recent: Command { c, r, _, reply in c.recent(limit: c.limit(r), reply) },
        .failed: Command { c, r, _, reply in c.failed(limit: c.limit(r), reply) },
        .show: Command { c, r, _, reply in c.show(r.args["target"]?.stringValue, reply) },
        .why: Command { c, r, _, reply in c.why(r.args["target"]?.stringValue, reply) },
        // The index: read-only, on their own queue and connection (ControlIndexQueries).
        .search: Command { c, r, _, reply in c.indexQueries.run(r, reply) },
        .story: Command { c, r, _, reply in c.indexQueries.run(r, reply) },
        .trending: Command { c, r, _, reply in c.indexQueries.run(r, reply) },
        .quotes: Command { c, r, _, reply in c.indexQueries.run(r, reply) },
        .pause: Command { c, _, peer, reply in
            c.pipeline.perform(.pause) { result in
                guard case .mode(let before, let after, let inFlight, _) = result else { return reply(c.refusal(result)) }
                if before == .running { c.logger.notice("paused by uid \(peer.uid) pid \(peer.pid)") }
                reply(.success(PauseReply(state: after.rawValue, changed: before != after, inFlight: inFlight)))
            }
        },
        .resume: Command { c, _, peer, reply in
            c.pipeline.perform(.resume) { result in
                guard case .mode(let before, let after, _, let waiting) = result else { return reply(c.refusal(result)) }
                if before == .paused { c.logger.notice("resumed by uid \(peer.uid) pid \(peer.pid)") }
                reply(.success(ResumeReply(state: after.rawValue, changed: before != after, waiting: waiting)))
            }
        },
        .rescan: Command { c, _, _, reply in
            c.pipeline.perform(.rescan) { result in
                guard case .rescan(let queued, let waiting, let more) = result else { return reply(c.refusal(result)) }
                reply(.success(RescanReply(queued: queued, waiting: waiting, moreInInbox: more)))
            }
        },
        .retry: Command { c, r, peer, reply in
            c.retry(target: r.args["target"]?.stringValue, all: r.args["all_failed"]?.boolValue == true, peer: peer, reply)
        },
        .reprocess: Command { c, r, peer, reply in c.reprocess(r.args["target"]?.stringValue, peer: peer, reply) },
        .reload: Command { c, r, peer, reply in
            let checkOnly = r.args["check"]?.boolValue == true
            if !checkOnly { c.logger.notice("reload requested by uid \(peer.uid) pid \(peer.pid)") }
            c.daemon.reload(checkOnly: checkOnly, then: reply)
        },
        .logLevel: Command { c, r, peer, reply in
            guard let level = r.args["level"]?.stringValue, let parsed = Logger.Level(rawValue: level) else {
                reply(.failure(.usage, "log-level needs one of: \(DaemonConfig.logLevels.joined(separator: ", "))"))
                return
            }
            let old = sharedLogLevel.withLock { old in defer { old = parsed }; return old }
            c.logger.notice("log level set to \(level) (was \(old.rawValue)) by uid \(peer.uid) pid \(peer.pid)")
            reply(.success(LogLevelReply(level: level, previous: old.rawValue)))
        },
        .drain: Command { c, _, peer, reply in
            c.pipeline.snapshot { s in
                c.logger.notice("drain requested by uid \(peer.uid) pid \(peer.pid)")
                reply(.success(DrainReply(state: "draining", inFlight: s.inFlightCount)))
                c.daemon.shutdown(reason: "drain requested over the control socket")
            }
        },
    ]

    let indexQueries: ControlIndexQueries

    /// `indexPath` nil: the index is off (`index = off`), and the commands that read it are refused.
    init(daemon: Daemon, indexPath: String?, logger: Logger) {
        self.daemon = daemon
        self.logger = logger
        self.indexQueries = ControlIndexQueries(path: indexPath)
    }

    /// The server's streaming commands: `follow` is the one.
    func stream(_ request: ControlRequest, peer: PeerCredentials, fd: Int32) -> ControlResponse? {
        follow(request, peer: peer, fd: fd)
    }

    /// `follow [--entity NAME] [--feed FEED]`: hands the socket to the follow hub (read-only, for anyone).
    func follow(_ request: ControlRequest, peer: PeerCredentials, fd: Int32) -> ControlResponse? {
        // The index sink publishes what follow prints.
        guard indexQueries.path != nil else { return .failure(.failed, ControlIndexQueries.offMessage) }
        let filter = FollowHub.Filter(entity: request.string("entity").map(EntityKey.fold), feed: request.string("feed"))
        let greeting = ControlResponse.success(.object([
            "following": .bool(true), "entity": request.string("entity").map { .string($0) } ?? .null,
            "feed": request.string("feed").map { .string($0) } ?? .null,
        ])).encodedLine()
        guard pipeline.followers.add(fd: fd, filter: filter, greeting: greeting) else {
            return .failure(.busy, "too many followers (at most \(FollowHub.maxFollowers))")
        }
        logger.debug("control: follow from uid \(peer.uid) pid \(peer.pid)")
        return nil
    }

    /// Called on the control server's queue: authorise, then run the command where it belongs.
    func handle(_ request: ControlRequest, peer: PeerCredentials, reply: @escaping Reply) {
        guard let name = request.name, let command = Self.table[name] else {
            reply(.failure(.unknownCommand, "unknown command '\(request.command)'"))
            return
        }
        guard name.mutates(args: request.args) && peer.uid != 0 && peer.uid != geteuid() else {
            logger.debug("control: '\(request.command)' from uid \(peer.uid) pid \(peer.pid)")
            command.run(self, request, peer, reply)
            return
        }
        // Anyone else needs admin_group, which a reload may change: read it where the config lives,
        // look the group up off intake.
        pipeline.snapshot { [self] s in
            let groupName = s.config.adminGroup
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

    /// The answer to a command the pipeline did not do.
    func refusal(_ result: Pipeline.CommandResult) -> ControlResponse {
        if case .refused(let why) = result { return .failure(.failed, why) }
        return .failure(.failed, "the pipeline answered \(result)")
    }

    func limit(_ request: ControlRequest) -> Int {
        max(1, min(request.args["limit"]?.intValue ?? 20, 100_000))
    }

    /// Whether the peer's primary or one of its supplementary groups (from SO_PEERGROUPS at accept time)
    /// is `groupName`.
    static func isMember(_ peer: PeerCredentials, of groupName: String) -> Bool {
        var group = group()
        var result: UnsafeMutablePointer<group>?
        var buffer = [CChar](repeating: 0, count: 16 * 1024)
        guard getgrnam_r(groupName, &group, &buffer, buffer.count, &result) == 0, result != nil else { return false }
        let gid = group.gr_gid
        return peer.gid == gid || peer.groups.contains(gid)
    }
}
