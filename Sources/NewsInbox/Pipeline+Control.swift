import Control
import Dispatch
import FoundationEssentials

/// What the daemon and the control socket ask of the pipeline. Call these on `intake`.
extension Pipeline {
    /// The one-line `STATUS=` text: "idle, 1,234 processed, 2 failed" / "processing 12, 345 waiting".
    func statusLine() -> String {
        if let problem = state.inboxProblem { return "stopped: \(problem)" }
        if let problem = state.outputProblem {
            if problem.contains(ResultsStream.unavailable) { return "\(ResultsStream.unavailable), holding \(state.stalled.count) articles: \(problem)" }
            return "output full or unwritable, holding \(state.stalled.count) articles: \(problem)"
        }
        var counts = "\(Self.grouped(state.stats.processed)) processed, \(Self.grouped(state.stats.failed)) failed"
        if !state.unclaimable.isEmpty { counts += ", \(Self.grouped(state.unclaimable.count)) not claimable (permissions)" }
        switch state.mode {
        case .paused: return "paused, \(waitingDescription) waiting, \(counts)"
        case .draining: return "draining, \(state.inFlight.count) in flight"
        case .running:
            if state.inFlight.isEmpty && state.pending.isEmpty { return "idle, \(counts)" }
            return "processing \(state.inFlight.count), \(waitingDescription) waiting, \(counts)"
        }
    }

    var waitingDescription: String {
        Self.grouped(state.pending.count) + (state.inboxHasMore ? "+" : "")
    }

    static func grouped(_ n: Int) -> String { NumberText.grouped(n) }

    /// The config in force (a reload compares the new one with it).
    var runningConfig: DaemonConfig { state.config }

    /// Items claimed and not finished yet.
    var inFlightCount: Int { state.inFlight.count }

    func pause() { if state.mode == .running { state.mode = .paused; logger.notice("paused: not claiming new files") } }

    /// No rescan here: inotify kept queueing arrivals while paused (a backlog beyond the queue's capacity
    /// is rescanned by `pump`), and a scan would also take files that are still open for writing.
    func resume() {
        guard state.mode == .paused else { return }
        state.mode = .running
        logger.notice("resumed")
        pump()
    }

    /// Stops claiming; `whenIdle` runs (on intake) once every claimed item has finished.
    func drain(whenIdle: @escaping () -> Void) {
        state.mode = .draining
        state.watcher?.stop()
        state.pending.removeAll()
        state.pendingNames.removeAll()
        state.onIdleWhileDraining = { [self] in
            state.onIdleWhileDraining = nil
            whenIdle()
        }
        pump()
    }

    /// Applies what can change at run time; paths need a restart.
    func apply(_ new: DaemonConfig) -> [String] {
        var notes: [String] = []
        for (name, old, updated) in [("inbox", state.config.inbox, new.inbox), ("output", state.config.output, new.output),
                                     ("state", state.config.state, new.state), ("control_socket", state.config.controlSocket, new.controlSocket),
                                     ("model_dir", state.config.modelDir ?? "", new.modelDir ?? ""),
                                     ("nats_*", state.config.natsSettings, new.natsSettings)] where old != updated {
            notes.append("\(name) changes only on restart (keeping \(old))")
        }
        var applied = new
        applied.inbox = state.config.inbox
        applied.output = state.config.output
        applied.state = state.config.state
        applied.controlSocket = state.config.controlSocket
        applied.modelDir = state.config.modelDir
        applied.keepNatsSettings(of: state.config)
        let rescanChanged = applied.rescanInterval != state.config.rescanInterval
        state.config = applied
        if rescanChanged { notes.append("rescan_interval takes effect after the next scheduled rescan") }
        pump()
        return notes
    }
}

// MARK: - Retry and reprocess (newsinboxctl retry / reprocess)

extension Pipeline {
    /// Moves `failed/<name>` back to `processing/<file>` (its name as dropped), removes its sidecar and
    /// queues it as an in-flight item: from there it goes through the pipeline like any claimed file.
    /// Call on intake.
    func retryFailed(name: String, as file: String) throws {
        guard state.mode != .draining else { throw ConfigError("the daemon is draining") }
        guard state.inFlight[file] == nil else { throw ConfigError("\(file) is being processed now") }
        try spool.takeBackFromFailed(name, as: file)
        state.attempts!.clear(file)  // a quarantined item starts again with no attempts against it
        let item = WorkItem(file: file, arrived: .now(), resumed: false)
        admit(item)
        state.history.upsert(item.record)
        logger.notice("retrying \(file) (from failed/\(name))")
        pump()
    }

    enum ReprocessAnswer: Sendable {
        /// The item went through the pipeline: its record (outcome `failed`, with the error, if reading
        /// or extracting failed; the old output is then kept).
        case written(ItemRecord)
        case refused(String)
    }

    /// Extracts a finished article again from its source in done/ (`kept`, a path in done/; the source
    /// stays there). The item goes through the pipeline like any other; the write stage replaces its
    /// outputs in the group commit, records the story version and journals it with `REPROCESSED=1`.
    /// Part of the control seam (like `perform`): `done` runs on intake once the item is written.
    func reprocess(_ file: String, from kept: String, done: @escaping @Sendable (ReprocessAnswer) -> Void) {
        intake.async { [self] in admitReprocess(file, from: kept, done: done) }
    }

    private func admitReprocess(_ file: String, from kept: String, done: @escaping @Sendable (ReprocessAnswer) -> Void) {
        guard state.mode != .draining else { done(.refused("the daemon is draining")); return }
        guard state.inFlight[file] == nil else {
            // An item of that name is still being retired (its source just reached done/) or a new file
            // of that name is in flight: wait for it rather than refuse.
            intake.asyncAfter(deadline: .now() + 0.05) { [self] in admitReprocess(file, from: kept, done: done) }
            return
        }
        state.reprocessReplies[file] = { done(.written($0)) }
        admit(WorkItem(file: file, arrived: .now(), resumed: false, reprocessFrom: kept))
        pump()
    }
}

// MARK: - Flow control for the input stream

extension Pipeline {
    /// How many more files the inbox puller may write: claimed plus waiting stays below twice
    /// `max_in_flight`; none while the inbox already holds more than the intake remembers, while the
    /// output or the results stream is stuck, or while paused or draining. Call on intake.
    func inputRoom() -> Int {
        guard state.mode == .running, state.outputProblem == nil, state.inboxProblem == nil, !state.inboxHasMore else { return 0 }
        return max(0, 2 * state.config.maxInFlight - state.inFlight.count - state.pending.count - state.blockedByName.count)
    }
}

