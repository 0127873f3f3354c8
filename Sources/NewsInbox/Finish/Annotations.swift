import ArticleReaders
import Extraction
import FoundationEssentials
import NewsIndex

/// The fields of an output that depend on other articles (today `supersedes`; `story_id` next).
/// They are decided on the writer queue, serially, by `Annotator`, before the document is written.
///
/// How a new annotation plugs in:
/// 1. What the worker can compute from the article alone (a MinHash of the text, say) goes into
///    `ArticleFeatures` and is computed in `ArticleFeatures.init`: it runs on the workers, in parallel.
/// 2. The output field goes into `Annotations`, and `ResultDocument` writes it from there.
/// 3. `Annotator.annotate` decides it from the features and the annotator's state (earlier articles,
///    this batch's included). A decision must be idempotent by article id: a resumed or retried item
///    is decided again and must get the same answer.
/// 4. `Annotator.accept` records what the decision changed; it is made durable with the batch, staged
///    in its group commit (as `StoryVersions` does) or by a `BatchSink` (the article index).
/// The worker encodes every document with `Annotations()`; the writer encodes again only a document
/// whose annotations differ, so most documents are encoded once, in parallel.
struct Annotations: Equatable, Sendable {
    /// The id of the earlier version of the same story (same guid, lower version).
    var supersedes: String?
    /// The id of the story's first article (`ArticleIndex.storyID`); nil: the article's own id.
    var storyID: String?
}

/// Per-article values computed by a worker for the writer's decisions.
struct ArticleFeatures: Sendable {
    /// The story-version index's key (the guid's SHA-256), for articles that carry a guid.
    var storyKey: String?
    /// For the story decision: the MinHash of the text and the entities (their keys, by type).
    /// Computed only when the index is on (`indexed`); else empty.
    var signature = StorySignature(minimums: [], shingleCount: 0)
    var entities: [IndexRecord.Entity] = []
    var indexed: Bool

    init(article: Article, extraction: Extraction?, indexed: Bool = true) {
        storyKey = article.guid.map(StoryVersions.key(guid:))
        self.indexed = indexed
        guard indexed else { return }
        (signature, entities) = IndexCPU.measure(.row) {
            (StorySignature.compute(text: article.text), (extraction?.entities ?? []).map {
                .init(localID: $0.id, type: $0.type.rawValue, name: $0.name, code: $0.code,
                      forms: IndexRecord.forms(name: $0.name, aliases: $0.aliases), mentions: $0.mentions.count, salience: $0.salience)
            })
        }
    }
}

/// Decides the annotations of each output on the writer queue (owned by `WriteStage`).
final class Annotator {
    let versions: StoryVersions
    /// Decides `story_id` (nil: every article starts its own story, e.g. in tools without an index).
    let index: ArticleIndex?

    init(versions: StoryVersions, index: ArticleIndex? = nil) {
        self.versions = versions
        self.index = index
    }

    func annotate(id: String, article: Article, features: ArticleFeatures) -> Annotations {
        var annotations = Annotations()
        if let key = features.storyKey {
            annotations.supersedes = versions.superseded(key: key, id: id, version: article.version ?? 1)
        }
        if let index {
            // Only what the decision reads: guid, supersedes, date, entities and the signature.
            let probe = IndexRecord(
                id: id, file: "", feed: nil, format: "", guid: article.guid ?? "urn:id:\(id)", version: article.version ?? 1,
                tombstone: article.status != .usable, supersedes: annotations.supersedes, storyID: id, date: article.date?.iso,
                timestamp: nil, processedAt: "", headline: "", text: "", entities: features.entities, quotes: [], times: [])
            // An index that cannot answer leaves the article its own story; the sink's commit then
            // stalls the batch if the index is really unusable.
            let story = IndexCPU.measure(.story) { (try? index.storyID(for: probe, signature: features.signature)) ?? id }
            annotations.storyID = story == id ? nil : story
        }
        return annotations
    }

    /// The output with these annotations is staged in the batch's commit.
    func accept(id: String, article: Article, features: ArticleFeatures, annotations: Annotations) {
        guard let key = features.storyKey else { return }
        versions.note(key: key, id: id, version: article.version ?? 1, supersedes: annotations.supersedes)
    }

    func stage(into commit: GroupCommit) throws { try versions.stage(into: commit) }
    func endBatch() {
        versions.endBatch()
        index?.forgetBatch()
    }
}

extension EncodedOutput {
    /// The `index`th article of `processed` with these annotations: its bytes and its index row, both
    /// from one document, so the writer never parses the bytes back to index them. The row's CPU counts
    /// as the index's (`IndexCPU`); with `countedAs`, all of this call's CPU does, under that part.
    init(_ index: Int, of processed: ArticleProcessor.Processed, annotations: Annotations, features: ArticleFeatures,
         countedAs part: IndexCPU.Part? = nil) throws {
        func document() -> ResultDocument {
            var document = ResultDocument(id: processed.articles[index].id, item: index, processed: processed,
                                          supersedes: annotations.supersedes, processedAt: Date())
            document.storyID = annotations.storyID ?? document.id
            return document
        }
        func row(_ document: ResultDocument) -> IndexRecord? {
            features.indexed ? IndexRecord(document, entities: features.entities) : nil
        }
        if let part {
            let (bytes, row) = try IndexCPU.measure(part) { let d = document(); return (try d.encoded(), row(d)) }
            self.init(document: bytes, annotations: annotations, features: features, row: row)
        } else {
            let d = document()
            let built = features.indexed ? IndexCPU.measure(.row) { row(d) } : nil
            self.init(document: try d.encoded(), annotations: annotations, features: features, row: built)
        }
    }
}
