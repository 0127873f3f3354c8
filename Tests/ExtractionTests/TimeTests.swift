import Testing
@testable import Extraction
import NewsCore

@Suite struct TimeTests {
    static let sunday = ArticleDate(year: 2023, month: 2, day: 12)!

    func times(_ text: String, date: ArticleDate? = TimeTests.sunday) -> [TimeExpression] {
        let document = Document(text: text, date: date)
        let tokens = Tokenizer.tokenize(document)
        let sentences = SentenceSplitter.sentences(document, tokens: tokens, paragraphs: SentenceSplitter.paragraphs(document))
        return (try? TimeStage.run(AnalysedText(document: document, tokens: tokens, sentences: sentences), deadline: .never)) ?? []
    }

    func pairs(_ text: String, date: ArticleDate? = TimeTests.sunday) -> [String] {
        times(text, date: date).map { "\($0.text)=\($0.value)" }
    }

    @Test func seedArticleTimesResolveAgainstItsDate() throws {
        let seed = try SharedCorpora.seed()
        let extraction = try Extractor(models: ExtractionModels()).extract(seed)
        let found = extraction.times.map { "\($0.text)=\($0.value)" }
        for expected in ["February 13 (Monday)=2023-02-13", "16 (Thursday)=2023-02-16", "today (Sunday)=2023-02-12",
                         "January 2021=2021-01", "next month=2023-03", "the coming week=2023-W07", "Recently=PAST_REF"] {
            #expect(found.contains(expected), "missing \(expected) in \(found)")
        }
        #expect(found.filter { $0 == "next month=2023-03" }.count == 2)
        let range = try #require(extraction.times.first { $0.value == "2023-02-16" })
        #expect(range.rangeStart.map { extraction.times[$0].value } == "2023-02-13")
    }

    @Test func durationsAndSets() {
        #expect(pairs("The war lasted two years.") == ["two years=P2Y"])
        #expect(pairs("a five-year plan") == ["five-year=P5Y"])
        #expect(pairs("They meet every Monday.") == ["every Monday=XXXX-WXX-1"])
        #expect(pairs("Prices are set daily.") == ["daily=P1D"])
        #expect(pairs("for the past three months") == ["the past three months=P3M"])
        #expect(pairs("in 24 hours") == ["24 hours=PT24H"])
        #expect(times("Talks took several weeks.").first?.type == .duration)
    }

    @Test func relativeDatesShiftFromTheArticleDate() {
        #expect(pairs("He left yesterday.") == ["yesterday=2023-02-11"])
        #expect(pairs("It happened last year.") == ["last year=2022"])
        #expect(pairs("two weeks ago") == ["two weeks ago=2023-W04"])
        #expect(pairs("The vote is next week.") == ["next week=2023-W07"])
        #expect(pairs("results for the third quarter") == ["the third quarter=2022-Q3"])
        #expect(pairs("He spoke on Friday.") == ["Friday=2023-02-10"])
        #expect(pairs("He will speak on Friday.") == ["Friday=2023-02-17"])
        #expect(pairs("last Christmas") == ["last Christmas=2022-12-25"])
        #expect(pairs("this morning") == ["this morning=2023-02-12TMO"])
        #expect(pairs("at 3 p.m. today") == ["3 p.m. today=2023-02-12T15:00"])
        #expect(pairs("in the last week of February") == ["the last week of February=2023-W09"])
        #expect(pairs("so the week after I am back").isEmpty)
    }

    @Test func absoluteDatesInSeveralForms() {
        #expect(pairs("on 13 February 2023") == ["13 February 2023=2023-02-13"])
        #expect(pairs("on Aug. 7, 1998,") == ["Aug. 7, 1998=1998-08-07"])
        #expect(pairs("published 1998-01-08") == ["1998-01-08=1998-01-08"])
        #expect(pairs("in the 1990s") == ["the 1990s=199"])
        #expect(pairs("in nineteen ninety-six") == ["nineteen ninety-six=1996"])
        #expect(pairs("by the end of 1994") == ["the end of 1994=1994"])
        #expect(times("by the end of 1994").first?.mod == "END")
    }

    @Test func numbersThatAreNotYearsAreLeftAlone() {
        #expect(pairs("The account number is 120045.").isEmpty)
        #expect(pairs("It cost $1998 and 2000 people came.").isEmpty)
        #expect(pairs("He may go. Troops march on.").isEmpty)
        #expect(pairs("a 6-year-old boy").isEmpty)
        #expect(pairs("as soon as possible").isEmpty)
    }

    @Test func withoutAnArticleDateRelativeValuesStayUnresolved() {
        #expect(pairs("He left yesterday.", date: nil) == ["yesterday=XXXX-XX-XX"])
        #expect(pairs("in January 2021", date: nil) == ["January 2021=2021-01"])
    }

    // The classes below come from the errors on the dev part of TimeBank + AQUAINT (TimeMLSplit.dev).

    @Test func aYearBeforeAnAdjectiveLeavesTheArticleOut() {
        #expect(pairs("He was charged in the 1996 Olympic bombing.") == ["1996=1996"])
        #expect(pairs("below the year-earlier $4.5 million") == ["year-earlier=2022"])
    }

    @Test func anAmountBeforeAYearAgoIsNotARate() {
        #expect(pairs("Profit rose to $2.3 billion from $2.1 billion a year ago.") == ["a year ago=2022"])
        #expect(pairs("It earns $500 million a year.").isEmpty)
    }

    @Test func modifiersBelongToTheExpression() {
        #expect(pairs("Earlier this month, the board met.") == ["Earlier this month=2023-02"])
        #expect(pairs("They spoke later this afternoon.") == ["later this afternoon=2023-02-12TAF"])
        #expect(pairs("The war began nearly four years ago.") == ["nearly four years ago=2019"])
        #expect(pairs("The blast came around 7:15 p.m.") == ["around 7:15 p.m.=2023-02-12T19:15"])
    }

    @Test func thatYearAndThatDayReferToTheLastDateNamed() {
        #expect(pairs("Imports totaled $37 million in 1988, a small share of all imports that year.")
            == ["1988=1988", "that year=1988"])
        #expect(pairs("He fled in June 1998 and returned later that year.") == ["June 1998=1998-06", "later that year=1998"])
        #expect(pairs("They met that year.") == ["that year=PAST_REF"])
    }

    @Test func aMonthAheadOfTheArticleIsLastYearsOnlyInThePastTense() {
        let may = ArticleDate(year: 1999, month: 5, day: 7)!
        #expect(pairs("He was last seen Nov. 3.", date: may) == ["Nov. 3=1998-11-03"])
        #expect(pairs("Flights to Perth start July 6.", date: may) == ["July 6=1999-07-06"])
        #expect(pairs("A ceremony would still be held at the summit on Dec. 24.", date: may) == ["Dec. 24=1999-12-24"])
        #expect(pairs("A ceremony was held at the summit on Dec. 24.", date: may) == ["Dec. 24=1998-12-24"])
        #expect(pairs("The summit will be held in Washington in April.", date: ArticleDate(year: 1998, month: 12, day: 5)!)
            == ["April=1999-04"])
    }

    @Test func aFrequencyBeforeItsNounIsAnAdjectiveNotASet() {
        #expect(pairs("Qantas plans daily flights to Bombay.").isEmpty)
        #expect(pairs("the average daily volume").isEmpty)
        #expect(pairs("Demonstrators gather daily outside the house.") == ["daily=P1D"])
    }

    @Test func recentBeforeANounIsThePast() {
        #expect(pairs("according to a recent SEC filing") == ["recent=PAST_REF"])
        #expect(pairs("the recent closing of a plant") == ["recent=PAST_REF"])
        #expect(pairs("in recent years") == ["recent years=PXY"])
    }

    @Test func halvesAndLongCompoundsAreDurations() {
        #expect(pairs("They lived in camps for 2 1/2 years.") == ["2 1/2 years=P2Y6M"])
        #expect(pairs("The speech lasted a minute and a half.") == ["a minute and a half=PT1M30S"])
        #expect(pairs("after two and a half weeks") == ["two and a half weeks=P2.5W"])
        #expect(pairs("the government's decades-long battle") == ["decades-long=PXY"])
        #expect(pairs("their third day-long meeting") == ["day-long=P1D"])
        #expect(pairs("a long day").isEmpty)
    }

    @Test func quarterDurationsAreCountedInMonths() {
        #expect(pairs("spread over the next three quarters") == ["the next three quarters=P9M"])
    }
}
