import ArticleReaders
import Control
import DequeModule
import Dispatch
import Extraction
import Foundation
import Logging
import NewsIndex

/// The whole flow on one screen:
///
///     inotify / scans ──► intake (serial) ──claim: rename inbox/F → processing/F──►
///         work (concurrent, ≤ workers): read F, sniff, extract, encode JSON ──►
///         write (serial): out/ID.json durable → journal entry → F to done/ (or sidecar + failed/) ──►
///         intake: stats, history, claim the next
///
/// Backpressure: at most `max_in_flight` items are claimed at once; the rest wait in the inbox, and
/// the intake remembers at most `pendingCapacity` names (beyond that it rescans when there is room),
/// so a backlog of 100,000 files costs no memory per waiting file.
/// All mutable state below is owned by `intake`; workers and the writer hand results back to it.
public final class Pipeline: @unchecked Sendable {
    let intake = DispatchQueue(label: "newsinbox.intake")
    private let work = DispatchQueue(label: "newsinbox.work", attributes: .concurrent)
    let writer = DispatchQueue(label: "newsinbox.write")

    var config: DaemonConfig
    let spool: Spool
    let outputs: OutputStore
    let journal: JournalSink
    /// The embedded index; written by the writer queue only.
    let index: IndexSink
    /// Live feed of finished articles for `newsinboxctl follow`.
    let followers: FollowHub
    let processor: ArticleProcessor
    let logger: Logger
    var watcher: InboxWatcher!

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
    var inFlight: [String: WorkItem] = [:]
    var ready = Deque<WorkItem>()
    var running = 0
    var writesInProgress = 0
    /// Items waiting for the writer: written together as the next batch (group commit).
    var writeBacklog: [WorkItem] = []
    var writerBusy = false
    /// Items whose output could not be written (disk full, permissions): kept and retried.
    var stalled: [WorkItem] = []
    var outputProblem: String?
    var stalledRetryScheduled = false
    var inboxProblem: String?
    var stats = Stats()
    var history = History()
    var onIdleWhileDraining: (() -> Void)?

    var pendingCapacity: Int { max(4 * config.maxInFlight, 1024) }

    struct PendingFile { var file: String; var arrived: DispatchTime }

    /// One claimed file on its way through the stages.
    final class WorkItem: @unchecked Sendable {
        let file: String
        let arrived: DispatchTime
        var claimed = DispatchTime.now()
        let resumed: Bool
        /// An existing output for this item's content may be its own (resumed after a crash, or retried
        /// after a write error), not an earlier duplicate's: compare source.file.
        var mayOwnOutput: Bool
        /// Its name in failed/, once chosen (kept across retries after a write error).
        var failedName: String?
        var record: ItemRecord
        var outcome: Outcome?
        /// Per article of `outcome`: the index row and story signature, computed by the worker.
        var indexEntries: [IndexSink.Entry] = []

        init(file: String, arrived: DispatchTime, resumed: Bool) {
            self.file = file
            self.arrived = arrived
            self.resumed = resumed
            self.mayOwnOutput = resumed
            self.record = ItemRecord(file: file, outcome: .processing, arrived: Date(), claimed: Date(), resumed: resumed)
        }
    }

    enum Outcome {
        case processed(ArticleProcessor.Processed, documents: [[UInt8]])
        case failed(ArticleProcessor.Failure, sha256: String?)
    }

    init(config: DaemonConfig, spool: Spool, outputs: OutputStore, journal: JournalSink, index: IndexSink, followers: FollowHub,
         processor: ArticleProcessor, logger: Logger) {
        self.config = config
        self.spool = spool
        self.outputs = outputs
        self.journal = journal
        self.index = index
        self.followers = followers
        self.processor = processor
        self.logger = logger
    }

    // MARK: - Start-up

    /// Resumes what a crash left in processing/, starts watching, and queues the start-up scan.
    func start() throws {
        let removed = AtomicFile.removeStaleTemporaries(in: outputs.directory)
        if removed > 0 { logger.notice("removed \(removed) incomplete output temporaries left by a crash") }
        let leftovers = try spool.leftoverItems()
        watcher = InboxWatcher(inboxPath: config.inbox, queue: intake, logger: logger) { [unowned self] signal in
            self.handle(signal)
        }
        try watcher.start()
        intake.async { [self] in
            if !leftovers.isEmpty { logger.notice("resuming \(leftovers.count) items left in processing/ by an earlier run") }
            for file in leftovers {
                let item = WorkItem(file: file, arrived: .now(), resumed: true)
                inFlight[file] = item
                ready.append(item)
            }
            scan("", reason: .startup)
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

    /// Claims and starts as much work as the limits allow.
    func pump() {
        while mode == .running, outputProblem == nil, inboxProblem == nil, inFlight.count < config.maxInFlight,
              let next = pending.popFirst() {
            pendingNames.remove(next.file)
            claim(next)
        }
        while running < config.effectiveWorkers, let item = ready.popFirst() {
            running += 1
            work.async { [self] in
                let outcome = process(item)
                intake.async { [self] in
                    running -= 1
                    item.outcome = outcome
                    write(item)
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

    private func claim(_ next: PendingFile) {
        do {
            switch try spool.claim(next.file) {
            case .claimed:
                unclaimable[next.file] = nil
                let item = WorkItem(file: next.file, arrived: next.arrived, resumed: false)
                inFlight[next.file] = item
                ready.append(item)
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

    // MARK: - Work (concurrent): read, extract, encode

    private func process(_ item: WorkItem) -> Outcome {
        let deadline = Deadline.after(seconds: config.itemTimeout)
        let t0 = DispatchTime.now()
        let contents: SourceFile.Contents
        do {
            contents = try SourceFile.read(item.file, in: spool.processing, limit: config.maxFileSize)
        } catch {
            return .failed(.init(stage: "open", reason: error.reason, errno: error.errno), sha256: nil)
        }
        let fileDate = Self.utcDate(seconds: contents.modificationTime)
        let t1 = DispatchTime.now()
        item.record.stages.append(.init(name: "read", microseconds: micros(t0, t1)))
        do {
            let processed = try processor.process(bytes: contents.bytes, file: item.file, fileDate: fileDate, deadline: deadline)
            let t2 = DispatchTime.now()
            item.record.stages.append(.init(name: "extract", microseconds: micros(t1, t2)))
            var documents: [[UInt8]] = []
            var entries: [IndexSink.Entry] = []
            for (index, entry) in processed.articles.enumerated() {
                let supersedes = supersededID(for: entry.article, id: entry.id)
                let document = ResultDocument(id: entry.id, item: index, processed: processed, supersedes: supersedes, processedAt: Date())
                documents.append(try document.encoded())
                entries.append(IndexSink.Entry(document))
            }
            item.indexEntries = entries
            item.record.stages.append(.init(name: "encode", microseconds: micros(t2, .now())))
            return .processed(processed, documents: documents)
        } catch let failure as ArticleProcessor.Failure {
            return .failed(failure, sha256: SHA256.hex(contents.bytes))
        } catch {
            return .failed(.init(stage: "encode", reason: "\(error)"), sha256: SHA256.hex(contents.bytes))
        }
    }

    /// The id of the earlier version of the same story, if the index knows one with a lower version.
    func supersededID(for article: Article, id: String) -> String? {
        guard let guid = article.guid, let latest = outputs.latestVersion(guid: guid), latest.id != id,
              latest.version < (article.version ?? 1) else { return nil }
        return latest.id
    }

    static func utcDate(seconds: Int) -> ArticleDate? {
        var t = time_t(seconds)
        var parts = tm()
        guard gmtime_r(&t, &parts) != nil else { return nil }
        return ArticleDate(year: Int(parts.tm_year) + 1900, month: Int(parts.tm_mon) + 1, day: Int(parts.tm_mday))
    }
}

func micros(_ a: DispatchTime, _ b: DispatchTime) -> UInt64 {
    b.uptimeNanoseconds >= a.uptimeNanoseconds ? (b.uptimeNanoseconds - a.uptimeNanoseconds) / 1000 : 0
}
