import Testing
import TestSupport
@testable import ArticleReaders

/// Hostile and broken input, built here (no such files in the repository): each fails with a reason or reads
/// safely, never crashes, hangs or leaks a local file.
@Suite struct HostileInputTests {
    private func read(_ text: String, _ name: String = "x.xml", limits: ReadLimits = ReadLimits()) throws(ReaderError) -> ReadResult {
        try ArticleReading.read(ReadInput(bytes: Array(text.utf8), fileName: name), limits: limits)
    }

    private func failure(_ body: () throws(ReaderError) -> ReadResult) -> ReaderError? {
        do { _ = try body(); return nil } catch { return error }
    }

    @Test func externalEntityToEtcPasswdIsNeverRead() throws {
        let xml = """
            <?xml version="1.0"?>
            <!DOCTYPE nitf [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
            <nitf><body><body.head><hedline><hl1>Leak &xxe; here</hl1></hedline></body.head>
            <body.content><p>Before &xxe; after.</p></body.content></body></nitf>
            """
        let outcome: String
        do {
            let result = try read(xml)
            outcome = result.articles.map { $0.headline + "\n" + $0.text }.joined()
            #expect(result.articles.first?.paragraphs == ["Before after."])
        } catch {
            outcome = error.description
        }
        #expect(!outcome.contains("root:"))
        #expect(!outcome.contains("/bin/"))
    }

    @Test func externalDTDAndParameterEntitiesAreNotFetched() throws {
        let xml = """
            <?xml version="1.0"?>
            <!DOCTYPE nitf SYSTEM "file:///etc/passwd" [ <!ENTITY % p SYSTEM "file:///etc/passwd"> %p; ]>
            <nitf><body><body.head><hedline><hl1>Headline</hl1></hedline></body.head><body.content><p>Text.</p></body.content></body></nitf>
            """
        let outcome = (try? read(xml)).map { $0.articles.map(\.text).joined() } ?? ""
        #expect(!outcome.contains("root:"))
    }

    @Test func characterEntitiesFromAnUnloadedExternalDTDStillRead() throws {
        let xml = """
            <?xml version="1.0"?>
            <!DOCTYPE nitf SYSTEM "http://www.nitf.org/IPTC/NITF/3.3/specification/dtd/nitf-3-3.dtd">
            <nitf><body><body.head><hedline><hl1>Rates&nbsp;rise &mdash; again</hl1></hedline></body.head>
            <body.content><p>Rates rose&nbsp;today&unknownthing;.</p></body.content></body></nitf>
            """
        let article = try #require(try read(xml).articles.first)
        #expect(article.headline == "Rates rise — again")
        #expect(article.paragraphs == ["Rates rose today."])
    }

    @Test func billionLaughsFailsWithAClearReason() {
        var xml = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n<!ENTITY lol \"lol\">\n"
        xml += "<!ENTITY lol1 \"" + String(repeating: "&lol;", count: 10) + "\">\n"
        for i in 2...9 { xml += "<!ENTITY lol\(i) \"" + String(repeating: "&lol\(i - 1);", count: 10) + "\">\n" }
        xml += "]>\n<nitf><body><body.content><p>&lol9;</p></body.content></body></nitf>"
        let error = failure { () throws(ReaderError) in try read(xml) }
        #expect(error?.format == "xml")
        #expect(error?.reason.contains("entity") == true, "\(String(describing: error))")
    }

    @Test func hundredThousandDeepXMLFailsAsTooDeep() {
        let xml = "<nitf>" + String(repeating: "<p>", count: 100_000) + "x" + String(repeating: "</p>", count: 100_000) + "</nitf>"
        let error = failure { () throws(ReaderError) in try read(xml) }
        #expect(error?.reason.contains("nesting too deep") == true, "\(String(describing: error))")
    }

    @Test func hundredThousandDeepJSONFailsAsTooDeep() {
        let json = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        let error = failure { () throws(ReaderError) in try read(json, "x.json") }
        #expect(error?.format == "ninjs")
        #expect(error?.reason.contains("nesting too deep") == true)
    }

    @Test func hundredThousandDeepHTMLReadsWithoutCrashing() {
        let html = "<html><body>" + String(repeating: "<div>", count: 100_000) + "<p>Deep text that is long enough to be prose, with a comma.</p></body></html>"
        // Either outcome is fine; reaching the end without a stack overflow is the point.
        _ = try? read(html, "x.html")
    }

    @Test func truncatedXMLFailsNamingTheProblem() throws {
        let bytes = try Requirement.value(Corpora.bytes("formats/nitf/ap-nitf.xml"), Corpora.absent("formats/nitf/ap-nitf.xml"))
        let half = Array(bytes.prefix(bytes.count / 2))
        do {
            _ = try ArticleReading.read(ReadInput(bytes: half, fileName: "ap.xml"))
            Issue.record("truncated XML read as an article")
        } catch {
            #expect(error.format == "xml")
            #expect(error.reason.contains("not well-formed"))
        }
    }

    @Test func truncatedJSONFailsAsInvalidJSON() {
        let error = failure { () throws(ReaderError) in try read("{\"headline\": \"Cut off\", \"body_text\": \"The text sto", "x.json") }
        #expect(error?.format == "ninjs")
        #expect(error?.reason.contains("not valid JSON") == true)
    }

    @Test func truncatedAndGarbageHTMLNeverCrash() {
        let page = "<!DOCTYPE html><html><head><title>T</title></head><body><article><p>One paragraph of text, long enough to count as prose here.</p><p>Another"
        let result = try? read(page, "x.html")
        #expect(result?.articles.first?.text.contains("One paragraph") == true)
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20 {
            let garbage = (0..<4000).map { _ -> UInt8 in
                let r = UInt8.random(in: 1...255, using: &generator)
                return r % 7 == 0 ? UInt8(ascii: "<") : r % 11 == 0 ? UInt8(ascii: ">") : r
            }
            _ = try? ArticleReading.read(ReadInput(bytes: Array("<html>".utf8) + garbage, fileName: "g.html"))
        }
    }

    @Test func gzipBombFailsAsTooLargeAfterDecompression() throws {
        let chunk = [UInt8](repeating: UInt8(ascii: " "), count: 1 << 20)
        let bomb = try GzipTestSupport.gzip(chunks: 80, chunk: chunk)  // 80 MiB of spaces in ~80 KiB
        #expect(bomb.count < 1 << 20)
        let error = failure { () throws(ReaderError) in try ArticleReading.read(ReadInput(bytes: bomb, fileName: "b.gz")) }
        #expect(error?.reason.contains("too large after decompression") == true, "\(String(describing: error))")

        let small = failure { () throws(ReaderError) in
            try ArticleReading.read(ReadInput(bytes: try! GzipTestSupport.gzip(chunks: 2, chunk: Array(chunk.prefix(4096))), fileName: "s.gz"),
                                    limits: ReadLimits(maxDecompressedBytes: 4096))
        }
        #expect(small?.reason.contains("too large after decompression") == true)
    }

    @Test func truncatedGzipFails() throws {
        let compressed = try GzipTestSupport.gzip(Array(String(repeating: "Some text. ", count: 2000).utf8))
        let error = failure { () throws(ReaderError) in
            try ArticleReading.read(ReadInput(bytes: Array(compressed.prefix(compressed.count / 2)), fileName: "t.gz"))
        }
        #expect(error?.format == "gzip")
        #expect(error?.reason.contains("truncated") == true, "\(String(describing: error))")
    }

    @Test func xmlDeclaringUTF8WithLatin1BytesFallsBackToWindows1252() throws {
        let bytes: [UInt8] = Array("<?xml version=\"1.0\" encoding=\"UTF-8\"?><nitf><body><body.head><hedline><hl1>Caf".utf8) + [0xE9]
            + Array("</hl1></hedline></body.head><body.content><p>It cost ".utf8) + [0xA3] + Array("5.</p></body.content></body></nitf>".utf8)
        let result = try ArticleReading.read(ReadInput(bytes: bytes, fileName: "x.xml"))
        #expect(result.encodingFallback)
        #expect(result.articles.first?.headline == "Café")
        #expect(result.articles.first?.text == "It cost £5.")
    }

    @Test func xmlDeclaringLatin1WithUTF8BytesReadsAsUTF8() throws {
        let xml = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><nitf><body><body.head><hedline><hl1>Café “quoted”</hl1></hedline></body.head><body.content><p>Text.</p></body.content></body></nitf>"
        let result = try read(xml)
        #expect(result.articles.first?.headline == "Café “quoted”")
    }

    @Test func htmlWithAWrongMetaCharsetStillReadsUTF8() throws {
        let html = "<html><head><meta charset=\"iso-8859-1\"><title>Zürich – news</title></head><body><article><p>Grüße aus Zürich, a paragraph long enough to be the body.</p></article></body></html>"
        let article = try #require(try read(html, "x.html").articles.first)
        #expect(article.text.contains("Grüße aus Zürich"))
    }

    @Test func htmlInADeclaredOrUndeclaredSingleByteCharsetDecodes() throws {
        let body = Array("<html><head>".utf8)
        let rest = Array("<title>Quotes</title></head><body><article><p>He said ".utf8) + [0x93] + Array("no".utf8) + [0x94]
            + Array(" and paid ".utf8) + [0xA3] + Array("5, a sentence long enough to be the article body.</p></article></body></html>".utf8)
        let declared = body + Array("<meta charset=\"windows-1252\">".utf8) + rest
        let undeclared = body + rest
        for bytes in [declared, undeclared] {
            let result = try ArticleReading.read(ReadInput(bytes: bytes, fileName: "q.html"))
            #expect(result.articles.first?.text.contains("He said “no” and paid £5") == true, "\(result.articles.first?.text ?? "")")
        }
        #expect(try ArticleReading.read(ReadInput(bytes: undeclared, fileName: "q.html")).encodingFallback)
    }

    @Test func binaryContentIsRefused() {
        let error = failure { () throws(ReaderError) in try ArticleReading.read(ReadInput(bytes: [0x89, 0x50, 0x4E, 0x47, 0, 0, 0, 13], fileName: "x.png")) }
        #expect(error?.reason.contains("binary") == true)
    }

    @Test func unknownXMLIsRefusedByItsRootElement() {
        let error = failure { () throws(ReaderError) in try read("<?xml version=\"1.0\"?><rss><channel/></rss>") }
        #expect(error?.format == "xml")
        #expect(error?.reason.contains("<rss>") == true)
    }
}
