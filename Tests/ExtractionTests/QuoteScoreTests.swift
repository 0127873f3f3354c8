import Testing
@testable import Extraction
import ExtractionTraining

@Suite struct QuoteScoreTests {
    typealias Gold = QuoteGoldArticle.GoldQuote

    /// The offsets of `needle` in `text`, in Unicode scalars.
    func span(_ needle: String, in text: String) -> (Int, Int) {
        let s = Array(text.unicodeScalars), n = Array(needle.unicodeScalars)
        for i in 0...(s.count - n.count) where Array(s[i..<(i + n.count)]) == n { return (i, i + n.count) }
        Issue.record("\(needle) not in text")
        return (0, 0)
    }

    func found(_ needle: String, in text: String, speaker: String?, kind: Quote.Kind = .direct) -> Quote {
        let (a, b) = span(needle, in: text)
        return Quote(start: a, end: b, text: needle, kind: kind, speakerId: nil, speaker: speaker, speakerSpan: nil, cue: "said")
    }

    func gold(_ needle: String, in text: String, speaker: String, type: String = "person", alternatives: [String]? = nil, continuation: Bool = false) -> Gold {
        let (a, b) = span(needle, in: text)
        return Gold(start: a, end: b, speaker: speaker, speakerType: type, alternatives: alternatives, continuation: continuation)
    }

    let text = "Headline\n\n\"We are pleased with the result,\" said Tony Blair. \"It is a start.\"\n\n\"The next step is harder.\"\n\nThe \"golden share\" scheme was \"boring\", he said."

    @Test func rightQuotesAndSpeakersScoreFull() {
        let article = QuoteGoldArticle(quotes: [
            gold("We are pleased with the result,", in: text, speaker: "Tony Blair"),
            gold("It is a start.", in: text, speaker: "Tony Blair", continuation: true),
        ])
        var score = QuoteScore()
        let s = Array(text.unicodeScalars)
        score.add(article, found: [found("We are pleased with the result,", in: text, speaker: "Blair"),
                                   found("It is a start.", in: text, speaker: "Tony Blair")], text: s)
        #expect(score.all.gold == 2 && score.all.detected == 2 && score.all.attributed == 2)
        #expect(score.detectionF1 == 1 && score.endToEndF1 == 1)
        #expect(score.continuation.gold == 1 && score.continuation.attributed == 1)
        #expect(score.continuationParagraph.gold == 0)
    }

    @Test func aQuoteOverTwoParagraphsIsScoredPerParagraph() {
        let article = QuoteGoldArticle(quotes: [
            gold("It is a start.", in: text, speaker: "Tony Blair"),
            gold("The next step is harder.", in: text, speaker: "Tony Blair", continuation: true),
        ])
        let s = Array(text.unicodeScalars)
        let (a, _) = span("It is a start.", in: text), (_, b) = span("The next step is harder.", in: text)
        let long = Quote(start: a, end: b, text: "", kind: .direct, speakerId: nil, speaker: "Tony Blair", speakerSpan: nil, cue: "said")
        var score = QuoteScore()
        score.add(article, found: [long], text: s)
        #expect(score.found == 2 && score.all.detected == 2 && score.all.attributed == 2)
        #expect(score.continuationParagraph.gold == 1 && score.continuationParagraph.detected == 1)
    }

    @Test func wrongSpeakerCountsAsDetectedButNotEndToEnd() {
        let article = QuoteGoldArticle(quotes: [gold("We are pleased with the result,", in: text, speaker: "Tony Blair")])
        var score = QuoteScore()
        score.add(article, found: [found("We are pleased with the result,", in: text, speaker: "Gordon Brown")], text: Array(text.unicodeScalars))
        #expect(score.all.detected == 1 && score.all.attributed == 0)
        #expect(score.detectionF1 == 1 && score.endToEndF1 == 0)
        #expect(score.misses.map(\.kind) == ["speaker"])
    }

    @Test func aSmallOverlapIsNoMatch() {
        let article = QuoteGoldArticle(quotes: [gold("We are pleased with the result,", in: text, speaker: "Tony Blair")])
        var score = QuoteScore()
        score.add(article, found: [found("We are", in: text, speaker: "Tony Blair")], text: Array(text.unicodeScalars))
        #expect(score.all.detected == 0 && score.found == 1 && score.falsePositives["none"] == 1)
    }

    @Test func scareQuotesAreFalsePositivesAndOptionalSpansAreLeftOut() {
        let (g0, g1) = span("golden share", in: text), (o0, o1) = span("boring", in: text)
        let article = QuoteGoldArticle(quotes: [], optional: [.init(start: o0, end: o1)], nonQuotes: [.init(start: g0, end: g1, reason: "scare")])
        var score = QuoteScore()
        score.add(article, found: [found("golden share", in: text, speaker: nil, kind: .partial),
                                   found("boring", in: text, speaker: "he", kind: .partial)], text: Array(text.unicodeScalars))
        #expect(score.found == 1 && score.ignored == 1)
        #expect(score.falsePositives == ["scare": 1])
        #expect(score.detectionPrecision == 0)
    }

    @Test func reportedSpeechIsNotScored() {
        let article = QuoteGoldArticle(quotes: [])
        var score = QuoteScore()
        score.add(article, found: [found("The next step is harder.", in: text, speaker: "he", kind: .reported)], text: Array(text.unicodeScalars))
        #expect(score.found == 0 && score.falsePositives.isEmpty)
    }

    @Test func speakerNamesMatchBySurnameTitleOrAlternative() {
        let blair = Gold(start: 0, end: 1, speaker: "Tony Blair")
        #expect(QuoteScore.speakerMatches("Mr Blair", blair))
        #expect(QuoteScore.speakerMatches("Prime Minister Tony Blair", blair))
        #expect(QuoteScore.speakerMatches("Blair's", blair))
        #expect(!QuoteScore.speakerMatches("he", blair))
        #expect(!QuoteScore.speakerMatches("Tony", blair))
        #expect(!QuoteScore.speakerMatches(nil, blair))
        let fa = Gold(start: 0, end: 1, speaker: "Football Association", speakerType: "org", alternatives: ["FA"])
        #expect(QuoteScore.speakerMatches("the FA", fa))
        #expect(!QuoteScore.speakerMatches("Uefa", fa))
        let barroso = Gold(start: 0, end: 1, speaker: "Jose Manuel Barroso")
        #expect(QuoteScore.speakerMatches("José Manuel Barroso", barroso))
        let swissRe = Gold(start: 0, end: 1, speaker: "Swiss Re", speakerType: "org")
        #expect(!QuoteScore.speakerMatches("Re", swissRe))
    }

    @Test func goldLinesDecode() throws {
        let line = #"{"article": "a/1.txt", "split": "heldout", "quotes": [{"start": 3, "end": 9, "text": "abcdef", "speaker": "X Y", "speaker_type": "org", "surface": null, "cue": null, "continuation": true}], "optional": [], "non_quotes": [{"start": 20, "end": 25, "text": "hello", "reason": "title"}]}"#
        let articles = try QuoteGoldArticle.load(jsonLines: line + "\n\n")
        #expect(articles.count == 1)
        #expect(articles.first?.split == "heldout" && articles.first?.quotes.first?.continuation == true)
        #expect(articles.first?.nonQuotes.first?.reason == "title")
    }
}
