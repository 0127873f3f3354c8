import Testing
@testable import ArticleReaders

/// NewsML 1.2 components may carry several content items; the body is the one that is prose, wherever
/// it stands (agencies put a style sheet or a caption file before the XHTML body).
@Suite struct NewsML12ContentItemTests {
    private func newsML(items: String) -> [UInt8] {
        Array("""
            <?xml version="1.0" encoding="UTF-8"?>
            <NewsML><NewsItem>
              <Identification><NewsIdentifier><ProviderId>example.com</ProviderId><PublicIdentifier>urn:newsml:example.com:20240305:a1</PublicIdentifier><RevisionId>1</RevisionId></NewsIdentifier></Identification>
              <NewsManagement><FirstCreated>20240305T093000+0000</FirstCreated><Status FormalName="Usable"/></NewsManagement>
              <NewsComponent>
                <NewsLines><HeadLine>Harbour reopens after the storm</HeadLine></NewsLines>
                \(items)
              </NewsComponent>
            </NewsItem></NewsML>
            """.utf8)
    }

    private let body = """
        <ContentItem><MediaType FormalName="Text"/><MimeType FormalName="application/xhtml+xml"/>
          <DataContent><html xmlns="http://www.w3.org/1999/xhtml"><body>
            <p>The harbour reopened on Tuesday after the storm closed it for three days.</p>
            <p>Ferries to the islands resume on Wednesday, the port authority said.</p>
          </body></html></DataContent></ContentItem>
        """

    @Test func aStyleSheetItemBeforeTheBodyIsNotTheBody() throws {
        let css = """
            <ContentItem><MediaType FormalName="Text"/><MimeType FormalName="text/css"/>
              <DataContent>p { font-family: Georgia, serif; margin: 0 0 1em 0; } .byline { color: #555; }</DataContent></ContentItem>
            """
        let article = try #require(try ArticleReading.read(ReadInput(bytes: newsML(items: css + body), fileName: "x.xml")).articles.first)
        #expect(article.paragraphs.first?.hasPrefix("The harbour reopened") == true)
        #expect(!article.paragraphs.joined().contains("font-family"))
    }

    @Test func aPhotoItemBeforeTheBodyIsNotTheBody() throws {
        let photo = """
            <ContentItem Href="harbour.jpg"><MediaType FormalName="Photo"/><MimeType FormalName="image/jpeg"/>
              <DataContent>Harbour at dawn, file photo</DataContent></ContentItem>
            """
        let article = try #require(try ArticleReading.read(ReadInput(bytes: newsML(items: photo + body), fileName: "x.xml")).articles.first)
        #expect(article.paragraphs.count == 2)
        #expect(article.paragraphs.last?.hasPrefix("Ferries to the islands") == true)
    }

    @Test func theBodyAloneStillReads() throws {
        let article = try #require(try ArticleReading.read(ReadInput(bytes: newsML(items: body), fileName: "x.xml")).articles.first)
        #expect(article.headline == "Harbour reopens after the storm")
        #expect(article.paragraphs.count == 2)
    }

    private func read(_ xml: [UInt8]) throws -> Article {
        try #require(try ArticleReading.read(ReadInput(bytes: xml, fileName: "x.xml")).articles.first)
    }

    @Test func aShortTextItemBeforeTheBodyIsNotTheBody() throws {
        let abstract = """
            <ContentItem><MediaType FormalName="Text"/><MimeType FormalName="text/plain"/>
              <DataContent>Harbour reopens.</DataContent></ContentItem>
            """
        let article = try read(newsML(items: abstract + body))
        #expect(article.paragraphs.count == 2)
        #expect(article.paragraphs.first?.hasPrefix("The harbour reopened") == true)
    }

    @Test func anNITFItemAfterAStyleSheetAndAnImageIsTheBody() throws {
        let items = """
            <ContentItem><MimeType FormalName="text/css"/><DataContent>body { margin: 0 }</DataContent></ContentItem>
            <ContentItem Href="a.jpg"><MediaType FormalName="Photo"/><Format FormalName="JPEG Baseline"/></ContentItem>
            <ContentItem><MediaType FormalName="Text"/><Format FormalName="NITF3.1"/><DataContent><nitf><body><body.content>
              <p>Port officials said the channel had been cleared of debris overnight.</p>
              <p>The first ferry left at seven, an hour behind the usual timetable.</p>
            </body.content></body></nitf></DataContent></ContentItem>
            """
        let article = try read(newsML(items: items))
        #expect(article.paragraphs == ["Port officials said the channel had been cleared of debris overnight.",
                                       "The first ferry left at seven, an hour behind the usual timetable."])
        #expect(article.headline == "Harbour reopens after the storm")
    }

    /// AFP-style packages: a photo component with its own NewsLines comes before the text component; the
    /// headline and byline are the text's, not the photo's caption and photographer.
    @Test func nestedComponentsTakeTheBodyAndTheLinesOfTheTextComponent() throws {
        let xml = Array("""
            <?xml version="1.0" encoding="UTF-8"?>
            <NewsML><NewsItem><NewsComponent>
              <NewsComponent><Role FormalName="Photo"/>
                <NewsLines><HeadLine>A ferry at the quay at dawn</HeadLine><ByLine>Photo: Ann Lens</ByLine></NewsLines>
                <ContentItem><MediaType FormalName="Text"/><MimeType FormalName="text/plain"/>
                  <DataContent>A ferry at the quay at dawn on Tuesday.</DataContent></ContentItem>
                <ContentItem Href="quay.jpg"><MediaType FormalName="Photo"/><MimeType FormalName="image/jpeg"/></ContentItem>
              </NewsComponent>
              <NewsComponent><Role FormalName="Main"/>
                <NewsLines><HeadLine>Harbour reopens after the storm</HeadLine><ByLine>By John Quay</ByLine>
                  <DateLine>PORTSMOUTH, March 5 (AFP) -</DateLine></NewsLines>
                <NewsComponent>
                  \(body)
                </NewsComponent>
              </NewsComponent>
            </NewsComponent></NewsItem></NewsML>
            """.utf8)
        let article = try read(xml)
        #expect(article.headline == "Harbour reopens after the storm")
        #expect(article.byline == "John Quay")
        #expect(article.dateline == "PORTSMOUTH")
        #expect(article.paragraphs.count == 2)
        #expect(article.paragraphs.first?.hasPrefix("The harbour reopened") == true)
    }

    @Test func ofSeveralTextItemsTheLongestIsTheBody() throws {
        let caption = """
            <ContentItem><MediaType FormalName="Text"/><MimeType FormalName="application/xhtml+xml"/>
              <DataContent><html xmlns="http://www.w3.org/1999/xhtml"><body><p>Caption: the harbour at noon.</p></body></html></DataContent></ContentItem>
            """
        let notes = """
            <ContentItem><MediaType FormalName="Text"/>
              <DataContent>Editors: the port authority will brief at 1400 GMT.</DataContent></ContentItem>
            """
        let article = try read(newsML(items: caption + body + notes))
        #expect(article.paragraphs.count == 2)
        #expect(article.paragraphs.last?.hasPrefix("Ferries to the islands") == true)
    }

    @Test func withoutAProseItemThereIsNoBody() {
        let items = """
            <ContentItem><MimeType FormalName="text/css"/><DataContent>p { color: red; margin: 0 0 1em 0; font-size: 12px }</DataContent></ContentItem>
            <ContentItem><MediaType FormalName="Photo"/><DataContent>harbour.jpg file photo data</DataContent></ContentItem>
            """
        #expect(throws: ReaderError.self) { try ArticleReading.read(ReadInput(bytes: newsML(items: items), fileName: "x.xml")) }
    }
}
