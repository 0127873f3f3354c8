import ArticleReaders
import Extraction

/// Something a finished batch is handed to after its files are durable and before any journal entry
/// is sent or any source moves: the article index, the results stream.
///
/// Called on the writer queue, in the order the sinks were registered. A sink that throws stalls the
/// whole batch exactly like a full disk: its items stay in processing/, the status and the journal
/// say why once, and the batch is retried every 2 s. A retry hands the sink the same records again
/// (same ids, same output bytes), so a sink must be idempotent by `FinishedRecord.id` (and `file`).
protocol BatchSink: AnyObject {
    /// Named in the status and the log when the sink refuses a batch.
    var name: String { get }
    func commit(_ records: [FinishedRecord]) throws
}

/// One finished article (or one duplicate or failed file), with what a sink needs and nothing to read again.
struct FinishedRecord: Sendable {
    enum Kind: String, Sendable { case processed, tombstone, duplicate, failed, reprocessed }

    var kind: Kind
    /// The article id; for a duplicate the id of the article it repeats; nil for a failure.
    var id: String?
    /// The path as dropped, relative to the inbox, and its feed.
    var file: String
    var feed: String?
    /// The sniffed format (articles and duplicates).
    var format: String?
    /// `out/ID.json` and its exact bytes (processed, tombstone, reprocessed).
    var outputPath: String?
    var output: [UInt8]?
    /// `output`'s index row and story signature, built with it on the worker; nil when `output` was
    /// read back from disk (the sink then parses it).
    var indexEntry: IndexSink.Entry?
    /// `failed/<name>.error.json`'s bytes and `<name>` (failures).
    var sidecar: [UInt8]?
    var failedName: String?
    /// The content's SHA-256 (nil only when the file could not be read).
    var sha256: String?
    var article: Article?
    var extraction: Extraction?
    var supersedes: String?
    /// Why it failed (failures).
    var failure: ArticleProcessor.Failure?
}
