import Foundation
import Testing
@testable import Extraction

/// The shared corpora next to the repository (`../shared/corpora`), read in place, never copied.
enum EntityCorpora {
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/corpora")

    static func text(_ relative: String) -> String? {
        try? String(contentsOf: root.appendingPathComponent(relative), encoding: .utf8)
    }
}

/// The shipped models (the checkout's models/), loaded once for the suite.
enum ShippedModels {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("models").path
    static let models: ExtractionModels? = try? ExtractionModels.load(directory: directory)
}

@Suite struct SeedArticleEntityTests {
    func extract() throws -> (Document, [Entity])? {
        guard let raw = EntityCorpora.text("seed/dawn-2023-02-12.txt") else {
            print("skipped: ../shared/corpora/seed is absent"); return nil
        }
        let models = try #require(ShippedModels.models, "models/ner.model did not load")
        // The seed format: " date YYYY-MM-DD " then the article text.
        let body = raw.replacingOccurrences(of: #"^\s*date\s+\d{4}-\d{2}-\d{2}\s+"#, with: "", options: .regularExpression)
        let document = Document(text: body)
        let extraction = try Extractor(models: models).extract(document)
        return (document, extraction.entities)
    }

    @Test func seedArticleEntitiesComeOutRight() throws {
        guard let (document, entities) = try extract() else { return }
        func entity(_ name: String, _ type: Entity.Kind) -> Entity? {
            entities.first { $0.type == type && ($0.name == name || $0.aliases.contains(name)) }
        }
        let chollet = try #require(entity("Derek Chollet", .person))
        #expect(chollet.aliases.contains("Chollet"))
        #expect(chollet.mentions.count == 3)
        #expect(chollet.roles.contains("US State Department Counsellor"))
        #expect(entities.filter { $0.type == .person }.count == 1)

        #expect(entity("Pakistan", .place)?.code == "PK")
        let us = try #require(entity("United States", .place))
        #expect(us.code == "US")
        #expect(us.aliases.contains("US"))
        for place in ["Washington", "Islamabad", "Peshawar", "Kabul"] {
            #expect(entity(place, .place) != nil, "missing place \(place)")
        }

        let fo = try #require(entity("Foreign Office", .org))
        #expect(fo.aliases.contains("FO"))
        let ttp = try #require(entity("Tehreek-i-Taliban Pakistan", .org))
        #expect(ttp.aliases.contains("TTP"))
        for org in ["Ministry of Foreign Affairs", "Joint Staff Headquarters", "Dawn", "US State Department",
                    "Islamic State-Khorasan"] {
            #expect(entity(org, .org) != nil, "missing organisation \(org)")
        }
        // Ids follow the order of first mention; every mention's offsets slice out one of the aliases.
        #expect(entities.map(\.id) == entities.indices.map { "e\($0 + 1)" })
        for e in entities {
            for m in e.mentions { #expect(e.aliases.contains(document[m]), "\(document[m]) not among \(e.aliases)") }
        }
    }
}
