import ArticleReaders
import Control
import DequeModule
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
/// All mutable state below is owned by `intake`. Workers and the writer get values (`Worker.Job`,
/// `WorkItem` copies) and hand values back (`WorkResult`, `WriteResult`) to intake. The class stays
/// `@unchecked Sendable` because that confinement is to a Dispatch queue, which the compiler cannot see.
public final class Pipeline: @unchecked Sendable {
    let intake = DispatchQueue(label: "newsinbox.intake")
    private let work = DispatchQueue(label: "newsinbox.work", attributes: .concurrent)
    let writer = DispatchQueue(label: "newsinbox.write")

    var config: DaemonConfig
    let spool: Spool
    let outputs: OutputStore
    let journal: JournalSink
    let processor: ArticleProcessor
    let logger: Logger
    var watcher: InboxWatcher!
    private let worker: Worker
    /// Used on `writer` only.
    let writeStage: WriteStage

    enum Mode: String { case running, paused, draining }
    var mode: Mode = .running
    var pending = Deque<PendingFile>()
    var pendingNames: Set<String> = []
    /// More files wait in the inbox than `pending` holds: scan again when there is room.
    var inboxHasMore = false
    var isScanning = false
    /// Files whose name is still taken in processing/ by an earlier item.
    var blockedByName: Set<String> = []
    /// Files the daemon may not rename out of the inbox (permissions), with the error last logged.
    var unclaimable: [String: String] = [:]
    /// Every claimed item, by file, as intake last knew it.
    var inFlight: [String: WorkItem] = [:]
    var ready = Deque<WorkItem>()
    /// Resumed items whose extraction a crash interrupted: extracted one at a time, before `ready`
    /// (see Pipeline+Recovery.swift).
    var suspects = Deque<WorkItem>()
    /// The file of the suspect being extracted alone, if any.
    var extractingAlone: String?
    var attempts: Attempts!
    var running = 0
    var writesInProgress = 0
    /// Items waiting for the writer: written together as the next batch (group commit).
    var writeBacklog: [WorkItem] = []
    var writerBusy = false
    /// Items whose output could not be written (disk full, permissions, a sink refused): kept and retried.
    var stalled: [WorkItem] = []
    var outputProblem: String?
    var stalledRetryScheduled = false
    /// The results stream's current retry delay while it is unavailable (backoff); nil otherwise.
    var stalledRetryDelay: Double?
    var inboxProblem: String?
    var stats = Stats()
    var history = History()
    var onIdleWhileDraining: (() -> Void)?
    /// Who waits for a reprocessed item (by file): called on intake with its record once it is written.
    var reprocessReplies: [String: (ItemRecord) -> Void] = [:]

    var pendingCapacity: Int { max(4 * config.maxInFlight, 1024) }

    struct PendingFile { var file: String; var arrived: DispatchTime }

    /// Live feed of finished articles for `newsinboxctl follow` (published by the index sink).
    let followers: FollowHub

    init(config: DaemonConfig, spool: Spool, outputs: OutputStore, versions: StoryVersions, journal: JournalSink,
         processor: ArticleProcessor, index: ArticleIndex? = nil, sinks: [any BatchSink] = [], followers: FollowHub = FollowHub(),
         logger: Logger) {
        self.followers = followers
        self.config = config
        self.spool = spool
        self.outputs = outputs
        self.journal = journal
        self.processor = processor
        self.logger = logger
        worker = Worker(processor: processor, spool: spool)
        writeStage = WriteStage(outputs: outputs, spool: spool, journal: journal, annotator: Annotator(versions: versions, index: index),
                                sinks: sinks, logger: logger)
    }

    // MARK: - Start-up

    /// Resumes what a crash left in processing/, starts watching, and queues the start-up scan.
    func start() throws {
        // Sidecars in failed/ are staged as temporaries too.
        let removed = AtomicFile.removeStaleTemporaries(in: outputs.directory) + AtomicFile.removeStaleTemporaries(in: spool.failed)
        if removed > 0 { logger.notice("removed \(removed) incomplete output temporaries left by a crash") }
        let leftovers = try spool.leftoverItems()
        attempts = try Attempts(statePath: config.state)
        watcher = InboxWatcher(inboxPath: config.inbox, queue: intake, logger: logger) { [unowned self] signal in
            self.handle(signal)
        }
        try watcher.start()
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
            if reason == .overflow { stats.overflows += 1 }
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
        guard mode != .draining else { return true }
        if isKnown(file) { return true }
        guard pending.count < pendingCapacity else { inboxHasMore = true; return false }
        pending.append(PendingFile(file: file, arrived: arrived))
        pendingNames.insert(file)
        stats.seen += 1
        return true
    }

    /// Already pending, in flight, waiting for a same-named item to finish, or ignored.
    func isKnown(_ file: String) -> Bool {
        pendingNames.contains(file) || inFlight[file] != nil || blockedByName.contains(file) || isIgnored(file)
    }

    func isIgnored(_ file: String) -> Bool {
        file.split(separator: "/").contains { NamePattern.firstMatch(String($0), in: config.ignorePatterns) != nil }
    }

    /// The flow: claim while there is room → work → write (`write(_:)`) → `finish` → pump again.
    func pump() {
        while mode == .running, outputProblem == nil, inboxProblem == nil, inFlight.count < config.maxInFlight,
              let next = pending.popFirst() {
            pendingNames.remove(next.file)
            claim(next)
        }
        while var item = nextToExtract() {
            running += 1
            item.attempts += 1
            inFlight[item.file] = item
            let job = worker.job(for: item, config: config)
            let attempt = item.attempts, file = item.file
            work.async { [self, worker, attempts] in
                let result = attempts!.recording(job.file, attempt: attempt, logger: logger) { worker.run(job) }
                intake.async { [self] in
                    running -= 1
                    if extractingAlone == file { extractingAlone = nil }
                    worked(file, result)
                    pump()
                }
            }
        }
        if pending.isEmpty && inboxHasMore && !isScanning && mode == .running && inFlight.count < config.maxInFlight {
            inboxHasMore = false
            scan("", reason: .backlog)
            if !pending.isEmpty { pump() }
        }
        if mode == .draining && inFlight.isEmpty && writesInProgress == 0 { onIdleWhileDraining?() }
    }

    /// A claimed (or resumed, or retried) item joins the in-flight set and waits for a worker.
    func admit(_ item: WorkItem) {
        inFlight[item.file] = item
        ready.append(item)
    }

    private func claim(_ next: PendingFile) {
        do {
            switch try spool.claim(next.file) {
            case .claimed:
                unclaimable[next.file] = nil
                let item = WorkItem(file: next.file, arrived: next.arrived, resumed: false)
                admit(item)
                history.upsert(item.record)
            case .vanished:
                break
            case .busy:
                // A file of the same name is still in processing/: offered again once that one finishes.
                blockedByName.insert(next.file)
            }
        } catch let error as SystemError where error.errno == ENOTDIR || error.errno == ELOOP {
            logger.warning("not claiming \(next.file): a directory on its path is not a real directory (\(error))")
        } catch {
            // Said once per file and error, not at every rescan that finds it again.
            let message = "\(error)"
            if unclaimable[next.file] != message {
                if unclaimable.count >= 10_000 { unclaimable.removeAll() }
                unclaimable[next.file] = message
                logger.error("cannot claim \(next.file) (it stays in the inbox): \(message)")
            }
            stats.lastError = "claim \(next.file): \(message)"
        }
    }

    /// A worker is done with `file`: on to the write stage.
    private func worked(_ file: String, _ result: WorkResult) {
        guard var item = inFlight[file] else { return }
        if case .failed(let failure) = result.outcome, retryIfTransient(item, failure) { return }
        item.record.stages += result.stages
        item.outcome = result.outcome
        write(item)
    }
}
