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
}
