import Control
import Dispatch
import FoundationEssentials

/// The pipeline's seam to the control plane: `snapshot` (a copy of its state, taken on intake) and
/// `perform` (a typed command, run on intake). The control commands use these, not the pipeline's
/// members, so what the control plane may see and change is listed here.
extension Pipeline {
    /// What a command wants copied besides the counters: the first `limit` in-flight and waiting
    /// items, the last `recent` finished records, and what is known of one file or article id.
    struct SnapshotQuery: Sendable {
        var limit = 0
        var recent = 0
        /// A name as dropped (relative to the inbox).
        var file: String?
        /// An article id.
        var id: String?
    }

    /// One in-flight item, as `queue` shows it.
    struct InFlightItem: Sendable {
        var file: String
        var stage: String
        var resumed: Bool
        var secondsSinceClaim: Double
    }

    struct Snapshot: Sendable {
        var mode: Mode
        var config: DaemonConfig
        var stats: Stats
        var statusLine: String
        var inboxProblem: String?
        var outputProblem: String?
        var waitingCount: Int
        var moreInInbox: Bool
        var inFlightCount: Int
        var unclaimableCount: Int
        /// The first `query.limit` of each, in claiming order.
        var inFlight: [InFlightItem] = []
        var waiting: [(file: String, secondsWaiting: Double)] = []
        /// The last `query.recent` finished records, most recent first.
        var recent: [ItemRecord] = []
        /// For `query.file`: its position among the waiting (1-based), whether it is in flight, its record.
        var filePosition: Int?
        var fileInFlight = false
        var fileRecord: ItemRecord?
        /// For `query.id`: the record that wrote its output, else the latest naming it.
        var idRecord: ItemRecord?
    }

    /// Copies the state on intake and hands it to `body` there (keep `body` short: copy and go).
    func snapshot(_ query: SnapshotQuery = .init(), then body: @escaping @Sendable (Snapshot) -> Void) {
        intake.async { [self] in body(takeSnapshot(query)) }
    }

    private func takeSnapshot(_ query: SnapshotQuery) -> Snapshot {
        var s = Snapshot(
            mode: state.mode, config: state.config, stats: state.stats, statusLine: statusLine(), inboxProblem: state.inboxProblem,
            outputProblem: state.outputProblem, waitingCount: state.pending.count, moreInInbox: state.inboxHasMore,
            inFlightCount: state.inFlight.count, unclaimableCount: state.unclaimable.count)
        if query.limit > 0 {
            let now = DispatchTime.now()
            let readyFiles = Set(state.ready.map(\.file))
            let suspectFiles = Set(state.suspects.map(\.file))
            let stalledFiles = Set(state.stalled.map(\.file))
            // Only state owned by intake is read here.
            s.inFlight = state.inFlight.values.sorted { $0.claimed.uptimeNanoseconds < $1.claimed.uptimeNanoseconds }
                .prefix(query.limit).map { item in
                    InFlightItem(
                        file: item.file,
                        stage: stalledFiles.contains(item.file) ? "stalled: output not writable"
                            : readyFiles.contains(item.file) ? "claimed, waiting for a worker"
                            : suspectFiles.contains(item.file) ? "resumed: its extraction was under way at a crash; waiting to be extracted alone"
                            : item.outcome != nil ? "writing" : "reading and extracting",
                        resumed: item.resumed, secondsSinceClaim: Double(micros(item.claimed, now)) / 1e6)
                }
            s.waiting = state.pending.prefix(query.limit).map { ($0.file, Double(micros($0.arrived, now)) / 1e6) }
        }
        if query.recent > 0 { s.recent = state.history.recent(limit: query.recent, where: { $0.finished != nil }) }
        if let file = query.file {
            s.filePosition = state.pending.firstIndex { $0.file == file }.map { $0 + 1 }
            s.fileInFlight = state.inFlight[file] != nil
            s.fileRecord = state.history.find(file)
        }
        if let id = query.id {
            // An id's own record is the one that wrote its output; duplicates of it name the id too.
            s.idRecord = state.history.recent(limit: 1, where: { $0.ids.contains(id) && !$0.outputPaths.isEmpty }).first
                ?? state.history.find(id)
            if s.idRecord == nil, id.split(separator: "-").count == 1 { s.idRecord = state.history.find(id + "-1") }
        }
        return s
    }

    // MARK: - Commands

    /// What the control plane may ask the pipeline to do.
    enum Command: Sendable {
        case pause
        case resume
        case rescan
        /// failed/ entries back into processing/: (name in failed/, name as dropped), oldest first.
        case retry([(name: String, file: String)])
    }

    /// What a command did. Each command answers with its own case.
    enum CommandResult: Sendable {
        /// pause, resume: the mode before and after, with the counts the answer shows.
        case mode(before: Mode, after: Mode, inFlight: Int, waiting: Int)
        case rescan(queued: Int, waiting: Int, moreInInbox: Bool)
        case retry(retried: [String], skipped: [(file: String, reason: String)])
        /// Not done: why (the daemon is draining, ...).
        case refused(String)
    }

    /// Runs `command` on intake and hands its result to `body` there.
    func perform(_ command: Command, then body: @escaping @Sendable (CommandResult) -> Void) {
        intake.async { [self] in body(run(command)) }
    }

    private func run(_ command: Command) -> CommandResult {
        switch command {
        case .pause:
            guard state.mode != .draining else { return .refused("the daemon is draining") }
            let before = state.mode
            pause()
            return .mode(before: before, after: state.mode, inFlight: state.inFlight.count, waiting: state.pending.count)
        case .resume:
            guard state.mode != .draining else { return .refused("the daemon is draining and cannot resume") }
            let before = state.mode
            resume()
            return .mode(before: before, after: state.mode, inFlight: state.inFlight.count, waiting: state.pending.count)
        case .rescan:
            guard state.mode != .draining else { return .refused("the daemon is draining") }
            let before = state.stats.seen
            scan("", reason: .request)
            return .rescan(queued: state.stats.seen - before, waiting: state.pending.count, moreInInbox: state.inboxHasMore)
        case .retry(let entries):
            var retried: [String] = []
            var skipped: [(file: String, reason: String)] = []
            for entry in entries {
                do {
                    try retryFailed(name: entry.name, as: entry.file)
                    retried.append(entry.file)
                } catch {
                    skipped.append((entry.file, "\(error)"))
                }
            }
            return .retry(retried: retried, skipped: skipped)
        }
    }
}
