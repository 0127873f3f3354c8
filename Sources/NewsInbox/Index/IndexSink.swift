import Extraction
import Foundation
import Logging
import NewsIndex

/// The write stage's side of the index (`state/index.sqlite`). Used on the writer queue only.
///
/// Per batch: `storyID` decides each new output's story before it is staged (serially, in batch
/// order, from the signature the worker computed); `apply` upserts the batch's rows in one
/// transaction after the outputs are durable and before any source moves. A crash in between is
/// repaired at the next start: the resumed items find their own outputs and index them again (by id),
/// and `IndexReconcile` indexes any output the index lacks.
final class IndexSink: @unchecked Sendable {
    let index: ArticleIndex
    var path: String { index.path }

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

    /// Decides the story and writes it into the encoded document.
    func annotate(_ entry: inout Entry, document: inout [UInt8]) throws {
        let story = try index.storyID(for: entry.record, signature: entry.signature)
        guard story != entry.record.storyID else { return }
        entry.record.storyID = story
        Self.setStoryID(story, in: &document)
    }

    func apply(_ batch: ArticleIndex.Batch) throws { try index.apply(batch) }

    func forgetBatch() { index.forgetBatch() }

    /// The row of an output already on disk (a resumed item's own, or a reprocessed one's old story).
    func entry(readingOutput path: String) throws -> Entry {
        let record = try IndexRecord(output: try Data(contentsOf: URL(fileURLWithPath: path)))
        return Entry(record: record, signature: StorySignature.compute(text: record.text))
    }

    /// What the worker precomputes for one article: its row and its story signature.
    struct Entry: Sendable {
        var record: IndexRecord
        var signature: StorySignature
    }

    /// Replaces the value of the top-level `"story_id"` in an encoded document. Keys are sorted and the
    /// key is only at the top level; inside strings a quote is escaped, so the byte pattern is the key.
    static func setStoryID(_ story: String, in document: inout [UInt8]) {
        let key = Array(#""story_id":""#.utf8)
        guard document.count > key.count else { return }
        var i = document.count - key.count
        while i >= 0 {
            if document[i] == key[0] && Array(document[i..<i + key.count]) == key { break }
            i -= 1
        }
        guard i >= 0, let end = document[(i + key.count)...].firstIndex(of: UInt8(ascii: "\"")) else { return }
        document.replaceSubrange((i + key.count)..<end, with: Array(story.utf8))
    }
}

extension IndexSink.Entry {
    /// Built on the worker from what it encodes, so the writer only decides and inserts.
    init(_ document: ResultDocument) {
        let x = document.extraction
        let record = IndexRecord(
            id: document.id, file: document.source.file, feed: document.source.feed, format: document.source.format,
            guid: document.article.guid, version: document.article.version, tombstone: document.tombstone,
            supersedes: document.supersedes, storyID: document.storyID, date: document.article.date,
            timestamp: document.article.timestamp, processedAt: document.processedAt, headline: document.article.headline,
            text: document.article.text,
            entities: (x?.entities ?? []).map {
                .init(localID: $0.id, type: $0.type.rawValue, name: $0.name, code: $0.code,
                      forms: IndexRecord.forms(name: $0.name, aliases: $0.aliases), mentions: $0.mentions.count, salience: $0.salience)
            },
            quotes: (x?.quotes ?? []).map { .init(speakerLocalID: $0.speakerId, speaker: $0.speaker, text: $0.text, cue: $0.cue) },
            times: (x?.times ?? []).map { .init(type: $0.type.rawValue, value: $0.value, text: $0.text) })
        self.init(record: record, signature: StorySignature.compute(text: document.article.text))
    }
}
