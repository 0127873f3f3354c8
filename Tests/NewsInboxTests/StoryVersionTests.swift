import Foundation
import Testing
@testable import NewsInbox

/// Later versions of a story supersede earlier ones; a withdrawal is a tombstone, not an article.
@Suite(.serialized) struct StoryVersionTests {
    static func ninjs(uri: String, version: Int, status: String = "usable", body: String) -> [UInt8] {
        let object: [String: Any] = [
            "uri": uri, "version": String(version), "pubstatus": status, "type": "text", "language": "en",
            "versioncreated": "2023-02-12T10:00:00Z", "headline": "Talks in Washington (v\(version))",
            "body_text": body,
        ]
        return [UInt8](try! JSONSerialization.data(withJSONObject: object))
    }

    @Test func aLaterVersionSupersedesTheEarlierOneAndACancelIsATombstone() throws {
        let d = try DaemonHarness()
        try d.start()
        let uri = "urn:newsinbox:test:\(UUID().uuidString)"
        let v1 = Self.ninjs(uri: uri, version: 1, body: "Pakistan and the United States will hold talks in Washington next week.")
        try d.dropByRename("wire/story-v1.json", v1)
        try d.waitUntil("v1 is done") { d.files(in: d.done).count == 1 }
        let v2 = Self.ninjs(uri: uri, version: 2, body: "Pakistan and the United States will hold talks in Washington from Monday, officials said.")
        try d.dropByRename("wire/story-v2.json", v2)
        try d.waitUntil("v2 is done") { d.files(in: d.done).count == 2 }
        let id1 = String(SHA256.hex(v1).prefix(24)), id2 = String(SHA256.hex(v2).prefix(24))
        let doc1 = try #require(try d.document(forSource: "wire/story-v1.json"))
        let doc2 = try #require(try d.document(forSource: "wire/story-v2.json"))
        #expect((doc1["article"] as! [String: Any])["guid"] as? String == uri)
        #expect((doc2["article"] as! [String: Any])["version"] as? Int == 2)
        #expect(doc1["supersedes"] == nil || doc1["supersedes"] is NSNull)
        #expect(doc2["supersedes"] as? String == id1)
        #expect(d.outputs().count == 2, "the old result is kept as history")

        let cancel = Self.ninjs(uri: uri, version: 3, status: "canceled", body: "This story has been withdrawn.")
        try d.dropByRename("wire/story-cancel.json", cancel)
        try d.waitUntil("the cancel is done") { d.files(in: d.done).count == 3 }
        let tomb = try #require(try d.document(forSource: "wire/story-cancel.json"))
        #expect(tomb["tombstone"] as? Bool == true)
        #expect(tomb["supersedes"] as? String == id2)
        #expect(tomb["extraction"] == nil || tomb["extraction"] is NSNull)
        #expect((tomb["article"] as! [String: Any])["status"] as? String == "canceled")
        d.stop()
    }

    /// reprocess runs through the one pipeline: the output is replaced in the group commit, the story
    /// version is recorded (the old separate path never did), the journal entry says REPROCESSED=1,
    /// and `show` has the item's history.
    @Test func reprocessGoesThroughThePipelineAndRecordsTheStoryVersion() throws {
        try JournalTests.requireJournal()
        let d = try DaemonHarness()
        try d.start(foreground: false)
        let tag = UUID().uuidString.prefix(8)
        let uri = "urn:newsinbox:test:\(UUID().uuidString)"
        let v1 = Self.ninjs(uri: uri, version: 1, body: "Pakistan and the United States will hold talks in Washington next week.")
        let v2 = Self.ninjs(uri: uri, version: 2, body: "Pakistan and the United States will hold talks in Washington from Monday.")
        try d.dropByRename("wire/v1-\(tag).json", v1)
        try d.waitUntil("v1 is done") { d.files(in: d.done).count == 1 }
        try d.dropByRename("wire/v2-\(tag).json", v2)
        try d.waitUntil("v2 is done") { d.files(in: d.done).count == 2 }
        // The source reaches done/ a moment before intake retires the item: wait until it has.
        try d.waitUntil("both are counted") {
            (try? d.request(#"{"version":1,"command":"status","args":{}}"#))?.contains("\"processed\":2") == true
        }
        let id1 = String(SHA256.hex(v1).prefix(24)), id2 = String(SHA256.hex(v2).prefix(24))
        let record = d.state.appendingPathComponent("versions/" + StoryVersions.key(guid: uri)).path
        try FileManager.default.removeItem(atPath: record)  // lost: only a reprocess through the write stage brings it back
        let output = d.output.appendingPathComponent(id2 + ".json").path
        var before = stat()
        stat(output, &before)

        let answer = try d.request(#"{"version":1,"command":"reprocess","args":{"target":"\#(id2)"}}"#)
        #expect(answer.contains("\"ok\":true") && answer.contains(id2), "\(answer)")
        var after = stat()
        stat(output, &after)
        #expect(before.st_ino != after.st_ino, "replaced by a rename in the group commit")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: output))) as? [String: Any])
        #expect(document["id"] as? String == id2 && id1 != id2)
        #expect((try? String(contentsOfFile: record, encoding: .utf8))?.hasPrefix("\(id2) 2") == true, "the story version is recorded")
        #expect(d.files(in: d.done).count == 2 && d.files(in: d.processing).isEmpty)
        #expect(d.outputs().count == 2)

        let entries = try JournalTests.journalEntries("ARTICLE_FILE=wire/v2-\(tag).json")
        let reprocessed = entries.filter { $0["REPROCESSED"] as? String == "1" }
        #expect(reprocessed.count == 1 && entries.count == 2)
        #expect(reprocessed.first?["MESSAGE_ID"] as? String == JournalSink.Event.processed.rawValue)
        #expect(reprocessed.first?["ARTICLE_ID"] as? String == id2)
        #expect((reprocessed.first?["MESSAGE"] as? String)?.hasPrefix("reprocessed wire/v2-\(tag).json") == true)

        let show = try d.request(#"{"version":1,"command":"show","args":{"target":"\#(id2)"}}"#)
        #expect(show.contains("\"extract\"") && show.contains("\"write\""), "the history has the reprocess's stages: \(show)")
        d.stop()
    }
}
