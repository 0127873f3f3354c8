import Testing
@testable import ArticleReaders

/// What other agencies send where a reader could take the first item instead of the right one: NITF with
/// several body.content blocks, NewsML-G2 with several renditions in a contentSet, and IPTC 7901 / ANPA files
/// with a story in several takes (or several stories). The files are small synthetic ones written for these tests.
@Suite struct WireAlternativesTests {
    private func read(_ text: String, _ name: String = "x.xml") throws -> ReadResult {
        try ArticleReading.read(ReadInput(bytes: Array(text.utf8), fileName: name))
    }

    // MARK: - NITF

    @Test func everyBodyContentBlockOfAnNITFBodyIsRead() throws {
        let result = try read("""
            <?xml version="1.0"?><nitf><head><title>Dam plan approved</title></head><body>
            <body.head><hedline><hl1>Dam plan approved</hl1></hedline></body.head>
            <body.content><p>The council approved the dam plan on Monday.</p></body.content>
            <body.content><p>Work starts in the spring, the mayor said.</p><p>It will take two years.</p></body.content>
            <body.end><tagline>Reporting by A. Writer</tagline></body.end>
            </body></nitf>
            """)
        #expect(result.format == "nitf")
        #expect(result.articles.first?.paragraphs == ["The council approved the dam plan on Monday.",
                                                      "Work starts in the spring, the mayor said.", "It will take two years."])
    }

    // MARK: - NewsML-G2

    private func g2(_ contentSet: String) -> String {
        """
        <?xml version="1.0"?><newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="urn:x:1" version="1">
        <itemMeta><versionCreated>2024-05-01T10:00:00Z</versionCreated></itemMeta>
        <contentMeta><headline>Dam plan approved</headline></contentMeta>
        <contentSet>\(contentSet)</contentSet></newsItem>
        """
    }

    private let xhtmlBody = """
        <inlineXML contenttype="application/xhtml+xml"><html xmlns="http://www.w3.org/1999/xhtml"><head><title>t</title></head><body>
        <p>The council approved the dam plan on Monday after a year of hearings.</p><p>Work starts in the spring, the mayor said.</p>
        </body></html></inlineXML>
        """

    @Test func aTeaserRenditionBeforeTheStoryIsNotTheBody() throws {
        let teaser = #"<inlineData contenttype="text/plain" rendition="rnd:teaser">Dam plan approved.</inlineData>"#
        let article = try #require(try read(g2(teaser + xhtmlBody)).articles.first)
        #expect(article.paragraphs.count == 2)
        #expect(article.paragraphs.first?.hasPrefix("The council approved") == true)
    }

    @Test func aStyleSheetOrAnImageRenditionIsNeverTheBody() throws {
        let others = """
            <remoteContent contenttype="image/jpeg" href="dam.jpg"/>
            <inlineData contenttype="text/css">p { font-family: Georgia, serif; margin: 0 0 1em 0; line-height: 1.5; color: #222; }
            .byline { color: #555; font-weight: bold; text-transform: uppercase; letter-spacing: 0.05em; }</inlineData>
            """
        let article = try #require(try read(g2(others + xhtmlBody)).articles.first)
        #expect(!article.text.contains("font-family"))
        #expect(article.paragraphs.count == 2)
    }

    @Test func anHTMLInlineDataRenditionIsReadAsHTML() throws {
        let html = #"<inlineData contenttype="text/html">&lt;p&gt;The council approved the dam plan.&lt;/p&gt;&lt;p&gt;Work starts in spring.&lt;/p&gt;</inlineData>"#
        let article = try #require(try read(g2(html)).articles.first)
        #expect(article.paragraphs == ["The council approved the dam plan.", "Work starts in spring."])
    }

    @Test func anNITFRenditionAfterAShortOneGivesItsBodyAndFillsTheEnvelope() throws {
        let nitf = """
            <inlineData contenttype="text/plain">Dam plan approved.</inlineData>
            <inlineXML contenttype="application/nitf+xml"><nitf><body><body.head><byline>By Ann Writer</byline></body.head>
            <body.content><p>The council approved the dam plan on Monday after a year of hearings.</p></body.content></body></nitf></inlineXML>
            """
        let article = try #require(try read(g2(nitf)).articles.first)
        #expect(article.paragraphs == ["The council approved the dam plan on Monday after a year of hearings."])
        #expect(article.byline == "Ann Writer")
        #expect(article.headline == "Dam plan approved")
    }

    // MARK: - IPTC 7901 and ANPA takes

    private func take7901(keyword: String, _ text: String) -> String {
        "\u{01}eca0124 4 i 93  dpa 1888\r\n\r\n\(keyword)\r\n\u{02}\(text)\u{03}\r\n101200 GMT Nov 18\r\n\u{04}"
    }

    @Test func iptc7901TakesOfOneStoryAreJoined() throws {
        let file = take7901(keyword: "Dam/council/", """
            Dam plan approved =\r\n\r\n   Berlin (dpa) - The council approved the dam plan on Monday.\r\n\r\n   Work starts in the spring.\r\n
            """) + take7901(keyword: "Dam/council/", """
            \r\n   The mayor said the plan would create 200 jobs.\r\n\r\n   Opponents plan an appeal.\r\n\r\n   dpa ab cd\r\n
            """)
        let result = try read(file, "x.txt")
        #expect(result.format == "iptc7901")
        #expect(result.articles.count == 1)
        let article = try #require(result.articles.first)
        #expect(article.headline == "Dam plan approved")
        #expect(article.paragraphs == ["Berlin (dpa) - The council approved the dam plan on Monday.", "Work starts in the spring.",
                                       "The mayor said the plan would create 200 jobs.", "Opponents plan an appeal."])
    }

    @Test func aSecondTakeMarkedAsSuchJoinsEvenWithoutAHeadingBlankLine() throws {
        let file = take7901(keyword: "Dam/", "Dam plan approved =\r\n\r\n   The council approved the plan.\r\n")
            + take7901(keyword: "Dam-2nd take/", "2nd take =\r\n\r\n   Work starts in the spring.\r\n")
        let article = try #require(try read(file, "x.txt").articles.first)
        #expect(article.paragraphs == ["The council approved the plan.", "Work starts in the spring."])
    }

    @Test func iptc7901MessagesWithDifferentKeywordsAreSeparateStories() throws {
        let file = take7901(keyword: "Dam/", "Dam plan approved =\r\n\r\n   The council approved the plan.\r\n")
            + take7901(keyword: "Football/", "Cup final postponed =\r\n\r\n   The cup final was postponed by a week.\r\n")
        let result = try read(file, "x.txt")
        #expect(result.articles.map(\.headline) == ["Dam plan approved", "Cup final postponed"])
        #expect(result.articles.last?.paragraphs == ["The cup final was postponed by a week."])
    }

    private func takeANPA(slug: String, _ heading: String, _ text: String) -> String {
        "\u{16}\u{16}\u{01}W2870\u{1F}asian\r\nr l\u{13}\u{11} \(slug)     11-13 1049\r\n\u{02}\(heading)\r\n\(text)\u{03}\r\n\tAP-WF-11-13-13 1509GMT<\r\n\u{04}"
    }

    @Test func anpaAddsAreJoinedToTheirStory() throws {
        let file = takeANPA(slug: "BC-Dam-PlanB", "^BC-Dam-Plan,240<\r\n^Dam plan approved<\r\n^By ANN WRITER=\r\n^Associated Press=",
                            "\t   BERLIN (AP) _ The council approved the dam plan on Monday.\r\n")
            + takeANPA(slug: "BC-Dam-PlanC", "^BC-Dam-Plan, 1st Add,120<", "\t   The mayor said the plan would create 200 jobs.\r\n")
        let result = try read(file, "x.tst")
        #expect(result.format == "anpa1312")
        #expect(result.articles.count == 1)
        let article = try #require(result.articles.first)
        #expect(article.headline == "Dam plan approved")
        #expect(article.byline == "ANN WRITER")
        #expect(article.paragraphs == ["BERLIN (AP) _ The council approved the dam plan on Monday.",
                                       "The mayor said the plan would create 200 jobs."])
    }
}
