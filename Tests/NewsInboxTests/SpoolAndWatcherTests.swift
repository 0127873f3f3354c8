import Dispatch
import Foundation
import Glibc
import Logging
import Testing
@testable import NewsInbox

/// The spool and the inbox watcher in-process, on a real directory with real inotify: no daemon.
@Suite struct SpoolAndWatcherTests {
    final class Root {
        let path = NSTemporaryDirectory() + "newsinbox-spool-\(getpid())-\(UUID().uuidString.prefix(8))"
        var inbox: String { path + "/inbox" }
        var state: String { path + "/state" }

        init() throws { try FileManager.default.createDirectory(atPath: path + "/inbox", withIntermediateDirectories: true) }
        deinit { try? FileManager.default.removeItem(atPath: path) }

        func write(_ relative: String, _ text: String = "text\n") throws {
            let file = inbox + "/" + relative
            try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(text.utf8).write(to: URL(fileURLWithPath: file))
        }

        func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: self.path + "/" + path) }
    }

    @Test func aClaimMovesTheFileAndSaysWhyWhenItCannot() throws {
        let root = try Root()
        let spool = try Spool(inboxPath: root.inbox, statePath: root.state)
        try root.write("wire/a.txt")
        #expect(try spool.claim("wire/a.txt") == .claimed)
        #expect(root.exists("state/processing/wire/a.txt") && !root.exists("inbox/wire/a.txt"))
        // Claimed twice: the second finds nothing to take.
        #expect(try spool.claim("wire/a.txt") == .vanished)
        // A file of the same name while the first is still in processing/: it waits in the inbox.
        try root.write("wire/a.txt", "second\n")
        #expect(try spool.claim("wire/a.txt") == .busy)
        #expect(root.exists("inbox/wire/a.txt"))
        #expect(try spool.leftoverItems() == ["wire/a.txt"])
    }

    @Test func finishedSourcesNeverOverwriteAnEarlierOneOfTheSameName() throws {
        let root = try Root()
        let spool = try Spool(inboxPath: root.inbox, statePath: root.state)
        for round in 0..<3 {
            try root.write("a.txt", "round \(round)\n")
            #expect(try spool.claim("a.txt") == .claimed)
            _ = try spool.moveFinished("a.txt", into: spool.done)
        }
        #expect(root.exists("state/done/a.txt") && root.exists("state/done/a.txt.1") && root.exists("state/done/a.txt.2"))
        #expect(try String(contentsOfFile: root.state + "/done/a.txt", encoding: .utf8) == "round 0\n")
        #expect(try spool.leftoverItems().isEmpty)
    }

    @Test func theWatcherReportsFilesNewDirectoriesAndALostInbox() throws {
        let root = try Root()
        let queue = DispatchQueue(label: "test.watcher")
        let signals = Locked<[String]>([])
        let watcher = InboxWatcher(inboxPath: root.inbox, queue: queue, logger: Logger(label: "watcher-test")) { signal in
            let text: String
            switch signal {
            case .file(let file): text = "file \(file)"
            case .scan(let directory, let reason): text = "scan \(directory) \(reason.rawValue)"
            case .inboxGone: text = "inbox gone"
            }
            signals.withLock { $0.append(text) }
        }
        try queue.sync { try watcher.start() }
        defer { queue.sync { watcher.stop() } }
        func waitFor(_ text: String) -> Bool {
            for _ in 0..<800 where !signals.current.contains(text) { usleep(25_000) }  // up to 20 s on a loaded machine
            return signals.current.contains(text)
        }

        // Written in place: reported when closed after writing.
        try root.write("a.txt")
        #expect(waitFor("file a.txt"))
        // Written elsewhere and renamed in.
        try Data("b\n".utf8).write(to: URL(fileURLWithPath: root.path + "/b.tmp-outside"))
        #expect(rename(root.path + "/b.tmp-outside", root.inbox + "/b.txt") == 0)
        #expect(waitFor("file b.txt"))
        // A new feed directory: scanned, since files may arrive before its watch exists; then watched.
        try FileManager.default.createDirectory(atPath: root.inbox + "/feed", withIntermediateDirectories: false)
        #expect(waitFor("scan feed new directory"))
        try root.write("feed/c.txt")
        #expect(waitFor("file feed/c.txt"))
        // The inbox itself renamed away.
        #expect(rename(root.inbox, root.path + "/inbox-moved") == 0)
        #expect(waitFor("inbox gone"))
    }
}
