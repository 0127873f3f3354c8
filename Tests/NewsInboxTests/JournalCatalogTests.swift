import Foundation
import Testing
@testable import NewsInbox

/// deploy/newsinboxd.catalog explains every MESSAGE_ID the daemon sends, and journalctl compiles it.
@Suite struct JournalCatalogTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The ids the catalog defines, from its `-- <id>` headers.
    static func catalogIDs() throws -> Set<String> {
        let text = try String(contentsOf: root.appendingPathComponent("deploy/newsinboxd.catalog"), encoding: .utf8)
        return Set(text.split(separator: "\n").compactMap { line in
            line.hasPrefix("-- ") ? String(line.dropFirst(3)).trimmingCharacters(in: .whitespaces) : nil
        })
    }

    /// Every 32-hex-digit string literal in Sources/: that is how a MESSAGE_ID is written.
    static func messageIDsInSources() throws -> Set<String> {
        let literal = try Regex(#""([0-9a-f]{32})""#)
        var ids: Set<String> = []
        let sources = root.appendingPathComponent("Sources")
        for case let url as URL in FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)!
        where url.pathExtension == "swift" {
            let text = try String(contentsOf: url, encoding: .utf8)
            for match in text.matches(of: literal) { ids.insert(String(text[match.range].dropFirst().dropLast())) }
        }
        return ids
    }

    @Test func everyMessageIDTheDaemonSendsHasACatalogEntry() throws {
        let catalog = try Self.catalogIDs()
        let events = Set(JournalSink.Event.allCases.map(\.rawValue))
        #expect(!events.isEmpty)
        #expect(events.subtracting(catalog).isEmpty, "no catalog entry for \(events.subtracting(catalog).sorted())")
        let literals = try Self.messageIDsInSources()
        #expect(events.isSubset(of: literals))
        #expect(literals.subtracting(catalog).isEmpty, "no catalog entry for \(literals.subtracting(catalog).sorted())")
    }

    @Test func journalctlCompilesTheCatalogAndListsEachEntry() throws {
        let journalctl = "/usr/bin/journalctl"
        guard FileManager.default.isExecutableFile(atPath: journalctl) else {
            if ProcessInfo.processInfo.environment["CI"] == "true" { Issue.record("journalctl is missing") }
            else { print("skipped: no journalctl") }
            return
        }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("catalog-\(UUID().uuidString)")
        let catalogDir = scratch.appendingPathComponent("usr/lib/systemd/catalog")
        try FileManager.default.createDirectory(at: catalogDir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        try FileManager.default.copyItem(at: Self.root.appendingPathComponent("deploy/newsinboxd.catalog"),
                                         to: catalogDir.appendingPathComponent("newsinboxd.catalog"))
        func run(_ args: [String]) throws -> (Int32, String) {
            try ConfigTests.runMerged(journalctl, ["--root=\(scratch.path)"] + args)
        }
        let (status, log) = try run(["--update-catalog"])
        #expect(status == 0 && !log.contains("rror"), "journalctl --update-catalog: \(log)")
        let (_, listed) = try run(["--list-catalog"])
        let listedIDs = Set(listed.split(separator: "\n").compactMap { $0.split(separator: " ").first.map(String.init) })
        #expect(listedIDs == (try Self.catalogIDs()), "journalctl lists \(listed)")
        // The failure entry tells the operator what to do, with the entry's own fields.
        let (_, failed) = try run(["--dump-catalog", JournalSink.Event.failed.rawValue])
        #expect(failed.contains("newsinboxctl retry") && failed.contains("@FAILURE_REASON@"))
    }
}
