import Foundation
import TestSupport
import Testing
@testable import ArticleReaders
import Extraction
import NewsCore

/// Every sample in `shared/corpora/formats/` reads to articles with a headline, a body and the metadata its
/// format carries. Expected values were read off the sample files by hand.
@Suite struct FormatSamplesTests {
    struct Expected: CustomStringConvertible, Sendable {
        var file: String
        var format: String
        var headline: String
        var guid: String? = nil
        var version: Int? = nil
        var date: String? = nil
        var byline: String? = nil
        var dateline: String? = nil
        var language: String? = nil
        var urgency: Int? = nil
        var provider: String? = nil
        var status: Article.Status = .usable
        var articles = 1
        var bodyContains: String? = nil
        var description: String { file }
    }

    static let samples: [Expected] = [
        Expected(file: "nitf/ap-nitf.xml", format: "nitf", headline: "Can trading pollution like stocks help fight climate change?",
                 date: "2015-12-10", byline: "BERNARD CONDON", dateline: "NEW YORK", provider: "AP", bodyContains: "hog manure"),
        Expected(file: "nitf/aap.xml", format: "nitf", headline: "The main stories on today's 1900 ABC TV news",
                 guid: "AAP.115314987.5417374", date: "2013-10-20", byline: "John Doe", dateline: "Sydney", urgency: 5),
        Expected(file: "nitf/efe_nitf.xml", format: "nitf", headline: "Honduran president announces Cabinet changes",
                 guid: "22751909", date: "2017-01-02", dateline: "Tegucigalpa", urgency: 5, bodyContains: "Test body"),
        Expected(file: "nitf/nitf-fishing.xml", format: "nitf", headline: "Weather and Tide Updates for Norfolk",
                 guid: "iptc.321656141.b", date: "2002-02-25", byline: "Alan Karben", status: .canceled),
        Expected(file: "nitf/nitf-ntb.xml", format: "nitf", headline: "Faktisk.no: Nei, dette dokumentet beskriver ikke FNs Agenda 21 eller Agenda 2030",
                 date: "2020-09-07", dateline: "Oslo"),
        Expected(file: "nitf/pa1.xml", format: "nitf", headline: "PA SPORT TRIVIA (OCTOBER 14)", date: "2015-10-14"),
        Expected(file: "nitf/LISTING_25_An_NITF_marked-up_article_conveyed_in_inlineXML.xml", format: "nitf",
                 headline: "Arizona Diamondbacks (29-23) at Philadelphia Phillies (26-24), 7:05p.m.", bodyContains: "Citizen Bank Park"),

        Expected(file: "newsml-g2/LISTING_2_NewsML-G2_Text_Document.xml", format: "newsml-g2", headline: "Fed to halt QE to avert \"bubble\"",
                 guid: "urn:newsml:acmenews.com:20161121:US-FINANCE-FED", version: 11, date: "2016-11-21", byline: "Meredith Jameson",
                 dateline: "New York, NY", language: "en-US"),
        Expected(file: "newsml-g2/LISTING_22_Sports_story_in_NewsML-G2NITF.xml", format: "newsml-g2",
                 headline: "Preview: Arizona Diamondbacks (29-23) at Philadelphia Phillies (26-24), 7:05 p.m.",
                 guid: "tag:xmlteam.com,2016:xt.5932656-preview", version: 11, date: "2016-10-19"),
        Expected(file: "newsml-g2/LISTING_6_Simple_NewsML-G2_Package.xml", format: "newsml-g2", headline: "UK",
                 guid: "tag:example.com,2008:UK-NEWS-TOPTEN:UK20081220098658", version: 11, bodyContains: "Obama annonce son équipe"),
        Expected(file: "newsml-g2/ansa-newsmlg2-text.xml", format: "newsml-g2", headline: "Catalan independence declaration unacceptable - Alfano",
                 version: 1, date: "2017-10-11", language: "it", bodyContains: "Angelino Alfano"),
        Expected(file: "newsml-g2/dpa.xml", format: "newsml-g2", headline: "Eintracht in London: Hintereggers Tränen und Attacke auf Reporter",
                 guid: "urn:newsml:dpa.com:20090101:221011-930-4303", version: 1, date: "2022-10-11", language: "de"),
        Expected(file: "newsml-g2/scoop.xml", format: "newsml-g2",
                 headline: "Dick Smith receivers install Don Grover as acting CEO as Abboud quits; retailer put up for sale",
                 guid: "BD-20160112123540", version: 3, date: "2016-01-12"),
        Expected(file: "newsml-g2/stt_newsml_test.xml", format: "newsml-g2", headline: "Parliament passed the Alcohol Act and the government gained confidence*** TRANSLATED ***",
                 guid: "urn:newsml:stt.fi:20171219:101801633", version: 4, date: "2017-12-19", language: "fi-FI", provider: "STT"),
        Expected(file: "newsml-g2/tag_reuters.com_2014_newsml_KBN0FL0NM_version_10.xml", format: "newsml-g2",
                 headline: "Confident Assad launches new term in stronger position", guid: "tag_reuters.com_2014_newsml_KBN0FL0NM", version: 10,
                 byline: "Marwan Makdisi"),
        Expected(file: "newsml-g2/tag_reuters.com_2018_newsml_MTZXEE13ZXCZES_2.xml", format: "newsml-g2", headline: "UPDATE 2-Primeira Liga Results",
                 guid: "tag:reuters.com,2018:newsml_MTZXEE13ZXCZES", version: 2, date: "2018-01-03", provider: "reuters.com"),

        Expected(file: "newsml-1.2/afp.xml", format: "newsml-1.2", headline: "Sweden court accepts receivership for Saab carmaker",
                 guid: "urn:newsml:afp.com:20140829T135002Z:TX-PAR-FXW86:1", version: 1, date: "2014-08-29", dateline: "STOCKHOLM",
                 language: "en", urgency: 4, provider: "afp.com", bodyContains: "National Electric Vehicle Sweden"),
        Expected(file: "newsml-1.2/afp20.xml", format: "newsml-1.2", headline: "Décès de Naomi Musenga: l'opératrice du Samu définitivement condamnée",
                 guid: "urn:newsml:afp.com:20240710:240710125902.qpsp2jzk:1", version: 1, date: "2024-07-10", dateline: "Strasbourg", language: "fr",
                 bodyContains: "L'opératrice du Samu condamnée"),
        Expected(file: "newsml-1.2/ana1.xml", format: "newsml-1.2", headline: "Wage employment balance positive in Jan-March",
                 guid: "urn:newsml:ana-mpe.gr:20180404:19336333:1", version: 1, date: "2018-04-04", language: "en"),

        Expected(file: "ninjs/iptc-1.4-ninjsExSimpleText1.json", format: "ninjs", headline: "Captain of wrecked cruise ship on trial in Italy",
                 guid: "http://ninjs.example.com/newsitems/20130709simp123", date: "2013-07-09", byline: "Paulo Santalucia and Frances d'Emilio"),
        Expected(file: "ninjs/iptc-2.1-dpa_text.json", format: "ninjs", headline: "Faktencheck Derby-Elfmeter: Hat Schiedsrichter Zwayer recht?",
                 guid: "urn:newsml:dpa.com:20090101:190510-99-167362", version: 2, date: "2019-05-10", language: "de", urgency: 4,
                 provider: "dpa"),
        Expected(file: "ninjs/iptc-3.0-dpa_text.json", format: "ninjs", headline: "Faktencheck Derby-Elfmeter: Hat Schiedsrichter Zwayer recht?",
                 guid: "urn:newsml:dpa.com:20090101:190510-99-167362", version: 2, date: "2019-05-10", language: "de", urgency: 4),
        Expected(file: "ninjs/iptc-3.0-ninjsExSimpleText_3.json", format: "ninjs", headline: "Captain of wrecked cruise ship on trial in Italy",
                 date: "2013-07-09"),
        Expected(file: "ninjs/iptc-3.0-ntb_text.json", format: "ninjs", headline: "Google har kjøpt giganttomt i Skien",
                 guid: "urn:8d19cf88-b3ab-4972-8fec-1207599f2872", version: 6, date: "2019-08-09", language: "nb-NO", urgency: 5),
        Expected(file: "ninjs/iptc-3.0-tt_text_image_3.json", format: "ninjs", headline: "Militärövning i jätteformat hålls 2023",
                 version: 1, date: "2021-05-26", language: "sv", urgency: 3),
        Expected(file: "ninjs/iptc-3.0-20231008-anti-doping-measures-at-the-tour-down-under-will-be-the-toughest-ever-addb-ninjs-nitf.json",
                 format: "ninjs", headline: "Anti-doping measures at the 'Tour Down Under' will be the toughest ever", version: 2,
                 date: "2023-10-08", dateline: "Oslo, Norway", bodyContains: "International Cycling Union"),
        Expected(file: "ninjs/iptc-doc-3.1-004_simple_text_article.json", format: "ninjs", headline: "Captain of wrecked cruise ship on trial in Italy"),
        Expected(file: "ninjs/iptc-doc-3.1-005_complex_text_article.json", format: "ninjs", headline: "Captain of wrecked cruise ship on trial in Italy",
                 dateline: "Grossetto, Italy", language: "en"),
        Expected(file: "ninjs/superdesk-ninjs1.json", format: "ninjs", headline: "headline", version: 2, date: "2017-08-24",
                 byline: "Peter and Jane", dateline: "Milton Keynes", language: "fr", urgency: 3, bodyContains: "The story so far."),
        Expected(file: "ninjs/superdesk-ninjs2.json", format: "ninjs", headline: "Oil prices edge up on first drop in US drilling in months",
                 guid: "tag:localhost:2017:7ca07622-3b19-4d61-8daf-18500412d46b", version: 4, byline: "Henning Gloystein", dateline: "Singapore"),
        Expected(file: "ninjs/superdesk-bbc-ninjs-text-test.json", format: "ninjs", headline: "advisory", date: "2018-05-28", byline: "John Doe",
                 bodyContains: "body"),

        Expected(file: "iptc7901/IPTC7901.txt", format: "iptc7901", headline: "Germany Social Democrats: Coalition talks with Merkel could fail",
                 dateline: "Berlin", urgency: 4, bodyContains: "Negotiations between German conservatives"),
        Expected(file: "iptc7901/IPTC7901_odd_charset.txt", format: "iptc7901",
                 headline: "German football saddened by illness to striker legend Mueller", byline: "Manuel Schwarz, dpa", dateline: "Munich"),
        Expected(file: "iptc7901/dpa_two_line.txt", format: "iptc7901",
                 headline: "Peace talks on Yemen to take place in Sweden next month, Mattis says", dateline: "Washington"),
        Expected(file: "iptc7901/dpa_four_line.txt", format: "iptc7901",
                 headline: "Switzerland joins list of countries resisting UN migration pact", byline: "dpa correspondents", dateline: "Geneva"),

        Expected(file: "anpa/anpa-1.tst", format: "anpa1312", headline: "For Argentine chemo patients, mirrors can hurt", date: "2013-11-13",
                 byline: "PAUL BYRNE and ALMUDENA CALATRAVA", dateline: "BUENOS AIRES, Argentina"),
        Expected(file: "anpa/anpa-2.tst", format: "anpa1312", headline: "Prairies vanish in the US push for green energy",
                 byline: "CHET BROKAW and JACK GILLUM", dateline: "ROSCOE, South Dakota"),
        Expected(file: "anpa/ap_anpa-1.tst", format: "anpa1312", headline: "Deng has 30 points, short-handed Heat beat Hawks 115-111",
                 byline: "CHARLES ODUM", dateline: "ATLANTA"),
        Expected(file: "anpa/ap_anpa-6.tst", format: "anpa1312", headline: "Wild Card Glance", bodyContains: "Tampa Bay"),

        Expected(file: "rfc822/simple_email.txt", format: "email", headline: "Test message 1234", date: "2015-02-19", bodyContains: "body text"),
        Expected(file: "rfc822/charset_in_subject_email.txt", format: "email", headline: "Google Apps News March 2015"),
        Expected(file: "rfc822/composite_email.txt", format: "email", headline: "single image test", bodyContains: "single image"),
        Expected(file: "rfc822/odd_charset_email.txt", format: "email", headline: "TravTalk’s Special for TAAI convention", date: "2015-03-10"),
    ]

    @Test(arguments: samples)
    func sampleReadsWithItsMetadata(_ expected: Expected) throws {
        let bytes = try Requirement.value(Corpora.bytes("formats/" + expected.file), Corpora.absent("formats/" + expected.file))
        let result = try ArticleReading.read(ReadInput(bytes: bytes, fileName: (expected.file as NSString).lastPathComponent))
        #expect(result.format == expected.format)
        #expect(result.articles.count == expected.articles)
        let article = try #require(result.articles.first)
        #expect(article.headline == expected.headline)
        #expect(!article.paragraphs.isEmpty && article.paragraphs.allSatisfy { !$0.isEmpty })
        if let guid = expected.guid { #expect(article.guid == guid) }
        if let version = expected.version { #expect(article.version == version) }
        if let date = expected.date {
            #expect(article.date?.iso == date)
            #expect(article.dateSource == .content)
        }
        if let byline = expected.byline { #expect(article.byline == byline) }
        if let dateline = expected.dateline { #expect(article.dateline == dateline) }
        if let language = expected.language { #expect(article.language == language) }
        if let urgency = expected.urgency { #expect(article.urgency == urgency) }
        if let provider = expected.provider { #expect(article.provider == provider) }
        #expect(article.status == expected.status)
        if let needle = expected.bodyContains { #expect(article.text.contains(needle)) }
        // Clean text: no markup, no wire control characters.
        #expect(!article.text.contains("<p>") && !article.text.contains("<P>"))
        #expect(!article.text.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" })
    }

    @Test func everySampleFileIsCoveredOrExplicitlyRefused() throws {
        let root = Corpora.root.appendingPathComponent("formats")
        let dirs = try Requirement.value(try? FileManager.default.contentsOfDirectory(atPath: root.path), Corpora.absent("formats"))
        var files: Set<String> = []
        for d in dirs where !d.hasSuffix(".md") {
            for f in try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(d).path) { files.insert("\(d)/\(f)") }
        }
        let covered = Set(Self.samples.map(\.file)).union(Self.refused.map(\.file))
        #expect(files.subtracting(covered).sorted() == [])
    }

    /// Samples that are not articles: the ninjs JSON Schemas, and two NewsML-G2 listings that carry no text
    /// (an empty inlineXML; a video item's metadata).
    static let refused: [(file: String, reason: String)] = [
        ("ninjs/ninjs-schema_1.4.json", "not an article"),
        ("ninjs/ninjs-schema_2.1.json", "not an article"),
        ("ninjs/ninjs-schema_3.1.json", "not an article"),
        ("newsml-g2/LISTING_1_A_NewsML-G2_News_Item.xml", "no text"),
        ("newsml-g2/ap_metadata_example.xml", "no text"),
    ]

    @Test func nonArticleSamplesFailWithTheFormatAndAReason() {
        for (file, reason) in Self.refused {
            guard let bytes = Corpora.bytes("formats/" + file) else { continue }
            do {
                _ = try ArticleReading.read(ReadInput(bytes: bytes, fileName: file))
                Issue.record("\(file) should not read as an article")
            } catch {
                #expect(error.reason.contains(reason), "\(file): \(error)")
                #expect(error.format == (file.hasPrefix("ninjs") ? "ninjs" : "newsml-g2"))
            }
        }
    }

    @Test func aNewsMessageWithSeveralItemsGivesSeveralArticles() throws {
        let item = { (n: Int) in """
            <newsItem guid="urn:x:\(n)" version="\(n)"><itemMeta><versionCreated>2024-05-0\(n)T10:00:00Z</versionCreated></itemMeta>
            <contentMeta><headline>Story \(n)</headline></contentMeta>
            <contentSet><inlineXML contenttype="application/xhtml+xml"><html xmlns="http://www.w3.org/1999/xhtml"><body>
            <p>Paragraph one of story \(n).</p><p>Paragraph two.</p></body></html></inlineXML></contentSet></newsItem>
            """ }
        let xml = "<?xml version=\"1.0\"?><newsMessage xmlns=\"http://iptc.org/std/nar/2006-10-01/\"><itemSet>\(item(1))\(item(2))</itemSet></newsMessage>"
        let result = try ArticleReading.read(ReadInput(bytes: Array(xml.utf8), fileName: "m.xml"))
        #expect(result.format == "newsml-g2")
        #expect(result.articles.map(\.headline) == ["Story 1", "Story 2"])
        #expect(result.articles.map(\.guid) == ["urn:x:1", "urn:x:2"])
        #expect(result.articles[1].paragraphs == ["Paragraph one of story 2.", "Paragraph two."])
        #expect(result.articles[1].date?.iso == "2024-05-02")
    }

    @Test func canceledPubStatusMarksATombstone() throws {
        let xml = """
            <newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="urn:x:9" version="3"><itemMeta><pubStatus qcode="stat:canceled"/></itemMeta>
            <contentMeta><headline>Withdrawn</headline></contentMeta><contentSet><inlineData contenttype="text/plain">Kill this story.</inlineData></contentSet></newsItem>
            """
        let article = try #require(try ArticleReading.read(ReadInput(bytes: Array(xml.utf8), fileName: "k.xml")).articles.first)
        #expect(article.status == .canceled)
        #expect(article.version == 3)
    }

    @Test func contentWithoutADateTakesTheFileTimeFlaggedAsSuch() throws {
        let bytes = try Requirement.value(Corpora.bytes("formats/iptc7901/IPTC7901.txt"), Corpora.absent("formats/iptc7901/IPTC7901.txt"))
        let fileDate = ArticleDate(year: 2013, month: 11, day: 13)
        let article = try #require(try ArticleReading.read(ReadInput(bytes: bytes, fileName: "x", fileDate: fileDate)).articles.first)
        #expect(article.date == fileDate)
        #expect(article.dateSource == .fileTime)
    }

    @Test func gzipOfAFormatReadsWithAPrefixedFormatName() throws {
        let bytes = try Requirement.value(Corpora.bytes("formats/nitf/ap-nitf.xml"), Corpora.absent("formats/nitf/ap-nitf.xml"))
        let compressed = try GzipTestSupport.gzip(bytes)
        let result = try ArticleReading.read(ReadInput(bytes: compressed, fileName: "story.xml.gz"))
        #expect(result.format == "gzip+nitf")
        #expect(result.articles.first?.headline == "Can trading pollution like stocks help fight climate change?")
    }

    @Test func theLatin1BBCFileDecodesThroughTheFallback() throws {
        let bytes = try Requirement.value(Corpora.bytes("bbc/sport/199.txt"), "../shared/corpora/bbc is absent")
        let result = try ArticleReading.read(ReadInput(bytes: bytes, fileName: "199.txt"))
        #expect(result.format == "text")
        #expect(result.encodingFallback)
        #expect(result.encoding == "windows-1252")
        #expect(result.articles[0].text.contains("£"))
    }
}

@Suite struct ConcurrentReadingTests {
    /// The daemon reads on several worker threads: libxml2 is initialised once and each read owns its context.
    @Test func samplesReadConcurrentlyGiveTheSameResults() throws {
        let files = FormatSamplesTests.samples.map(\.file)
        let inputs = files.compactMap { Corpora.bytes("formats/" + $0) }
        try Requirement.check(inputs.count == files.count, "../shared/corpora/formats is absent")
        ArticleReading.prepare()
        let expected = inputs.map { (try? ArticleReading.read(ReadInput(bytes: $0, fileName: "x")))?.articles.map(\.text) }
        let results = Results(count: inputs.count * 4)
        DispatchQueue.concurrentPerform(iterations: inputs.count * 4) { i in
            let bytes = inputs[i % inputs.count]
            results.set(i, (try? ArticleReading.read(ReadInput(bytes: bytes, fileName: "x")))?.articles.map(\.text))
        }
        for i in 0..<(inputs.count * 4) { #expect(results.get(i) == expected[i % inputs.count], "\(files[i % inputs.count])") }
    }

    final class Results: @unchecked Sendable {
        private var values: [[String]?]
        private let lock = NSLock()
        init(count: Int) { values = Array(repeating: nil, count: count) }
        func set(_ i: Int, _ v: [String]?) { lock.lock(); values[i] = v; lock.unlock() }
        func get(_ i: Int) -> [String]? { lock.lock(); defer { lock.unlock() }; return values[i] }
    }
}
