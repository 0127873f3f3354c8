import Testing
@testable import Extraction

@Suite struct TokenizerTests {
    func words(_ text: String) -> [String] {
        let d = Document(text: text)
        return Tokenizer.tokenize(d).map { d.text($0.start, $0.end) }
    }

    @Test func keepsAbbreviationsAndHyphenatedNames() {
        #expect(words("The U.S. and Tehreek-i-Taliban Pakistan (TTP) met Mr. Smith.") ==
                ["The", "U.S.", "and", "Tehreek-i-Taliban", "Pakistan", "(", "TTP", ")", "met", "Mr.", "Smith", "."])
    }

    @Test func splitsPossessivesAndContractions() {
        #expect(words("Pakistan’s team didn't go, it's said") ==
                ["Pakistan", "’s", "team", "did", "n't", "go", ",", "it", "'s", "said"])
    }

    @Test func keepsNumbersWithSeparators() {
        #expect(words("over 1,234.5 people, $2.5bn and 3.5%") ==
                ["over", "1,234.5", "people", ",", "$", "2.5bn", "and", "3.5", "%"])
    }

    @Test func splitsSentencesButNotAfterTitles() {
        let d = Document(text: "Mr. Chollet spoke. “It is hard,” he said. The talks end.")
        let tokens = Tokenizer.tokenize(d)
        let sentences = SentenceSplitter.sentences(d, tokens: tokens, paragraphs: SentenceSplitter.paragraphs(d))
        #expect(sentences.map { d[$0.span] } == ["Mr. Chollet spoke.", "“It is hard,” he said.", "The talks end."])
    }

    @Test func offsetsCountUnicodeScalars() {
        let d = Document(text: "“Pakistan’s” x")
        let tokens = Tokenizer.tokenize(d)
        #expect(tokens.first?.start == 0 && tokens.first?.end == 1)
        #expect(tokens.last.map { d.text($0.start, $0.end) } == "x")
        #expect(tokens.last?.start == 13)
    }
}
