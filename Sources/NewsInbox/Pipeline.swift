import ArticleReaders
import Control
import Dispatch
import FoundationEssentials
import Glibc
import Logging
import NewsIndex
import POSIXSupport

/// The whole flow on one screen:
///
///     inotify / scans ──► intake (serial) ──claim: rename inbox/F → processing/F──►
///         work (concurrent, ≤ workers): read F, sniff, extract, encode JSON ──►  (Worker)
///         write (serial): out/ID.json durable → sinks → journal entry → F to done/ (or failed/)  (WriteStage)
///         ──► intake: stats, history, claim the next
///
/// Backpressure: at most `max_in_flight` items are claimed at once; the rest wait in the inbox, and
/// the intake remembers at most `pendingCapacity` names (beyond that it rescans when there is room),
/// so a backlog of 100,000 files costs no memory per waiting file.
///
/// All mutable state is an `IntakeState`, which only code on `intake` may touch (`QueueConfined` checks
/// it). Workers and the writer get values (`Worker.Job`, `WorkItem` copies) and hand values back
/// (`WorkResult`, `WriteResult`) to intake; the write stage is confined to `writer` the same way.
final class Pipeline: Sendable {
    let intake: DispatchQueue
    private let work = DispatchQueue(label: "newsinbox.work", attributes: .concurrent)
    let writer: DispatchQueue

    /// Intake's state: read and changed on `intake` only (the Pipeline files; others use `snapshot`,
    /// `perform` and the small methods in Pipeline+Control.swift).
    let state: QueueConfined<IntakeState>
    let spool: Spool
    let outputs: OutputStore
    let logger: Logger
    private let worker: Worker
    /// On `writer` only (Pipeline+Finish.swift).
    let writeStage: QueueConfined<WriteStage>
    /// Live feed of finished articles for `newsinboxctl follow` (published by the index sink).
    let followers: FollowHub

    enum Mode: String { case running, paused, draining }

    init(config: DaemonConfig, spool: Spool, outputs: OutputStore, versions: StoryVersions, journal: JournalSink,
         processor: ArticleProcessor, index: ArticleIndex? = nil, sinks: [any BatchSink] = [], followers: FollowHub = FollowHub(),
         logger: Logger) {
        let intake = DispatchQueue(label: "newsinbox.intake"), writer = DispatchQueue(label: "newsinbox.write")
        self.intake = intake
        self.writer = writer
        state = QueueConfined(IntakeState(config: config), on: intake)
        self.followers = followers
        self.spool = spool
        self.outputs = outputs
        self.logger = logger
        worker = Worker(processor: processor, spool: spool, indexed: index != nil || sinks.contains { $0 is IndexSink })
        writeStage = QueueConfined(WriteStage(outputs: outputs, spool: spool, journal: journal, annotator: Annotator(versions: versions, index: index),
                                              sinks: sinks, logger: logger), on: writer)
    }

    // MARK: - Start-up

    /// Resumes what a crash left in processing/, starts watching, and queues the start-up scan.
    func start() throws {
        // Sidecars in failed/ are staged as temporaries too.
        let removed = AtomicFile.removeStaleTemporaries(in: outputs.directory) + AtomicFile.removeStaleTemporaries(in: spool.failed)
        if removed > 0 { logger.notice("removed \(removed) incomplete output temporaries left by a crash") }
        let leftovers = try spool.leftoverItems()
        try intake.sync {  // the state is intake's, even before the first item
            state.attempts = try Attempts(statePath: state.config.state)
            let watcher = InboxWatcher(inboxPath: state.config.inbox, queue: intake, logger: logger) { [unowned self] signal in
                self.handle(signal)
            }
            state.watcher = watcher
            try watcher.start()
        }
        intake.async { [self] in
            resume(leftovers)
            scan("", reason: .startup)
            pump()  // the resumed items start now, whether or not the scan found anything new
        }
    }

    // MARK: - Intake

    private func handle(_ signal: InboxWatcher.Signal) {
        switch signal {
        case .file(let file): offer(file, arrived: .now())
        case .scan(let dir, let reason):
            if reason == .overflow { state.stats.overflows += 1 }
            scan(dir, reason: reason)
        case .inboxGone: inboxGone()
        }
    }

    /// A hint that `file` is complete in the inbox. Duplicated hints are harmless.
    func offer(_ file: String, arrived: DispatchTime) {
        enqueue(file, arrived: arrived)
        pump()
    }

    /// Adds `file` to the pending queue unless it is known already; returns false when the queue is full.
    @discardableResult
    func enqueue(_ file: String, arrived: DispatchTime) -> Bool {
        guard state.mode != .draining else { return true }
        if isKnown(file) { return true }
        guard state.pending.count < state.pendingCapacity else { state.inboxHasMore = true; return false }
        state.pending.append(IntakeState.PendingFile(file: file, arrived: arrived))
        state.pendingNames.insert(file)
        state.stats.seen += 1
        return true
    }

    /// Already pending, in flight, waiting for a same-named item to finish, or ignored.
    func isKnown(_ file: String) -> Bool {
        state.pendingNames.contains(file) || state.inFlight[file] != nil || state.blockedByName.contains(file) || isIgnored(file)
    }

    func isIgnored(_ file: String) -> Bool {
        file.split(separator: "/").contains { NamePattern.firstMatch(String($0), in: state.config.ignorePatterns) != nil }
    }

    /// The flow: claim while there is room → work → write (`write(_:)`) → `finish` → pump again.
    func pump() {
        while state.mayClaim, let next = state.pending.popFirst() {
            state.pendingNames.remove(next.file)
            claim(next)
        }
        while var item = nextToExtract() {
            state.running += 1
            item.attempts += 1
            state.inFlight[item.file] = item
            let job = worker.job(for: item, config: state.config)
            let attempt = item.attempts, file = item.file
            let attempts = state.attempts!
            work.async { [self, worker] in
                let result = attempts.recording(job.file, attempt: attempt, logger: logger) { worker.run(job) }
                intake.async { [self] in
                    state.running -= 1
                    if state.extractingAlone == file { state.extractingAlone = nil }
                    worked(file, result)
                    pump()
                }
            }
        }
        if state.pending.isEmpty && state.inboxHasMore && !state.isScanning && state.hasRoom {
            state.inboxHasMore = false
            scan("", reason: .backlog)
            if !state.pending.isEmpty { pump() }
        }
        if state.isDrained { state.onIdleWhileDraining?() }
    }

    /// A claimed (or resumed, or retried) item joins the in-flight set and waits for a worker.
    func admit(_ item: WorkItem) {
        state.inFlight[item.file] = item
        state.ready.append(item)
    }

    private func claim(_ next: IntakeState.PendingFile) {
        do {
            switch try spool.claim(next.file) {
            case .claimed:
                state.unclaimable[next.file] = nil
                let item = WorkItem(file: next.file, arrived: next.arrived, resumed: false)
                admit(item)
                state.history.upsert(item.record)
            case .vanished:
                break
            case .busy:
                // A file of the same name is still in processing/: offered again once that one finishes.
                state.blockedByName.insert(next.file)
            }
        } catch let error as SystemError where error.errno == ENOTDIR || error.errno == ELOOP {
            logger.warning("not claiming \(next.file): a directory on its path is not a real directory (\(error))")
        } catch {
            // Said once per file and error, not at every rescan that finds it again.
            let message = "\(error)"
            if state.unclaimable[next.file] != message {
                if state.unclaimable.count >= 10_000 { state.unclaimable.removeAll() }
                state.unclaimable[next.file] = message
                logger.error("cannot claim \(next.file) (it stays in the inbox): \(message)")
            }
            state.stats.lastError = "claim \(next.file): \(message)"
        }
    }

    /// A worker is done with `file`: on to the write stage.
    private func worked(_ file: String, _ result: WorkResult) {
        guard var item = state.inFlight[file] else { return }
        if case .failed(let failure) = result.outcome, retryIfTransient(item, failure) { return }
        item.record.stages += result.stages
        item.outcome = result.outcome
        write(item)
    }
}
