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

    @Test func aMarkOpeningTheNextSentenceStartsANewQuote() {
        // Wire style inside a paragraph: each sentence opens a mark, only the last one closes.
        let text = "Mr Voice said: \"We have had offers. \"There are a number of things he wants. \"He wants to play the West End.\""
        let found = quotes(text).filter { $0.kind != .reported }
        #expect(found.map(\.text) == ["We have had offers.", "There are a number of things he wants.", "He wants to play the West End."])
        #expect(found.allSatisfy { $0.speaker == "Mr Voice" })
    }

    @Test func aPronounSpeakerIsTheSubjectOfTheCueClauseNotTheLastNamePerson() {
        let text = "Ron Corbett said he and Ron Barker were careful. \"Our material was good-natured,\" he said."
        let list = entities(text, [("Ron Corbett", .person, ["Ron Corbett"]), ("Ron Barker", .person, ["Ron Barker"])])
        #expect(quotes(text, entities: list).first { $0.kind == .direct }?.speakerId == "E1")
        let coordinated = "Clubs want forward Sonny Williams, and Paul Scully said he was keen. \"He is a great player,\" he said."
        let list2 = entities(coordinated, [("Sonny Williams", .person, ["Sonny Williams"]), ("Paul Scully", .person, ["Paul Scully"])])
        #expect(quotes(coordinated, entities: list2).first { $0.kind == .direct }?.speakerId == "E2")
    }

    @Test func aPersonNamedInTheQuoteIsNotItsPronounSpeaker() {
        let text = "Sean Long has doubts about his future. \"I think Sean's situation is hard,\" he said."
        let list = entities(text, [("Sean Long", .person, ["Sean Long"])])
        #expect(quotes(text, entities: list).first { $0.kind == .direct }?.speakerId == nil)
    }

    @Test func aCueAfterAFullStopBelongsToTheNextSentence() {
        let text = "Ann Lee said: \"It is hard. \"But we go on.\" Bob Hart said the plan was late."
        let list = entities(text, [("Ann Lee", .person, ["Ann Lee"]), ("Bob Hart", .person, ["Bob Hart"])])
        let found = quotes(text, entities: list).filter { $0.kind != .reported }
        #expect(found.map(\.speakerId) == ["E1", "E1"])
    }

    @Test func aNameBeforeALowerCaseAppositionIsTheSpeaker() {
        let text = "Jo Rama, one of the students, says that \"it has to withstand anything you press\"."
        let list = entities(text, [("Jo Rama", .person, ["Jo Rama"])])
        #expect(quotes(text, entities: list).first { $0.kind != .reported }?.speakerId == "E1")
    }

    @Test func aQuoteAfterReportedSpeechIsThatSpeakers() {
        let text = "Tom Davis said the plan would tackle obesity. Lord Moyne said the policy would help clubs. \"We aim to shift the emphasis to the clubs.\""
        let list = entities(text, [("Tom Davis", .person, ["Tom Davis"]), ("Lord Moyne", .person, ["Lord Moyne"])])
        #expect(quotes(text, entities: list).first { $0.kind == .direct }?.speakerId == "E2")
    }

    @Test func itSaysIsAnOrganisation() {
        let text = "Jane Smith runs Acme Corp. It said: \"Sales rose sharply in the last quarter.\""
        let list = entities(text, [("Jane Smith", .person, ["Jane Smith"]), ("Acme Corp", .org, ["Acme Corp"])])
        #expect(quotes(text, entities: list).first { $0.kind == .direct }?.speakerId == "E2")
    }

    @Test func anUnnamedSpokesmanSpeaksForTheOrganisation() {
        let text = "Acme Corp cut 300 jobs, its boss Jane Smith said. A spokesman said: \"We regret every one of them.\""
        let list = entities(text, [("Acme Corp", .org, ["Acme Corp"]), ("Jane Smith", .person, ["Jane Smith"])])
        #expect(quotes(text, entities: list).first { $0.kind == .direct }?.speakerId == "E1")
        let institute = "The Film Institute praised Jane Smith. \"Her work will last for ever,\" the institute said."
        let list2 = entities(institute, [("Film Institute", .org, ["Film Institute"]), ("Jane Smith", .person, ["Jane Smith"])])
        #expect(quotes(institute, entities: list2).first { $0.kind == .direct }?.speakerId == "E1")
    }

    @Test func aCueAfterButSharesTheSubjectOfTheCueBefore() {
        let text = "The EC says the council will adopt the draft but said it would review \"all aspects of the directive\"."
        let list = entities(text, [("EC", .org, ["EC"])])
        #expect(quotes(text, entities: list).first { $0.kind == .partial }?.speakerId == "E1")
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
