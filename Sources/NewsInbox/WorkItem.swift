import Control
import Dispatch
import FoundationEssentials
import NewsIndex

/// One claimed file on its way through the stages. A value owned by the intake queue: a worker gets
/// a `Worker.Job` and hands back a `WorkResult`, the writer gets a copy of the item and hands back a
/// `WriteResult`; intake folds each result into its own copy. Nothing is shared between queues.
struct WorkItem: Sendable {
    let file: String
    let arrived: DispatchTime
    var claimed = DispatchTime.now()
    let resumed: Bool
    /// An existing output for this item's content may be its own (resumed after a crash, or retried
    /// after a write error), not an earlier duplicate's: the write stage asks whose it is.
    var mayOwnOutput: Bool
    /// Its name in failed/ and its sidecar's bytes, once chosen (kept across retries after a write
    /// error, so a retry replaces the sidecar with the same bytes instead of adding one).
    var failedName: String?
    var sidecar: [UInt8]?
    /// Set for `newsinboxctl reprocess`: the source's path in done/, where it stays. The write stage
    /// replaces the item's outputs and journals them with `REPROCESSED=1`.
    var reprocessFrom: String?
    var record: ItemRecord
    /// Set once a worker is done with it; the item is then waiting for, or in, the write stage.
    var outcome: Outcome?
    /// Extractions started without finishing, counting those of earlier runs (`state/attempts/`).
    var attempts = 0
    /// Times its source could not be read for a reason of the disk's (EIO, ENOSPC, ...), retried.
    var readRetries = 0

    init(file: String, arrived: DispatchTime, resumed: Bool, reprocessFrom: String? = nil) {
        self.file = file
        self.reprocessFrom = reprocessFrom
        self.arrived = arrived
        self.resumed = resumed
        self.mayOwnOutput = resumed
        self.record = ItemRecord(file: file, outcome: .processing, arrived: Date(), claimed: Date(), resumed: resumed)
    }
}

/// What a worker made of a file.
enum Outcome: Sendable {
    case processed(ProcessedFile)
    case failed(ArticleProcessor.Failure)
}

/// A file's articles, each with its document encoded and the values the writer's decisions need.
struct ProcessedFile: Sendable {
    var processed: ArticleProcessor.Processed
    /// One per article, in the file's order.
    var outputs: [EncodedOutput]
}

struct EncodedOutput: Sendable {
    var document: [UInt8]
    /// The annotations `document` was encoded with.
    var annotations: Annotations
    var features: ArticleFeatures
    /// `document`'s row in the index, equal to `IndexRecord(output: document)` (what `reindex` reads);
    /// nil when the index is off.
    var row: IndexRecord?
}

/// A worker's answer: the outcome and how long each of its stages took.
struct WorkResult: Sendable {
    var outcome: Outcome
    var stages: [ItemRecord.Stage]
}
