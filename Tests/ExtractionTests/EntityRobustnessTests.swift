import Foundation
import TestSupport
import Testing
@testable import Extraction

/// The entity stage over real news (the BBC corpus): every article's entities must be well formed.
/// 25 articles by default; all 2,225 with NEWSINBOX_LONG_TESTS=1.
@Suite struct EntityRobustnessTests {
    @Test func bbcArticlesGiveWellFormedEntities() throws {
        let root = EntityCorpora.root.appendingPathComponent("bbc")
        try Requirement.check(FileManager.default.fileExists(atPath: root.path), Corpora.absent("bbc"))
        let models = try #require(ShippedModels.models)
        let extractor = Extractor(models: models)
        let everything = ProcessInfo.processInfo.environment["NEWSINBOX_LONG_TESTS"] == "1"
        var articles = 0
        for section in ["business", "entertainment", "politics", "sport", "tech"] {
            let files = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(section).path).sorted()
            for file in everything ? files : Array(files.prefix(5)) {
                guard let text = EntityCorpora.text("bbc/\(section)/\(file)") else { continue }  // one file is not UTF-8
                let document = Document(text: text)
                let entities = try extractor.extract(document).entities
                articles += 1
                #expect(!entities.isEmpty, "\(section)/\(file)")
                #expect(entities.map(\.id) == entities.indices.map { "e\($0 + 1)" })
                var seen = Set<TextSpan>()
                for e in entities {
                    #expect(!e.mentions.isEmpty && e.mentions == e.mentions.sorted())
                    #expect(e.salience >= 0 && e.salience <= 1)
                    for m in e.mentions {
                        #expect(m.start >= 0 && m.end <= document.scalars.count && !m.isEmpty)
                        #expect(seen.insert(m).inserted, "\(section)/\(file): \(document[m]) in two entities")
                        #expect(e.aliases.contains(document[m]))
                    }
                }
                for (a, b) in zip(entities, entities.dropFirst()) { #expect(a.mentions[0] < b.mentions[0]) }
            }
        }
        #expect(articles >= 25)
    }
}
