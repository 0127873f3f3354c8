import ExtractionTraining
import Testing

/// `newsinbox eval entities`' scorer on tiny made-up articles: each count it reports, one at a time.
@Suite struct EntityScoreTests {
    typealias Gold = EntityGoldArticle.Entity

    static let gold = [
        Gold(name: "Gordon Brown", type: "PERSON", forms: ["Gordon Brown", "Brown"]),
        Gold(name: "Foreign Office", type: "ORG", forms: ["Foreign Office", "FO"]),
        Gold(name: "BBC", type: "ORG", forms: ["BBC"]),
        Gold(name: "BBC World Service", type: "ORG", forms: ["BBC World Service"]),
        Gold(name: "Paris", type: "PLACE", forms: ["Paris"]),
        Gold(name: "French", type: "NORP", forms: ["French"]),
        Gold(name: "Louvre", type: "ORG", forms: ["Louvre"], optional: true),
    ]

    static func score(_ produced: [(String, [String])]) -> EntityScore {
        EntityScore.score(gold: gold, produced: produced.map { ScoredEntity(type: $0.0, forms: $0.1) })
    }

    static let perfect: [(String, [String])] = [
        ("PERSON", ["Gordon Brown", "Mr Brown"]), ("ORG", ["the Foreign Office", "FO"]), ("ORG", ["BBC's"]),
        ("ORG", ["BBC World Service"]), ("PLACE", ["Paris"]), ("NORP", ["French"]),
    ]

    @Test func everyEntityFoundOnceWithItsTypeScoresOne() {
        let s = Self.score(Self.perfect)
        #expect(s.overall == EntityScore.Counts(truePositives: 5, falsePositives: 0, falseNegatives: 0))
        #expect(s.overall.f1 == 1)
        #expect(s.splits == 0 && s.overMerges == 0 && s.wronglyTyped == 0)
    }

    @Test func aSurnameAloneAsItsOwnEntityIsASplitAndAFalsePositive() {
        var produced = Self.perfect
        produced[0] = ("PERSON", ["Gordon Brown"])
        produced.append(("PERSON", ["Brown"]))
        let s = Self.score(produced)
        #expect(s.splits == 1)
        #expect(s.byType["PERSON"] == EntityScore.Counts(truePositives: 1, falsePositives: 1, falseNegatives: 0))
        #expect(s.overMerges == 0)
    }

    @Test func aParentMergedWithItsSubsidiaryIsAnOverMergeAndAMiss() {
        var produced = Self.perfect
        produced.remove(at: 3)
        produced[2] = ("ORG", ["BBC", "BBC World Service"])
        let s = Self.score(produced)
        #expect(s.overMerges == 1)
        #expect(s.byType["ORG"] == EntityScore.Counts(truePositives: 2, falsePositives: 0, falseNegatives: 1))
    }

    @Test func aPlaceProducedAsAnOrganisationIsWronglyTypedAndCountsTwice() {
        var produced = Self.perfect
        produced[4] = ("ORG", ["Paris"])
        let s = Self.score(produced)
        #expect(s.wronglyTyped == 1)
        #expect(s.byType["PLACE"] == EntityScore.Counts(truePositives: 0, falsePositives: 0, falseNegatives: 1))
        #expect(s.byType["ORG"]?.falsePositives == 1)
    }

    @Test func aNationalityProducedAsAPlaceIsAFalsePositiveAndWronglyTyped() {
        var produced = Self.perfect
        produced[5] = ("PLACE", ["French"])
        let s = Self.score(produced)
        #expect(s.wronglyTyped == 1)
        #expect(s.byType["PLACE"] == EntityScore.Counts(truePositives: 1, falsePositives: 1, falseNegatives: 0))
    }

    @Test func optionalEntitiesAreNeitherCreditedNorCounted() {
        let with = Self.score(Self.perfect + [("PLACE", ["Louvre"])])
        #expect(with.overall == Self.score(Self.perfect).overall)
    }

    @Test func anUnannotatedNameIsSpuriousAndAnUnfoundOneMissed() {
        let s = Self.score(Array(Self.perfect.dropFirst()) + [("ORG", ["Acme"])])
        #expect(s.byType["PERSON"] == EntityScore.Counts(truePositives: 0, falsePositives: 0, falseNegatives: 1))
        #expect(s.byType["ORG"]?.falsePositives == 1)
        #expect(s.overall.precision == 4.0 / 5.0)
        #expect(s.overall.recall == 4.0 / 5.0)
    }

    @Test func formsCompareWithoutPeriodsPossessivesArticlesOrHonorifics() {
        #expect(EntityForm.normalised("the U.N.") == "UN")
        #expect(EntityForm.normalised("Mr Blair\u{2019}s") == "Blair")
        #expect(EntityForm.normalised("Lord Goldsmith") == "Goldsmith")
        #expect(EntityForm.normalised("Philippe Sands QC") == "Philippe Sands")
        #expect(EntityForm.normalised("Lord") == "Lord")
        #expect(EntityForm.normalised("The Hague") == "Hague")
    }

    @Test func goldLinesDecode() throws {
        let line = #"{"article": "bbc/tech/1.txt", "split": "dev", "entities": [{"name": "Intel", "type": "ORG", "forms": ["Intel"], "optional": false}]}"#
        let articles = try EntityGoldArticle.load(jsonl: line + "\n\n" + line)
        #expect(articles.count == 2)
        #expect(articles[0].entities[0].forms == ["Intel"])
    }
}
