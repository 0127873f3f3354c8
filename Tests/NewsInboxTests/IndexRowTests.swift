import Foundation
import TestSupport
import Testing
@testable import NewsInbox
import ArticleReaders
import Extraction
import NewsIndex

/// The daemon indexes each output from the row its worker built beside the bytes; `reindex` and the
/// start-up reconcile read the bytes back. Both must give the same row, or the index would depend on
/// which path wrote it.
@Suite struct IndexRowTests {
    @Test func workerRowEqualsTheRowReadBackFromTheOutput() throws {
        guard Corpora.isPresent else {
            if ProcessInfo.processInfo.environment["CI"] == "true" { Issue.record("\(Corpora.absent())") }
            else { print("skipped: \(Corpora.absent())") }
            return
        }
        // 500 BBC articles (all five categories) and every format sample, which carry what BBC text
        // does not: guids, versions, timestamps, tombstones, several articles in one file.
        var files = Corpora.bbcFiles(limit: 500).map { ("bbc/" + $0.0, $0.1) }
        for path in Corpora.files(under: "formats") where !path.contains("README") {
            if let bytes = Corpora.bytes(path) { files.append((path, bytes)) }
        }
        let processor = ArticleProcessor(extractor: Extractor(models: try ExtractionModels.load(searching: ModelDirectory.candidates(configured: nil))))
        ArticleReading.prepare()
        var rows = 0, tombstones = 0, quotes = 0, mismatches: [String] = []
        for (k, (name, bytes)) in files.enumerated() {
            guard let processed = try? processor.process(bytes: bytes, file: name, fileDate: nil, deadline: .never) else { continue }
            for index in processed.articles.indices {
                // Annotations as the writer may set them, so those fields are compared too.
                let annotations = Annotations(supersedes: k % 3 == 0 ? "0123456789abcdef01234567" : nil,
                                              storyID: k % 2 == 0 ? "fedcba9876543210fedcba98" : nil)
                let features = ArticleFeatures(article: processed.articles[index].article, extraction: processed.articles[index].extraction)
                let output = try EncodedOutput(index, of: processed, annotations: annotations, features: features)
                let read = try IndexRecord(output: Data(output.document))
                let row = try #require(output.row, "no row although the index is on")
                if row != read { mismatches.append("\(name)#\(index): \(Self.difference(row, read))") }
                if output.features.signature != StorySignature.compute(text: read.text) { mismatches.append("\(name)#\(index): signature") }
                rows += 1
                if read.tombstone { tombstones += 1 }
                quotes += read.quotes.count
            }
        }
        #expect(rows >= 500, "only \(rows) rows compared")
        #expect(tombstones > 0 && quotes > 0, "the set lacks tombstones (\(tombstones)) or quotes (\(quotes))")
        #expect(mismatches.isEmpty, "\(mismatches.count) of \(rows) rows differ; first: \(mismatches.prefix(3))")
    }

    /// The first field that differs, to make a failure readable.
    static func difference(_ a: IndexRecord, _ b: IndexRecord) -> String {
        for (x, y) in zip(Mirror(reflecting: a).children, Mirror(reflecting: b).children) where "\(x.value)" != "\(y.value)" {
            return "\(x.label ?? "?"): \(String("\(x.value)".prefix(200))) vs \(String("\(y.value)".prefix(200)))"
        }
        return "a field compares unequal but prints the same"
    }
}
