import Foundation
import Glibc
import Testing
import TestSupport
@testable import NewsInbox

/// The daemon end to end: real binary, real inotify, real files.
@Suite(.serialized) struct DaemonPipelineTests {
    @Test func seedArticleYieldsDateHeadlineAndParagraphs() throws {
        let seed = try Requirement.value(Corpora.bytes("seed/dawn-2023-02-12.txt"), Corpora.absent())
        let d = try DaemonHarness()
        try d.start()
        try d.dropByRename("dawn-2023-02-12.txt", seed)
        try d.waitUntil("the seed has an output") { d.outputs().count == 1 }
        let doc = try #require(try d.document(forSource: "dawn-2023-02-12.txt"))
        #expect(doc["schema"] as? String == "newsinbox.article/1")
        let article = try #require(doc["article"] as? [String: Any])
        #expect(article["date"] as? String == "2023-02-12")
        #expect(article["date_source"] as? String == "content")
        #expect((article["headline"] as? String)?.hasPrefix("Pakistan and the United States will hold talks") == true)
        #expect((article["headline"] as? String)?.hasSuffix("from February 13 (Monday) to 16 (Thursday).") == true)
        let text = try #require(article["text"] as? String)
        #expect(text.hasPrefix("Pakistan and the United States"))
        #expect(!text.contains("date 2023"))
        let extraction = try #require(doc["extraction"] as? [String: Any])
        #expect((extraction["paragraphs"] as? [Any])?.count == 10)
        #expect((extraction["sentences"] as? [Any])?.count == 11)
        #expect((extraction["word_count"] as? Int ?? 0) > 350)
        let source = try #require(doc["source"] as? [String: Any])
        #expect(source["format"] as? String == "seed-text")
        #expect(source["bytes"] as? Int == seed.count)
        #expect(source["sha256"] as? String == SHA256.hex(seed))
        #expect(doc["id"] as? String == String(SHA256.hex(seed).prefix(24)))
        #expect(source["feed"] is NSNull)
        try d.waitUntil("the seed is in done/") { d.files(in: d.done) == ["dawn-2023-02-12.txt"] }
        #expect(d.files(in: d.processing).isEmpty)
        #expect(d.stop() == 0)
    }

    @Test func bbcBatchAllLandInDoneWithOutputs() throws {
        try Requirement.check(Corpora.isPresent, Corpora.absent())
        let files = Corpora.bbcFiles(limit: 300)
        let d = try DaemonHarness()
        try d.start()
        for (name, bytes) in files { try d.dropByRename("bbc/" + name, bytes) }
        try d.waitUntil("all \(files.count) BBC articles are done", timeout: 120) { d.files(in: d.done).count == files.count }
        let docs = try d.outputDocuments()
        let distinctContents = Set(files.map { SHA256.hex($0.1) }).count
        #expect(docs.count == distinctContents)
        #expect(d.files(in: d.failed).isEmpty)
        #expect(d.files(in: d.processing).isEmpty)
        for doc in docs {
            let source = doc["source"] as! [String: Any]
            #expect(source["feed"] as? String == "bbc")
            #expect(!((doc["article"] as! [String: Any])["headline"] as! String).isEmpty)
        }
        d.stop()
    }

    @Test func filesWrittenInPlaceOrRenamedInAreEachProcessedOnce() throws {
        let d = try DaemonHarness()
        try d.start()
        try d.dropInPlace("in-place.txt", Array("In place headline\n\nBody one written in place.\n".utf8))
        try d.dropByRename("renamed.txt", Array("Renamed headline\n\nBody two renamed in.\n".utf8))
        try d.dropInPlace("reuters/feed-in-place.txt", Array("Feed headline\n\nBody three in a feed.\n".utf8))
        try d.dropByRename("afp/feed-renamed.txt", Array("Feed renamed\n\nBody four in another feed.\n".utf8))
        try d.waitUntil("four outputs") { d.outputs().count == 4 }
        try d.waitUntil("four sources in done/") { d.files(in: d.done).count == 4 }
        #expect(d.files(in: d.done) == ["afp/feed-renamed.txt", "in-place.txt", "renamed.txt", "reuters/feed-in-place.txt"])
        let feeds = try d.outputDocuments().map { (($0["source"] as! [String: Any])["feed"] as? String) ?? "-" }.sorted()
        #expect(feeds == ["-", "-", "afp", "reuters"])
        // A later periodic or requested scan must not produce second outputs.
        _ = try d.request(#"{"version":1,"command":"rescan","args":{}}"#)
        usleep(300_000)
        #expect(d.outputs().count == 4)
        d.stop()
    }

    @Test func aFileStillOpenForWritingIsNotTakenUntilClosed() throws {
        let d = try DaemonHarness()
        try d.start()
        let url = d.inbox.appendingPathComponent("slow.txt")
        let fd = open(url.path, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        try #require(fd >= 0)
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: false)
        handle.write(Data("Slow headline\n\nThe first half of the body".utf8))
        usleep(500_000)
        #expect(d.outputs().isEmpty)
        #expect(FileManager.default.fileExists(atPath: url.path))
        handle.write(Data(" and the second half.\n".utf8))
        close(fd)
        try d.waitUntil("the closed file is processed") { d.outputs().count == 1 }
        let text = (try d.outputDocuments()[0]["article"] as! [String: Any])["text"] as! String
        #expect(text.hasSuffix("and the second half."))
        d.stop()
    }

    @Test func aStartupScanSkipsAFileStillOpenForWriting() throws {
        let d = try DaemonHarness()
        let url = d.inbox.appendingPathComponent("half.txt")
        let fd = open(url.path, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        try #require(fd >= 0)
        _ = "Half headline\n\nWritten before the daemon started".withCString { write(fd, $0, strlen($0)) }
        try d.start()
        usleep(500_000)
        #expect(d.outputs().isEmpty)
        _ = ", finished after.\n".withCString { write(fd, $0, strlen($0)) }
        close(fd)
        try d.waitUntil("the file is processed once closed") { d.outputs().count == 1 }
        let text = (try d.outputDocuments()[0]["article"] as! [String: Any])["text"] as! String
        #expect(text.hasSuffix("finished after."))
        d.stop()
    }

    @Test func ignoredNamesStayUntouched() throws {
        let d = try DaemonHarness()
        try d.start()
        for name in [".hidden", "upload.tmp", "upload.part", "backup~"] {
            try d.dropInPlace(name, Array("Headline\n\nBody.\n".utf8))
        }
        try d.dropInPlace("real.txt", Array("Real headline\n\nReal body.\n".utf8))
        try d.waitUntil("the real file is done") { d.files(in: d.done) == ["real.txt"] }
        usleep(300_000)
        let left = try FileManager.default.contentsOfDirectory(atPath: d.inbox.path).sorted()
        #expect(left == [".hidden", "backup~", "upload.part", "upload.tmp"])
        #expect(d.outputs().count == 1)
        d.stop()
    }

    @Test func filesPresentBeforeStartAreFoundByTheStartupScan() throws {
        let d = try DaemonHarness()
        for i in 0..<20 { try d.dropInPlace("early/\(i).txt", Array("Early \(i)\n\nArrived while the daemon was down, number \(i).\n".utf8)) }
        try d.start()
        try d.waitUntil("all 20 early files are done") { d.files(in: d.done).count == 20 }
        #expect(d.outputs().count == 20)
        d.stop()
    }
}
