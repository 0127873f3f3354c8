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
}
