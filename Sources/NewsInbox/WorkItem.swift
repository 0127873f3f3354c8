import Control
import Dispatch
import Foundation

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
    /// Its name in failed/, once chosen (kept across retries after a write error).
    var failedName: String?
    var record: ItemRecord
    /// Set once a worker is done with it; the item is then waiting for, or in, the write stage.
    var outcome: Outcome?

    init(file: String, arrived: DispatchTime, resumed: Bool) {
        self.file = file
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
}

/// A worker's answer: the outcome and how long each of its stages took.
struct WorkResult: Sendable {
    var outcome: Outcome
    var stages: [ItemRecord.Stage]
}
