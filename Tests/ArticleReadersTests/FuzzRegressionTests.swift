import Foundation
import Testing
@testable import ArticleReaders
@testable import Extraction
import NewsCore

/// Every input the fuzzers once broke (fuzz/regressions/<target>/, small self-made files), replayed through the
/// same entry point as its fuzz target, so normal CI checks them without a fuzzing build. `scripts/fuzz --replay`
/// replays them through the instrumented targets as well.
@Suite struct FuzzRegressionTests {
    static let regressions = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("fuzz/regressions")

    static func inputs(_ target: String) -> [(String, [UInt8])] {
        let dir = regressions.appendingPathComponent(target)
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).sorted()
        return names.compactMap { name in (try? Data(contentsOf: dir.appendingPathComponent(name))).map { (name, [UInt8]($0)) } }
    }

    /// What any reader must give: a reason, or articles with a bounded headline.
    static func checkRead(_ read: () throws(ReaderError) -> [Article], _ name: String) {
        do {
            for article in try read() {
                #expect(article.headline.unicodeScalars.count <= 2 * FirstSentence.maxScalars, "\(name): headline of \(article.headline.unicodeScalars.count) scalars")
            }
        } catch {
            #expect(!error.reason.isEmpty, "\(name): a failure without a reason")
        }
    }

    static func checkSpans(_ text: String, _ name: String) {
        let document = Document(text: text)
        let tokens = Tokenizer.tokenize(document)
        let sentences = SentenceSplitter.sentences(document, tokens: tokens, paragraphs: SentenceSplitter.paragraphs(document))
        var previousEnd = 0
        for token in tokens {
            #expect(token.start >= previousEnd && token.start < token.end && token.end <= document.scalars.count, "\(name): token \(token.span)")
            previousEnd = token.end
        }
        for sentence in sentences {
            #expect(sentence.tokens.upperBound <= tokens.count && sentence.span.end <= document.scalars.count, "\(name): sentence \(sentence.span)")
        }
    }

    @Test func readerRegressionInputsReadOrFailWithAReason() {
        ArticleReading.prepare()
        for (name, bytes) in Self.inputs("FuzzArticleReading") {
            let names = ["story.txt", "story.xml", "story.html", "story.eml", "story.json", "story"]
            let fileName = bytes.first.map { names[Int($0) % names.count] } ?? names[0]
            Self.checkRead({ () throws(ReaderError) in try ArticleReading.read(ReadInput(bytes: bytes, fileName: fileName), limits: ReadLimits(maxDecompressedBytes: 1 << 20)).articles }, name)
        }
        for (name, bytes) in Self.inputs("FuzzXMLReaders") {
            Self.checkRead({ () throws(ReaderError) in
                try MarkupReading.read(bytes, sniffed: .xml, input: ReadInput(bytes: bytes, fileName: "story.xml"), bomEncoding: nil, deadline: .never).articles
            }, name)
        }
        for (name, bytes) in Self.inputs("FuzzHTMLReader") {
            Self.checkRead({ () throws(ReaderError) in [try HTMLReader.read(bytes, encoding: bytes.isValidUTF8 ? "UTF-8" : "windows-1252")] }, name)
        }
        for (name, bytes) in Self.inputs("FuzzNinjsReader") {
            Self.checkRead({ () throws(ReaderError) in try NinjsReader.read(bytes) }, name)
        }
        for (name, bytes) in Self.inputs("FuzzEmailReader") {
            Self.checkRead({ () throws(ReaderError) in [try EmailReader.read(bytes).0] }, name)
        }
        for (name, bytes) in Self.inputs("FuzzWireTextReader") {
            Self.checkRead({ () throws(ReaderError) in try WireTextReader.read(bytes, anpa: (bytes.first ?? 0) & 1 == 0).1 }, name)
        }
        for (name, bytes) in Self.inputs("FuzzPlainTextReader") {
            let text = TextDecoding.decode(bytes).text
            Self.checkRead({ () throws(ReaderError) in [try PlainTextReader.read(text, fileDate: nil).article] }, name)
        }
    }

    @Test func tokenizerAndTimeRegressionInputsKeepTheirSpansInsideTheText() {
        for (name, bytes) in Self.inputs("FuzzTokenizer") { Self.checkSpans(String(decoding: bytes, as: UTF8.self), name) }
        for (name, bytes) in Self.inputs("FuzzTimes") {
            let year = 1990 + Int(bytes.first ?? 0) % 60
            let day = 1 + Int(bytes.dropFirst().first ?? 0) % 28
            let document = Document(text: String(decoding: bytes.dropFirst(min(2, bytes.count)), as: UTF8.self),
                                    date: ArticleDate(year: year, month: 1 + day % 12, day: day))
            let tokens = Tokenizer.tokenize(document)
            let sentences = SentenceSplitter.sentences(document, tokens: tokens, paragraphs: SentenceSplitter.paragraphs(document))
            let times = (try? TimeTagger.tag(AnalysedText(document: document, tokens: tokens, sentences: sentences), deadline: .never)) ?? []
            for time in times {
                #expect(time.start >= 0 && time.start < time.end && time.end <= document.scalars.count && !time.value.isEmpty, "\(name): \(time)")
            }
        }
    }

    @Test func extractorRegressionInputsExtract() {
        let inputs = Self.inputs("FuzzExtractor")
        guard !inputs.isEmpty else { return }
        let models = Self.regressions.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("models").path
        let extractor = Extractor(models: (try? ExtractionModels.load(directory: models)) ?? ExtractionModels())
        for (name, bytes) in inputs {
            let date = ArticleDate(year: 2000 + Int(bytes.first ?? 0) % 30, month: 2, day: 13)
            let document = Document(text: String(decoding: bytes.dropFirst(min(1, bytes.count)), as: UTF8.self), date: date)
            let result = try? extractor.extract(document)
            #expect(result?.sentences.allSatisfy { $0.end <= document.scalars.count } != false, "\(name)")
        }
    }

    // Found by the bad-input corpus (NewsInboxTests/BadInputTests), checked here at the reader.

    @Test func aSingleHugeLineGivesABoundedHeadline() throws {
        let line = String(repeating: "council budget Leeds Monday ", count: 20_000)
        let article = try PlainTextReader.read(line, fileDate: nil).article
        #expect(article.headline.unicodeScalars.count <= FirstSentence.maxScalars)
        #expect(article.headline.hasPrefix("council budget Leeds Monday"))
        #expect(article.text.unicodeScalars.count >= line.unicodeScalars.count - 1)
    }

    @Test func aFileOfControlCharactersHasNoText() {
        let bytes = (0..<500).map { UInt8(1 + $0 % 8) } + [0x0B, 0x0C, 0x7F]
        #expect(throws: ReaderError.self) { try ArticleReading.read(ReadInput(bytes: Array(bytes.dropFirst()), fileName: "c.txt")) }
    }
}
