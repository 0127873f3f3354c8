import Foundation
import TestSupport
import Testing
@testable import ArticleReaders
import Extraction
import NewsCore

@Suite struct PlainTextReaderTests {
    @Test func seedFormatGivesDateHeadlineAndParagraphs() throws {
        let text = " date 2023-02-12 Pakistan and the US will hold talks in Washington. More follows.\n\nSecond paragraph.\n"
        let result = try ArticleReading.read(ReadInput(bytes: Array(text.utf8), fileName: "x.txt"))
        #expect(result.format == "seed-text")
        let article = try #require(result.articles.first)
        #expect(article.date == ArticleDate(year: 2023, month: 2, day: 12))
        #expect(article.headline == "Pakistan and the US will hold talks in Washington.")
        #expect(article.paragraphs == ["Pakistan and the US will hold talks in Washington. More follows.", "Second paragraph."])
    }

    @Test func plainTextTakesTheFirstLineAsHeadlineWhenABlankLineFollows() throws {
        let text = "Claxton hunting first major medal\n\nBritish hurdler Sarah Claxton is confident.\n\nMore.\n"
        let result = try ArticleReading.read(ReadInput(bytes: Array(text.utf8), fileName: "001.txt",
                                                       fileDate: ArticleDate(year: 2005, month: 1, day: 2)))
        let article = try #require(result.articles.first)
        #expect(result.format == "text")
        #expect(article.headline == "Claxton hunting first major medal")
        #expect(article.paragraphs.count == 2)
        #expect(article.dateSource == .fileTime)
    }

    @Test func invalidUTF8FallsBackToWindows1252() throws {
        let bytes: [UInt8] = Array("Price rise\n\nIt cost ".utf8) + [0xA3] + Array("5 and \u{0093}more\u{0094}.".utf8.filter { $0 < 0x80 }) + [0x93, 0x94]
        let result = try ArticleReading.read(ReadInput(bytes: bytes, fileName: "199.txt"))
        #expect(result.encodingFallback)
        #expect(result.encoding == "windows-1252")
        #expect(result.articles[0].text.contains("£5"))
        #expect(result.articles[0].text.hasSuffix("“”"))
    }

    @Test func emptyAndWhiteSpaceOnlyFilesFailWithAReason() {
        #expect(throws: ReaderError.self) { try ArticleReading.read(ReadInput(bytes: [], fileName: "e")) }
        #expect(throws: ReaderError.self) { try ArticleReading.read(ReadInput(bytes: Array(" \n\t\n".utf8), fileName: "w")) }
    }

    @Test func theSeedArticleReads() throws {
        let bytes = try Requirement.value(Corpora.bytes("seed/dawn-2023-02-12.txt"), Corpora.absent("seed"))
        let article = try #require(try ArticleReading.read(ReadInput(bytes: bytes, fileName: "dawn.txt")).articles.first)
        #expect(article.date?.iso == "2023-02-12")
        #expect(article.headline.hasPrefix("Pakistan and the United States will hold talks"))
        #expect(article.headline.hasSuffix("to 16 (Thursday)."))
        #expect(article.paragraphs.count == 10)
    }
}

@Suite struct BinaryDetectionTests {
    @Test func randomBytesWithoutNULAreBinaryNotText() {
        var state: UInt64 = 0x9E3779B97F4A7C15
        let noise: [UInt8] = (0..<8192).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let b = UInt8(truncatingIfNeeded: state >> 56)
            return b == 0 ? 0x20 : b
        }
        #expect(throws: ReaderError.self) { try ArticleReading.read(ReadInput(bytes: noise, fileName: "noise.txt")) }
    }

    @Test func latin1ProseIsStillText() throws {
        let prose = Array("Caf\u{E9} prices\n\nA coffee costs ".unicodeScalars.map { UInt8($0.value) }) + [0xA3] + Array("3 in the caf\u{E9}s of the city, said the owner.\n".unicodeScalars.map { UInt8($0.value) })
        let result = try ArticleReading.read(ReadInput(bytes: prose, fileName: "latin1.txt"))
        #expect(result.encodingFallback)
        #expect(result.articles[0].text.contains("£3"))
    }
}
