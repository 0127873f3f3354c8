import Control
import ArticleReaders
import Dispatch
import Extraction
import FoundationEssentials
import Glibc
import POSIXSupport
import NewsCore

/// The work stage (concurrent, at most `workers` at once): read a claimed file, extract, compute the
/// per-article features, encode each document. Pure with respect to the pipeline's state.
struct Worker: Sendable {
    let processor: ArticleProcessor
    let spool: Spool
    /// Whether the index is on: else the index's share of the work (the story signature, the row) is
    /// not done, so that `index = off` costs nothing of it.
    var indexed = true

    /// What one run needs, copied from the item and the config on intake.
    struct Job: Sendable {
        /// The name as dropped, and where the source is now (processing/, or done/ for a reprocess).
        var file: String
        var source: Directory
        var path: String
        var maxFileSize: Int
        var itemTimeout: Double
    }

    func job(for item: WorkItem, config: DaemonConfig) -> Job {
        Job(file: item.file, source: item.reprocessFrom == nil ? spool.processing : spool.done, path: item.reprocessFrom ?? item.file,
            maxFileSize: config.maxFileSize, itemTimeout: config.itemTimeout)
    }

    func run(_ job: Job) -> WorkResult {
        let deadline = Deadline.after(seconds: job.itemTimeout)
        var stages: [ItemRecord.Stage] = []
        let t0 = DispatchTime.now()
        let contents: SourceFile.Contents
        do {
            contents = try SourceFile.read(job.path, in: job.source, limit: job.maxFileSize)
        } catch {
            return WorkResult(outcome: .failed(.init(stage: "open", reason: error.reason, errno: error.errno)), stages: stages)
        }
        let t1 = DispatchTime.now()
        stages.append(.init(name: "read", microseconds: micros(t0, t1)))
        let processed: ArticleProcessor.Processed
        do {
            processed = try processor.process(
                bytes: contents.bytes, file: job.file, fileDate: Self.utcDate(seconds: contents.modificationTime), deadline: deadline)
        } catch {
            return WorkResult(outcome: .failed(error), stages: stages)
        }
        let t2 = DispatchTime.now()
        stages.append(.init(name: "extract", microseconds: micros(t1, t2)))
        do {
            let outputs = try processed.articles.indices.map { index in
                try EncodedOutput(index, of: processed, annotations: Annotations(),
                                  features: ArticleFeatures(article: processed.articles[index].article, extraction: processed.articles[index].extraction,
                                                            indexed: indexed))
            }
            stages.append(.init(name: "encode", microseconds: micros(t2, .now())))
            return WorkResult(outcome: .processed(ProcessedFile(processed: processed, outputs: outputs)), stages: stages)
        } catch {
            return WorkResult(outcome: .failed(.init(stage: "encode", reason: "\(error)", sha256: processed.source.sha256)), stages: stages)
        }
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
