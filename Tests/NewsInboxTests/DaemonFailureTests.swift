import Foundation
import Glibc
import Testing
@testable import NewsInbox

/// Bad input ends in the right place with a clear reason, and the daemon keeps running.
@Suite(.serialized) struct DaemonFailureTests {
    @Test func sameContentDroppedTwiceIsRecordedAsADuplicate() throws {
        let d = try DaemonHarness()
        try d.start()
        let body = Array("Twice told\n\nThe same words arrive under two names.\n".utf8)
        try d.dropByRename("first.txt", body)
        try d.waitUntil("the first is done") { d.files(in: d.done) == ["first.txt"] }
        try d.dropByRename("second.txt", body)
        try d.waitUntil("the second is done") { d.files(in: d.done).count == 2 }
        #expect(d.outputs().count == 1)
        let doc = try #require(try d.outputDocuments().first)
        #expect((doc["source"] as! [String: Any])["file"] as? String == "first.txt")
        // The source reaches done/ a moment before the intake queue counts it: wait for the count.
        try d.waitUntil("the status counts the duplicate") {
            (try? d.request(#"{"version":1,"command":"status","args":{}}"#))?.contains("\"duplicates\":1") == true
        }
        d.stop()
    }

    @Test func sameNameDroppedAgainKeepsBothSourcesInDone() throws {
        let d = try DaemonHarness()
        try d.start()
        try d.dropByRename("story.txt", Array("Version one\n\nFirst text.\n".utf8))
        try d.waitUntil("the first is done") { d.files(in: d.done) == ["story.txt"] }
        try d.dropByRename("story.txt", Array("Version two\n\nSecond text.\n".utf8))
        try d.waitUntil("both are done") { d.files(in: d.done) == ["story.txt", "story.txt.1"] }
        #expect(d.outputs().count == 2)
        d.stop()
    }

    @Test func tooLargeFilesFailWithoutBeingRead() throws {
        let d = try DaemonHarness()
        try d.writeConfig("max_file_size = 1K\n")
        try d.start()
        try d.dropByRename("big.txt", Array(repeating: UInt8(ascii: "a"), count: 4096))
        try d.waitUntil("big.txt failed") { d.files(in: d.failed).contains("big.txt") }
        let sidecar = try d.sidecar(for: "big.txt")
        #expect((sidecar["reason"] as? String)?.hasPrefix("too large") == true)
        #expect(sidecar["stage"] as? String == "open")
        #expect(d.isRunning)
        d.stop()
    }

    @Test func symlinksFifosDirectoriesAndEmptyFilesFailWithAReason() throws {
        let d = try DaemonHarness()
        try d.start()
        let secret = d.root.appendingPathComponent("outside-secret.txt")
        try "Secret\n\nThis lives outside the inbox.\n".write(to: secret, atomically: true, encoding: .utf8)
        // A symlink renamed in (IN_MOVED_TO), a FIFO and an empty file.
        let staging = d.root.appendingPathComponent("link")
        #expect(symlink(secret.path, staging.path) == 0)
        #expect(rename(staging.path, d.inbox.appendingPathComponent("link.txt").path) == 0)
        #expect(mkfifo(d.inbox.appendingPathComponent("pipe.txt").path, 0o644) == 0)
        try d.dropInPlace("empty.txt", [])
        try d.dropInPlace("blank.txt", Array(" \n\t\n".utf8))
        _ = try d.request(#"{"version":1,"command":"rescan","args":{}}"#)  // FIFOs produce no close event
        try d.waitUntil("all four failed") {
            Set(d.files(in: d.failed).filter { !$0.hasSuffix(".error.json") }) == ["link.txt", "pipe.txt", "empty.txt", "blank.txt"]
        }
        #expect((try d.sidecar(for: "link.txt")["reason"] as? String)?.contains("symbolic link") == true)
        #expect((try d.sidecar(for: "pipe.txt")["reason"] as? String)?.contains("FIFO") == true)
        #expect((try d.sidecar(for: "empty.txt")["reason"] as? String)?.contains("empty") == true)
        #expect((try d.sidecar(for: "blank.txt")["reason"] as? String)?.contains("white space") == true)
        #expect(d.outputs().isEmpty)
        // The target of the link is untouched and was never read into an output.
        #expect(FileManager.default.fileExists(atPath: secret.path))
        // The daemon still processes good files.
        try d.dropByRename("good.txt", Array("Good\n\nStill working.\n".utf8))
        try d.waitUntil("the good file is done") { d.files(in: d.done) == ["good.txt"] }
        d.stop()
    }

    @Test func aSymlinkedFeedDirectoryIsNeverFollowed() throws {
        let d = try DaemonHarness()
        let outside = d.root.appendingPathComponent("outside")
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        try "Outside\n\nMust stay where it is.\n".write(to: outside.appendingPathComponent("x.txt"), atomically: true, encoding: .utf8)
        #expect(symlink(outside.path, d.inbox.appendingPathComponent("evil").path) == 0)
        try d.start()
        try d.dropByRename("fine.txt", Array("Fine\n\nA normal file.\n".utf8))
        try d.waitUntil("the normal file is done") { d.files(in: d.done) == ["fine.txt"] }
        _ = try d.request(#"{"version":1,"command":"rescan","args":{}}"#)
        usleep(300_000)
        #expect(FileManager.default.fileExists(atPath: outside.appendingPathComponent("x.txt").path))
        #expect(d.outputs().count == 1)
        d.stop()
    }

    @Test func invalidUTF8IsDecodedAsWindows1252AndNoted() throws {
        let bytes = Corpora.bytes("bbc/sport/199.txt") ?? Array("Price\n\nTickets cost ".utf8) + [0xA3] + Array("20.\n".utf8)
        let d = try DaemonHarness()
        try d.start()
        try d.dropByRename("latin1.txt", bytes)
        try d.waitUntil("it is processed") { d.outputs().count == 1 }
        let doc = try #require(try d.outputDocuments().first)
        let source = doc["source"] as! [String: Any]
        #expect(source["encoding"] as? String == "windows-1252")
        #expect(source["encoding_fallback"] as? Bool == true)
        #expect(((doc["article"] as! [String: Any])["text"] as! String).contains("£"))
        d.stop()
    }

    @Test func binaryContentFailsAndTheDaemonGoesOn() throws {
        let d = try DaemonHarness()
        try d.start()
        var random = SystemRandomNumberGenerator()
        try d.dropByRename("noise.bin", (0..<4096).map { _ in UInt8.random(in: 0...255, using: &random) } + [0])
        try d.waitUntil("noise failed") { d.files(in: d.failed).contains("noise.bin") }
        #expect((try d.sidecar(for: "noise.bin")["stage"] as? String) == "read")
        #expect(d.isRunning)
        d.stop()
    }
}
