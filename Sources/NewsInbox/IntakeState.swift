import Control
import DequeModule
import Dispatch

/// Everything the pipeline changes as items move: owned by the intake queue, held in a
/// `QueueConfined` (every access checks that it runs there). Workers and the writer never see it: they
/// get values (`Worker.Job`, `WorkItem` copies) and hand values back (`WorkResult`, `WriteResult`).
struct IntakeState {
    var config: DaemonConfig
    /// Set by `Pipeline.start()`.
    var watcher: InboxWatcher?
    /// Set by `Pipeline.start()`.
    var attempts: Attempts?

    var mode: Pipeline.Mode = .running
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

    /// Running, with fewer than `max_in_flight` items claimed.
    var hasRoom: Bool { mode == .running && inFlight.count < config.maxInFlight }

    /// A file may be claimed now: there is room, and neither the output nor the inbox is in trouble.
    var mayClaim: Bool { hasRoom && outputProblem == nil && inboxProblem == nil }

    /// Draining, and every claimed item has finished.
    var isDrained: Bool { mode == .draining && inFlight.isEmpty && writesInProgress == 0 }

    struct PendingFile { var file: String; var arrived: DispatchTime }

    init(config: DaemonConfig) { self.config = config }
}
