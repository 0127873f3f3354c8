import ArticleReaders
import ExtractionTraining
import Foundation
import Testing
import TestSupport
@testable import Extraction

/// Our BBC entity gold (docs/annotation/entities.md): its shape, and the entity stage's scores on it kept
/// from falling below the level reached (the same figures as `newsinbox eval entities`).
@Suite struct EntityGoldTests {
    static let goldPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("docs/annotation/bbc-entities.jsonl").path

    static func gold() throws -> [EntityGoldArticle] {
        try EntityGoldArticle.load(jsonl: String(contentsOfFile: goldPath, encoding: .utf8))
    }

    @Test func twentyArticlesInEachHalfNoneInBoth() throws {
        let articles = try Self.gold()
        #expect(articles.filter { $0.split == "dev" }.count == 20)
        #expect(articles.filter { $0.split == "heldout" }.count == 20)
        #expect(Set(articles.map(\.article)).count == 40)
        for a in articles {
            #expect(!a.entities.isEmpty, "\(a.article) has no entities")
            for e in a.entities { #expect(e.forms.first == e.name && ["PERSON", "ORG", "PLACE", "NORP", "EVENT", "MISC"].contains(e.type)) }
        }
    }

    static func score(split: String) throws -> EntityScore? {
        guard Corpora.isPresent else { return nil }
        let models = try #require(ShippedModels.models)
        let extractor = Extractor(models: models)
        ArticleReading.prepare()
        var total = EntityScore()
        for gold in try Self.gold() where gold.split == split {
            let bytes = try #require(Corpora.bytes(gold.article), "\(Corpora.absent(gold.article))")
            let article = try #require(try ArticleReading.read(ReadInput(bytes: bytes, fileName: gold.article)).articles.first)
            let entities = try extractor.extract(Document(text: article.text, date: article.date)).entities
            total = total + EntityScore.score(gold: gold.entities, produced: entities.map {
                ScoredEntity(type: $0.type.rawValue, forms: [$0.name] + $0.aliases)
            })
        }
        return total
    }

    @Test func devHalfStaysAtTheLevelReached() throws {
        let s = try Requirement.value(try Self.score(split: "dev"), Corpora.absent("bbc"))
        #expect(s.overall.f1 >= 0.84)
        #expect(s.byType["ORG"]!.f1 >= 0.72)
        #expect(s.splits <= 4 && s.overMerges == 0)
    }

    @Test func heldOutHalfStaysAtTheLevelReached() throws {
        let s = try Requirement.value(try Self.score(split: "heldout"), Corpora.absent("bbc"))
        #expect(s.overall.f1 >= 0.845)
        #expect(s.byType["ORG"]!.f1 >= 0.72)
        #expect(s.splits <= 6 && s.overMerges == 0)
    }
}
