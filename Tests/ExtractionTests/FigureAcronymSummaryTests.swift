import Foundation
import TestSupport
import Testing
@testable import Extraction
import NewsCore

func analysedText(_ text: String) -> AnalysedText {
    let document = Document(text: text, date: ArticleDate(year: 2023, month: 2, day: 12))
    let tokens = Tokenizer.tokenize(document)
    let sentences = SentenceSplitter.sentences(document, tokens: tokens, paragraphs: SentenceSplitter.paragraphs(document))
    return AnalysedText(document: document, tokens: tokens, sentences: sentences)
}

@Suite struct FigureTests {
    func figures(_ text: String) -> [Figure] {
        (try? FigureStage.run(analysedText(text), deadline: .never)) ?? []
    }

    @Test func countWithQualifierAndVerb() throws {
        let found = figures("Terrorists had recently killed over 80 people inside a mosque.")
        let figure = try #require(found.first)
        #expect(found.count == 1)
        #expect(figure.text == "over 80 people" && figure.value == 80 && figure.qualifier == "over")
        #expect(figure.counts == "people" && figure.verb == "killed" && figure.kind == .quantity)
    }

    @Test func moneyCarriesAnISOCurrencyCode() {
        let found = figures("The IMF approved $2.5bn, while Karachi got Rs500 million and 20 Pakistani rupees; Europe paid €3 million.")
        #expect(found.map(\.unit) == ["USD", "PKR", "PKR", "EUR"])
        #expect(found.first?.text == "$2.5bn" && found.first?.value == 2.5e9)
        #expect(found.last?.value == 3e6)
        #expect(figures("It cost 40 Indian rupees.").first?.unit == "INR")
        #expect(figures("a US$5 fee").first?.unit == "USD")
    }

    @Test func percentagesDurationsAndOrdinals() {
        #expect(figures("Inflation rose 3.5% in January.").map { "\($0.text)|\($0.kind.rawValue)|\($0.value ?? -1)" } == ["3.5%|percent|3.5"])
        #expect(figures("It grew 12 per cent.").first?.unit == "%")
        let duration = figures("The war lasted two years.").first
        #expect(duration?.kind == .duration && duration?.unit == "year" && duration?.value == 2)
        let ordinal = figures("the talks will be the second round of the dialogue").first
        #expect(ordinal?.text == "the second round" && ordinal?.kind == .ordinal && ordinal?.value == 2 && ordinal?.counts == "round")
    }

    @Test func decimalMultipliersKeepTheWrittenValue() {
        #expect(figures("It bid 8.2bn euros.").first?.value == 8.2e9)
        #expect(figures("It sold 2000 cars in the 2001 slump.").map(\.text) == ["2000 cars"])
        #expect(figures("BBC Radio 4's Today programme").isEmpty)
    }

    @Test func datesAndYearsAreNotFigures() {
        #expect(figures("Talks run from February 13 (Monday) to 16 (Thursday) after January 2021.").isEmpty)
        #expect(figures("He was born in 1990 and left in 2021.").isEmpty)
        #expect(figures("The meeting is at 10:30.").isEmpty)
    }
}

@Suite struct AcronymTests {
    func acronyms(_ text: String) -> [Acronym] {
        (try? AcronymStage.run(analysedText(text), entities: [], deadline: .never)) ?? []
    }

    @Test func longFormBeforeTheShortForm() {
        let text = "The Trade and Investment Framework Agreement (TIFA) talks begin. TIFA matters."
        let found = acronyms(text)
        #expect(found.map(\.short) == ["TIFA"])
        #expect(found.first?.long == "Trade and Investment Framework Agreement")
        #expect(found.first?.uses == [TextSpan(start: 65, end: 69)])
    }

    @Test func hyphenatedLongFormAndTheReverseOrder() {
        #expect(acronyms("groups like Tehreek-i-Taliban Pakistan (TTP) and others").first?.long == "Tehreek-i-Taliban Pakistan")
        let reverse = acronyms("The TTP (Tehreek-i-Taliban Pakistan) claimed it. Later the TTP denied it.")
        #expect(reverse.first?.short == "TTP" && reverse.first?.long == "Tehreek-i-Taliban Pakistan")
        #expect(reverse.first?.uses.count == 1)
    }

    @Test func bracketsThatDefineNothingAreIgnored() {
        #expect(acronyms("from February 13 (Monday) to 16 (Thursday)").isEmpty)
        #expect(acronyms("The company (IBM) rose.").isEmpty)
        #expect(acronyms("He said (AP) that it rained.").isEmpty)
    }

    /// Regression: a sentence that opens with a bracketed short form ("(ANSA) ROME ...", the NewsML-G2 sample)
    /// trapped on the token before the sentence start; the long form may only come from the same sentence.
    @Test func aSentenceOpeningWithABracketedShortFormDefinesNothing() {
        #expect(acronyms("(ANSA) ROME - Italy's government met on Monday.").isEmpty)
        #expect(acronyms("Rain fell in Rome. (ANSA) Officials met on Monday.").isEmpty)
        #expect(acronyms("(TIFA) talks").isEmpty)
    }

    @Test func definitionLinksToTheEntityItNames() throws {
        let text = "The Foreign Office (FO) spoke."
        let entity = Entity(id: "E7", type: .org, name: "Foreign Office", mentions: [TextSpan(start: 4, end: 18)])
        let found = try AcronymStage.run(analysedText(text), entities: [entity], deadline: .never)
        #expect(found.first?.entityId == "E7")
    }

    /// The first entity, in entity order, with any mention overlapping the long form (as the scan of every
    /// mention found it): not one whose mention only touches its end, nor a later one that matches exactly.
    @Test func definitionLinksToTheFirstEntityOverlappingTheLongForm() throws {
        let text = "The Foreign Office (FO) spoke. Office staff left."
        let touching = Entity(id: "E1", type: .org, name: "FO", mentions: [TextSpan(start: 18, end: 19), TextSpan(start: 20, end: 22)])
        let partly = Entity(id: "E2", type: .org, name: "Office", mentions: [TextSpan(start: 31, end: 37), TextSpan(start: 12, end: 18)])
        let exact = Entity(id: "E3", type: .org, name: "Foreign Office", mentions: [TextSpan(start: 4, end: 18)])
        let found = try AcronymStage.run(analysedText(text), entities: [touching, partly, exact], deadline: .never)
        #expect(found.first?.longSpan == TextSpan(start: 4, end: 18))
        #expect(found.first?.entityId == "E2")
        let none = try AcronymStage.run(analysedText(text), entities: [touching], deadline: .never)
        #expect(none.first != nil && none.first?.entityId == nil)
    }
}

@Suite struct SummaryTests {
    @Test func seedEndToEnd() throws {
        let seed = try SharedCorpora.seed()
        let extraction = try Extractor(models: ExtractionModels()).extract(seed)
        // Figures and acronyms of the seed.
        #expect(extraction.figures.contains { $0.text == "over 80 people" && $0.verb == "killed" })
        #expect(extraction.figures.contains { $0.text == "the second round" })
        let acronyms = Dictionary(uniqueKeysWithValues: extraction.acronyms.map { ($0.short, $0.long) })
        #expect(acronyms["TIFA"] == "Trade and Investment Framework Agreement")
        #expect(acronyms["TTP"] == "Tehreek-i-Taliban Pakistan")
        // The summary: two or three sentences in text order, the lead among them.
        #expect((2...3).contains(extraction.summary.count))
        #expect(extraction.summary == extraction.summary.sorted())
        #expect(extraction.summary.first == 0)
        // Keywords: ranked, and the talks' subjects near the top.
        let keywords = extraction.keywords.map { $0.text.lowercased() }
        #expect(extraction.keywords.map(\.score) == extraction.keywords.map(\.score).sorted(by: >))
        #expect(keywords.prefix(8).contains { $0.contains("counterterrorism") })
        #expect(keywords.prefix(8).contains { $0.contains("pakistan") })
    }

    @Test func shortTextsSummariseToAllTheirSentences() throws {
        let result = try SummaryStage.run(analysedText("One sentence here. Another one there."), entities: [], deadline: .never)
        #expect(result.sentences == [0, 1])
    }
}

@Suite struct ExtractionJSONTests {
    @Test func resultsEncodeWithSnakeCaseKeys() throws {
        let text = "“We will meet next month,” Chollet said of the Trade and Investment Framework Agreement (TIFA), worth $2.5bn."
        let extraction = try Extractor(models: ExtractionModels()).extract(Document(text: text, date: ArticleDate(year: 2023, month: 2, day: 12)))
        let json = String(decoding: try JSONEncoder().encode(extraction), as: UTF8.self)
        for key in ["\"speaker_span\"", "\"short_span\"", "\"long_span\"", "\"value\":\"2023-03\"", "\"unit\":\"USD\"", "\"kind\":\"direct\""] {
            #expect(json.contains(key), "missing \(key)")
        }
        #expect(!json.contains("speakerSpan") && !json.contains("shortSpan"))
    }
}
