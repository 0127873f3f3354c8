import Foundation
import Glibc
import Testing
import TestSupport
@testable import NewsInbox

/// Journal entries, read back from the real journald with journalctl.
@Suite(.serialized) struct JournalTests {
    /// journald must run for these tests; CI starts it (scripts/start-journald). Fails in CI, skips elsewhere.
    static func requireJournal() throws {
        try Requirement.check(Journal.isAvailable(), "journald is not running (no answering /run/systemd/journal/socket; scripts/start-journald starts it)")
    }

    static func journalEntries(_ match: String) throws -> [[String: Any]] {
        _ = try run("/usr/bin/journalctl", ["--sync"])
        let out = try run("/usr/bin/journalctl", ["-o", "json", "--no-pager", match])
        return out.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    static func run(_ tool: String, _ args: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = args
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    @Test func processedFailedAndDuplicateArticlesAreStructuredJournalEntries() throws {
        try Self.requireJournal()
        let d = try DaemonHarness()
        try d.start(foreground: false)
        let tag = UUID().uuidString.prefix(8)
        let body = Array(" date 2023-02-12 Pakistan and the United States will hold talks in Washington. More text follows here.\n".utf8)
        try d.dropByRename("wire/ok-\(tag).txt", body)
        try d.waitUntil("ok is done") { d.files(in: d.done).count == 1 }
        try d.dropByRename("wire/dup-\(tag).txt", body)
        try d.dropByRename("wire/bad-\(tag).txt", [])
        try d.waitUntil("all are finished") { d.files(in: d.done).count == 2 && d.files(in: d.failed).count == 2 }

        let ok = try #require(try Self.journalEntries("ARTICLE_FILE=wire/ok-\(tag).txt").first)
        #expect(ok["MESSAGE_ID"] as? String == JournalSink.Event.processed.rawValue)
        #expect(ok["SYSLOG_IDENTIFIER"] as? String == "newsinboxd")
        #expect(ok["PRIORITY"] as? String == "6")
        #expect(ok["ARTICLE_ID"] as? String == String(SHA256.hex(body).prefix(24)))
        #expect(ok["ARTICLE_FEED"] as? String == "wire")
        #expect(ok["ARTICLE_DATE"] as? String == "2023-02-12")
        #expect((ok["OUTPUT_PATH"] as? String)?.hasPrefix(d.output.path) == true)
        #expect(Int(ok["DURATION_USEC"] as? String ?? "") != nil)
        #expect((ok["MESSAGE"] as? String)?.contains("Pakistan and the United States") == true)

        let dup = try #require(try Self.journalEntries("ARTICLE_FILE=wire/dup-\(tag).txt").first)
        #expect(dup["MESSAGE_ID"] as? String == JournalSink.Event.duplicate.rawValue)
        #expect(dup["DUPLICATE_OF"] as? String == ok["ARTICLE_ID"] as? String)

        let bad = try #require(try Self.journalEntries("ARTICLE_FILE=wire/bad-\(tag).txt").first)
        #expect(bad["MESSAGE_ID"] as? String == JournalSink.Event.failed.rawValue)
        #expect(bad["PRIORITY"] as? String == "4")
        #expect((bad["FAILURE_REASON"] as? String)?.contains("empty") == true)

        // The daemon's own log lines go to the journal too, with a priority.
        let logs = try Self.journalEntries("_PID=\(d.process!.processIdentifier)")
        #expect(logs.contains { ($0["MESSAGE"] as? String)?.contains("ready") == true && $0["PRIORITY"] as? String == "5" })
        d.stop()
    }

    @Test func repeatedFieldsArriveAsArrays() throws {
        try Self.requireJournal()
        let tag = "repeat-\(UUID().uuidString)"
        #expect(Journal.send([("MESSAGE", "repeated fields test"), ("NEWSINBOX_TEST", tag),
                              ("ENTITY_PERSON", "Derek Chollet"), ("ENTITY_PERSON", "Someone Else")]) == 0)
        let entry = try #require(try Self.journalEntries("NEWSINBOX_TEST=\(tag)").first)
        #expect(entry["ENTITY_PERSON"] as? [String] == ["Derek Chollet", "Someone Else"])
        let byPerson = try Self.journalEntries("ENTITY_PERSON=Someone Else")
        #expect(byPerson.contains { $0["NEWSINBOX_TEST"] as? String == tag })
    }
}
