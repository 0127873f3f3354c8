import Dispatch
import Extraction
import FoundationEssentials
import NewsCore
import Logging
import NewsIndex

/// The write stage's side of the index (`state/index.sqlite`), a `BatchSink`: called on the writer
/// queue after a batch's outputs are durable and before any source moves, it upserts the batch's rows
/// in one transaction (by article id: a retried batch leaves the same rows) and then hands the
/// finished items to `follow`. The story of each new output was decided earlier in the same batch by
/// the `Annotator`, from the same `ArticleIndex`. A crash before the commit is repaired at the next
/// start: the resumed items are recorded again, and `IndexReconcile` indexes any output the index lacks.
final class IndexSink: BatchSink, @unchecked Sendable {
    let name = "index"
    let index: ArticleIndex
    var path: String { index.path }
    /// Told about every finished item once it is in the index.
    var followers: FollowHub?

    /// Opens (or creates) the index and brings it in line with out/.
    init(statePath: String, outputPath: String, logger: Logger) throws {
        index = try ArticleIndex(path: statePath + "/" + ArticleIndex.fileName)
        let started = DispatchTime.now()
        if let reason = index.createdBecause, reason != "there was no index" {
            logger.notice("index \(index.path) rebuilt from \(outputPath): \(reason)")
        }
        let result = try IndexReconcile.run(index, outputDirectory: outputPath)
        if result.added > 0 || result.removed > 0 || result.unreadable > 0 {
            let ms = micros(started, .now()) / 1000
            logger.notice("index brought in line with \(outputPath): \(result.added) outputs indexed, \(result.removed) entries without an output removed, \(result.unreadable) unreadable outputs, in \(ms) ms")
        }
        for problem in result.problems { logger.warning("index: cannot read \(problem)") }
    }

    func commit(_ records: [FinishedRecord]) throws {
        try IndexCPU.measure(.commit) { try upsert(records) }
    }

    private func upsert(_ records: [FinishedRecord]) throws {
        var batch = ArticleIndex.Batch()
        var events: [FollowHub.Event] = []
        // Events only for someone to send them to: a profile of the daemon put them at a sixth of this
        // function's CPU (when their lookup keys were folded here; the worker folds them now).
        let following = followers?.hasFollowers == true
        let time = following ? UTCTimestamp.string(from: Date()) : ""
        for r in records {
            switch r.kind {
            case .processed, .tombstone, .reprocessed:
                // The worker built the row from the document it encoded (a test holds it equal to what
                // `reindex` reads from the bytes); an output read back from disk is parsed here.
                let entry: Entry
                if let built = r.indexEntry {
                    entry = built
                } else if let bytes = r.output {
                    let record = try IndexRecord(output: Data(bytes))
                    entry = Entry(record: record, signature: StorySignature.compute(text: record.text))
                } else {
                    continue
                }
                let record = entry.record
                batch.records.append((record, entry.signature))
                guard following else { continue }
                events.append(FollowHub.Event(
                    outcome: record.tombstone ? "tombstone" : "processed", time: time, id: record.id, file: r.file, feed: record.feed,
                    headline: record.headline, date: record.date, story_id: record.storyID, entities: record.entities.map(\.name),
                    keys: record.entities.reduce(into: Set<String>()) { $0.formUnion($1.lookupKeys) }))
            case .duplicate:
                guard let id = r.id else { continue }
                batch.duplicates.append((r.file, id))
                guard following else { continue }
                events.append(FollowHub.Event(outcome: "duplicate", time: time, id: id, file: r.file, feed: r.feed, duplicate_of: id,
                                              entities: [], keys: []))
            case .failed:
                let reason = r.failure.map { "\($0.stage): \($0.reason)" } ?? "failed"
                batch.failures.append((r.failedName ?? r.file, r.failure?.stage ?? "unknown", r.failure?.reason ?? "unknown"))
                guard following else { continue }
                events.append(FollowHub.Event(outcome: "failed", time: time, file: r.file, feed: r.feed, error: reason, entities: [], keys: []))
            }
        }
        try index.apply(batch)
        if following { followers?.publish(events) }
    }

    /// What the worker computes for one output: its row and its story signature.
    struct Entry: Sendable {
        var record: IndexRecord
        var signature: StorySignature
    }
}

extension IndexRecord {
    /// The row of a document, built on the worker from the values it encodes; equal to
    /// `IndexRecord(output:)` of the encoded bytes, which is what `reindex` reads. `entities`: the
    /// document's, already built (`ArticleFeatures`), so their names are not folded twice.
    init(_ document: ResultDocument, entities: [IndexRecord.Entity]? = nil) {
        let x = document.extraction
        self.init(
            id: document.id, file: document.source.file, feed: document.source.feed, format: document.source.format,
            guid: document.article.guid, version: document.article.version, tombstone: document.tombstone,
            supersedes: document.supersedes, storyID: document.storyID, date: document.article.date,
            timestamp: document.article.timestamp, processedAt: document.processedAt, headline: document.article.headline,
            text: document.article.text,
            entities: entities ?? (x?.entities ?? []).map {
                .init(localID: $0.id, type: $0.type.rawValue, name: $0.name, code: $0.code,
                      forms: IndexRecord.forms(name: $0.name, aliases: $0.aliases), mentions: $0.mentions.count, salience: $0.salience)
            },
            quotes: (x?.quotes ?? []).map { .init(speakerLocalID: $0.speakerId, speaker: $0.speaker, text: $0.text, cue: $0.cue) },
            times: (x?.times ?? []).map { .init(type: $0.type.rawValue, value: $0.value, text: $0.text) })
    }
}
