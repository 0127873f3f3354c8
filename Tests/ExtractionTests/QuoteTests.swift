import Testing
@testable import Extraction
import NewsCore

@Suite struct QuoteTests {
    func analysed(_ text: String) -> AnalysedText {
        let document = Document(text: text, date: ArticleDate(year: 2023, month: 2, day: 12))
        let tokens = Tokenizer.tokenize(document)
        let sentences = SentenceSplitter.sentences(document, tokens: tokens, paragraphs: SentenceSplitter.paragraphs(document))
        return AnalysedText(document: document, tokens: tokens, sentences: sentences)
    }

    func quotes(_ text: String, entities: [Entity] = []) -> [Quote] {
        (try? QuoteStage.run(analysed(text), entities: entities, deadline: .never)) ?? []
    }

    /// Entities with a mention at every occurrence of each of their surface forms.
    func entities(_ text: String, _ specs: [(String, Entity.Kind, [String])]) -> [Entity] {
        let scalars = Array(text.unicodeScalars)
        return specs.enumerated().map { index, spec in
            var mentions: [TextSpan] = []
            for form in spec.2 {
                let needle = Array(form.unicodeScalars)
                var i = 0
                while i + needle.count <= scalars.count {
                    let before = i == 0 ? " " : scalars[i - 1]
                    let after = i + needle.count < scalars.count ? scalars[i + needle.count] : " "
                    if Array(scalars[i..<(i + needle.count)]) == needle && !Tokenizer.isLetter(before) && !Tokenizer.isLetter(after) {
                        mentions.append(TextSpan(start: i, end: i + needle.count))
                    }
                    i += 1
                }
            }
            return Entity(id: "E\(index + 1)", type: spec.1, name: spec.0, mentions: mentions.sorted())
        }
    }

    @Test func seedQuotesHaveTheirTextsAndCues() throws {
        let seed = try SharedCorpora.seed()
        let extraction = try Extractor(models: ExtractionModels()).extract(seed)
        let marked = extraction.quotes.filter { $0.kind != .reported }
        #expect(marked.count == 4)
        guard marked.count == 4 else { return }
        #expect(marked[0].text.hasPrefix("Pakistan’s inter-agency delegation"))
        #expect(marked[0].text.hasSuffix("office of undersecretary of defence,"))
        #expect(marked[0].cue == "said" && marked[0].speaker == "the FO")
        #expect(marked[1].text.hasPrefix("For the US, it’s going to be"))
        #expect(marked[1].cue == "said" && marked[1].speaker == "the senior US diplomat")
        #expect(marked[2].text == "emerging counterterrorism threat" && marked[2].kind == .partial)
        #expect(marked[2].cue == "noted" && marked[2].speaker == "he")
        #expect(marked[3].text.hasPrefix("I believe the Trade and Investment Framework Agreement (TIFA)"))
        #expect(marked[3].cue == "said" && marked[3].speaker == "he")
        let reported = extraction.quotes.filter { $0.kind == .reported }
        #expect(reported.contains { $0.cue == "emphasised" && $0.text.hasPrefix("the need to assist Islamabad") })
        #expect(reported.contains { $0.cue == "pointed out" && $0.text.hasPrefix("the US and Pakistan were already taking steps") })
    }

    @Test func seedSpeakersResolveToHandBuiltEntities() throws {
        let seed = try SharedCorpora.seed()
        let list = entities(seed.text, [
            ("Foreign Office", .org, ["Foreign Office"]),
            ("Derek Chollet", .person, ["Derek Chollet", "Chollet"]),
            ("Pakistan", .place, ["Pakistan"]),
            ("US State Department", .org, ["US State Department"]),
            ("Dawn", .org, ["Dawn"]),
        ])
        let tokens = Tokenizer.tokenize(seed)
        let sentences = SentenceSplitter.sentences(seed, tokens: tokens, paragraphs: SentenceSplitter.paragraphs(seed))
        let found = try QuoteStage.run(AnalysedText(document: seed, tokens: tokens, sentences: sentences), entities: list, deadline: .never)
        let marked = found.filter { $0.kind != .reported }
        #expect(marked.map(\.speakerId) == ["E1", "E2", "E2", "E2"])
        #expect(marked.first?.speaker == "Foreign Office")
        #expect(found.first { $0.cue == "emphasised" }?.speakerId == "E2")
    }

    @Test func quoteSpanningParagraphsIsOneQuote() {
        let text = "“The first part goes on.\n\n“And the second part ends here,” the minister said.\n"
        let found = quotes(text)
        #expect(found.count == 1)
        #expect(found.first?.text.hasSuffix("ends here,") == true)
        #expect(found.first?.text.hasPrefix("The first part") == true)
    }

    @Test func cueBeforeTheQuoteAndStraightMarks() {
        let found = quotes("Chollet said: \"We will deepen the partnership further.\"")
        #expect(found.count == 1)
        #expect(found.first?.speaker == "Chollet" && found.first?.cue == "said")
        #expect(found.first?.text == "We will deepen the partnership further.")
    }

    @Test func quoteSplitByItsAttributionKeepsTheSpeaker() {
        let text = "Ann Lee arrived.\n\n“It is hard,” she told reporters. “But we go on.”"
        let found = quotes(text, entities: entities(text, [("Ann Lee", .person, ["Ann Lee"])]))
        #expect(found.filter { $0.kind != .reported }.count == 2)
        #expect(found.first { $0.text == "It is hard," }?.speakerId == "E1")
        #expect(found.first { $0.text == "It is hard," }?.cue == "told")
        #expect(found.first { $0.text == "But we go on." }?.speakerId == "E1")
    }

    @Test func straightMarksPairAcrossAMissedOpening() {
        // The stray closing mark after "word." must not open a quote that swallows the next paragraph.
        let found = quotes("He called it desperate.\" She left.\n\n\"We will win this fight,\" he said.")
        #expect(found.filter { $0.kind != .reported }.map(\.text) == ["We will win this fight,"])
    }

    @Test func wordsBeforeTheCueThatAreNoSubjectGiveNoSpeaker() {
        let found = quotes("Mr Balls refused to say: \"That would be a good way to spend any excess.\"")
        #expect(found.first?.speaker == nil)
    }

    @Test func accordingToIsReportedSpeech() {
        let found = quotes("According to the police, the attacker fled towards the border on foot.")
        #expect(found.count == 1)
        #expect(found.first?.kind == .reported && found.first?.cue == "according to")
        #expect(found.first?.speaker == "the police")
        #expect(found.first?.text == "the attacker fled towards the border on foot")
    }

    @Test func titlesAndScareQuotesAreNotQuotes() {
        #expect(quotes("She wrote a book titled “The Long Road Home” in 2010.").isEmpty)
        #expect(quotes("The so-called “experts” disagreed.").isEmpty)
        #expect(quotes("The “deal” collapsed within a week.").isEmpty)
        #expect(quotes("They watched “Gone With the Wind” again.").isEmpty)
    }

    @Test func shortQuoteWithACueIsAPartialQuote() {
        let found = quotes("The minister called the attack “cowardly”, said an aide.")
        #expect(found.count == 1)
        #expect(found.first?.kind == .partial && found.first?.text == "cowardly")
    }

    /// Regression (found by the corpus sweep): a sentence that is only "According to" took its speaker
    /// from the next sentence and built a range past its own end, a trap.
    @Test func aCueAtTheEndOfASentenceTakesNoSpeakerFromTheNext() {
        #expect(quotes("According to\n\nthe ministry, prices rose sharply this year.").allSatisfy { $0.cue != "according to" })
        #expect(quotes("Prices rose, according to\n\nthe ministry officials who spoke today.").allSatisfy { $0.cue != "according to" })
        #expect(quotes("He pointed\n\nout that prices rose sharply this year.").allSatisfy { $0.start >= 0 })
    }
}

@Suite struct HostileTextTests {
    @Test func unpairedMarksAndRunOnTextStillExtract() throws {
        let marks = String(repeating: "‘a “b said ( TTP ", count: 500)
        let runOn = String(repeating: "he said that the 3 people in 1999 were over 80 ", count: 300)
        for text in [marks, runOn] {
            let extraction = try Extractor(models: ExtractionModels()).extract(Document(text: text, date: ArticleDate(year: 2023, month: 2, day: 12)))
            #expect(extraction.sentences.count >= 1)
        }
    }
}
