import Foundation
import Glibc
import Testing
import TestSupport
@testable import NewsInbox

/// Faults that must not lose an article. Quick in CI; NEWSINBOX_LONG_TESTS=1 runs the long versions
/// (1,000 kills in the crash soak, 10,000-file bursts).
@Suite(.serialized) struct ReliabilityTests {
    static let long = ProcessInfo.processInfo.environment["NEWSINBOX_LONG_TESTS"] == "1"
    static var isRoot: Bool { geteuid() == 0 }

    /// Unique content for file `n`, so every input has its own id.
    static func article(_ n: Int, tag: String) -> [UInt8] {
        Array("Soak \(tag) \(n)\n\nArticle \(n) of run \(tag). \(String(repeating: "Words to extract here. ", count: 1 + n % 30))\n".utf8)
    }

    @Test func crashSoakEveryInputEndsAsExactlyOneOutputOrFailure() throws {
        let kills = Int(ProcessInfo.processInfo.environment["NEWSINBOX_SOAK_KILLS"] ?? "") ?? (Self.long ? 1000 : 20)
        let d = try DaemonHarness()
        // Kills at random land in some article's extraction by chance, and a few in a row may hit the
        // same one: the quarantine (QuarantineTests) would rightly set it aside. Here every file must be processed.
        try d.writeConfig("max_in_flight = 16\nrescan_interval = 1s\nmax_attempts = 1000\n")
        try d.start()
        let tag = String(UUID().uuidString.prefix(6))
        let producerDone = Locked(false)
        let produced = Locked<[String: String]>([:])  // file -> expected id
        // The producer streams files, alternately written in place and renamed in, some into feeds.
        let producer = Thread {
            var n = 0
            while !producerDone.current {
                let body = Self.article(n, tag: tag)
                let file = n % 3 == 0 ? "feed\(n % 4)/s\(n).txt" : "s\(n).txt"
                do {
                    if n % 2 == 0 { try d.dropInPlace(file, body) } else { try d.dropByRename(file, body) }
                    produced.withLock { $0[file] = String(SHA256.hex(body).prefix(24)) }
                } catch {
                    Issue.record("producer: \(error)")
                }
                n += 1
                usleep(2_000)
                // A bounded backlog: in a long soak (1,000 kills) the producer would otherwise pile tens of
                // thousands of files into the inbox faster than a daemon killed every fraction of a second
                // drains them, and the final wait would time the drain, not test the kills.
                if n % 25 == 0 {
                    while !producerDone.current && d.files(in: d.inbox).count > 400 { usleep(20_000) }
                }
            }
        }
        producer.start()
        var random = SystemRandomNumberGenerator()
        for _ in 0..<kills {
            usleep(UInt32.random(in: 20_000...250_000, using: &random))
            d.stop(signal: SIGKILL)
            try d.start()
        }
        producerDone.withLock { $0 = true }
        while producer.isExecuting { usleep(10_000) }
        let expected = produced.current
        try d.waitUntil("every produced file is finished", timeout: 300) {
            d.files(in: d.done).count + d.files(in: d.failed).filter { !$0.hasSuffix(".error.json") }.count == expected.count
        }
        #expect(d.files(in: d.processing).isEmpty)
        #expect(d.files(in: d.failed).isEmpty, "soak input is all valid: nothing may fail")
        #expect(Set(d.files(in: d.done)) == Set(expected.keys))
        var sourcesByID: [String: [String]] = [:]
        for url in d.outputs() {
            let doc = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]  // every JSON parses
            let file = (doc["source"] as! [String: Any])["file"] as! String
            sourcesByID[doc["id"] as! String, default: []].append(file)
        }
        #expect(sourcesByID.values.allSatisfy { $0.count == 1 }, "no output has two sources")
        #expect(Set(sourcesByID.keys) == Set(expected.values), "every source has its output")
        #expect(sourcesByID.count == expected.count, "no source has two outputs")
        // A kill during a write leaves a temporary; the next start removes it.
        d.stop(signal: SIGKILL)
        try d.start()
        let temporaries = try FileManager.default.contentsOfDirectory(atPath: d.output.path).filter { $0.hasPrefix(".tmp") }
        #expect(temporaries.isEmpty)
        print("crash soak: \(kills) kills, \(expected.count) files produced, \(sourcesByID.count) outputs, 0 lost, 0 twice")
        d.stop()
    }

    @Test func inotifyOverflowLosesNothing() throws {
        try Requirement.check(Self.isRoot, "lowering max_queued_events needs root")
        let path = "/proc/sys/fs/inotify/max_queued_events"
        let original = try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let d = try DaemonHarness()
        // The queue size is fixed when the daemon calls inotify_init1: lower it around the start only.
        try "64\n".write(toFile: path, atomically: false, encoding: .utf8)
        defer { try? (original + "\n").write(toFile: path, atomically: false, encoding: .utf8) }
        try d.writeConfig("rescan_interval = 0\n")  // only the overflow rescan may find the lost files
        try d.start()
        try (original + "\n").write(toFile: path, atomically: false, encoding: .utf8)
        let count = Self.long ? 10_000 : 1_500
        let tag = String(UUID().uuidString.prefix(6))
        try FileManager.default.createDirectory(at: d.inbox.appendingPathComponent("burst"), withIntermediateDirectories: true)
        usleep(200_000)
        d.signal(SIGSTOP)  // nobody reads the events: the 64-event queue overflows
        for n in 0..<count { try d.dropByRename("burst/\(n).txt", Self.article(n, tag: tag)) }
        d.signal(SIGCONT)
        try d.waitUntil("all \(count) are done", timeout: 600) { d.files(in: d.done).count == count }
        #expect(d.outputs().count == count)
        #expect(d.log.contains("inotify queue overflowed"))
        let stats = try d.request(#"{"version":1,"command":"stats","args":{}}"#)
        #expect(stats.contains("\"write_batch_size\""))
        print("overflow: \(count) files, stats: \(stats.prefix(400))")
        d.stop()
    }

    @Test func aFullOutputDiskHoldsArticlesAndCompletesWhenSpaceReturns() throws {
        try Requirement.check(Self.isRoot, "mounting a tmpfs needs root")
        let d = try DaemonHarness()
        try FileManager.default.createDirectory(at: d.output, withIntermediateDirectories: true)
        try Requirement.check(mountTmpfs(d.output.path, size: "1m"), "cannot mount a tmpfs")
        defer { umount2(d.output.path, Int32(MNT_DETACH)) }
        try d.start()
        let tag = String(UUID().uuidString.prefix(6))
        let count = 400
        for n in 0..<count { try d.dropByRename("f/\(n).txt", Self.article(n, tag: tag) + Array(repeating: UInt8(ascii: "x"), count: 3000)) }
        try d.waitUntil("the output is reported stuck") { d.log.contains("output is stuck") }
        let status = try d.request(#"{"version":1,"command":"status","args":{}}"#)
        #expect(status.contains("output-full"))
        usleep(3_000_000)  // several retry rounds
        #expect(d.log.components(separatedBy: "output is stuck").count - 1 == 1, "said once, not once per article")
        #expect(d.files(in: d.failed).isEmpty)
        // Nothing is lost meanwhile: every file is in the inbox, processing/ or done/.
        let inbox = d.files(in: d.inbox).count, processing = d.files(in: d.processing).count, done = d.files(in: d.done).count
        #expect(inbox + processing + done == count)
        #expect(done == d.outputs().count)
        #expect(remountTmpfs(d.output.path, size: "64m"))
        try d.waitUntil("everything completes", timeout: 120) { d.files(in: d.done).count == count }
        #expect(d.outputs().count == count)
        #expect(d.log.contains("output can be written again"))
        d.stop()
    }

    @Test func aFullStateDiskHoldsFailuresAndCompletesWhenSpaceReturns() throws {
        try Requirement.check(Self.isRoot, "mounting a tmpfs needs root")
        let d = try DaemonHarness()
        let spool = d.root.appendingPathComponent("spool")
        try FileManager.default.createDirectory(at: spool, withIntermediateDirectories: true)
        try Requirement.check(mountTmpfs(spool.path, size: "1m"), "cannot mount a tmpfs")
        defer { umount2(spool.path, Int32(MNT_DETACH)) }
        d.extraArguments = ["--inbox", spool.appendingPathComponent("inbox").path, "--state", spool.appendingPathComponent("state").path]
        try d.start()
        _ = try d.request(#"{"version":1,"command":"pause","args":{}}"#)
        let inbox = spool.appendingPathComponent("inbox")
        for n in 0..<50 { try Data().write(to: inbox.appendingPathComponent("empty\(n).txt")) }  // each fails: needs a sidecar
        // Fill what is left of the filesystem.
        let filler = spool.appendingPathComponent("filler")
        FileManager.default.createFile(atPath: filler.path, contents: nil)
        let h = try FileHandle(forWritingTo: filler)
        while (try? h.write(contentsOf: Data(count: 64 * 1024))) != nil {}
        try? h.close()
        _ = try d.request(#"{"version":1,"command":"resume","args":{}}"#)
        try d.waitUntil("the state is reported stuck") { d.log.contains("output is stuck") }
        let state = spool.appendingPathComponent("state")
        let waiting = d.files(in: inbox).count + d.files(in: state.appendingPathComponent("processing")).count
        let failedSources = d.files(in: state.appendingPathComponent("failed")).filter { !$0.hasSuffix(".error.json") }.count
        #expect(waiting + failedSources == 50)
        try FileManager.default.removeItem(at: filler)
        let failed = state.appendingPathComponent("failed")
        try d.waitUntil("all 50 failed", timeout: 60) { d.files(in: failed).filter { !$0.hasSuffix(".error.json") }.count == 50 }
        // One sidecar per source, no orphan or doubled sidecars from the retries.
        let names = d.files(in: failed)
        let sources = Set(names.filter { !$0.hasSuffix(".error.json") })
        let sidecars = names.filter { $0.hasSuffix(".error.json") }.map { String($0.dropLast(".error.json".count)) }
        #expect(sidecars.count == 50 && Set(sidecars) == sources)
        #expect(d.files(in: state.appendingPathComponent("processing")).isEmpty && d.files(in: inbox).isEmpty)
        d.stop()
    }

    @Test func theInboxRemovedRecreatedOrReplacedBySymlinkIsHandled() throws {
        let d = try DaemonHarness()
        try d.start()
        try d.dropByRename("before.txt", Array("Before\n\nDropped before the inbox went away.\n".utf8))
        try d.waitUntil("before is done") { d.files(in: d.done).count == 1 }
        // Removed: the daemon says so, re-creates it and carries on.
        try FileManager.default.removeItem(at: d.inbox)
        try d.waitUntil("the inbox is back") { d.log.contains("is back") }
        try d.dropByRename("after-remove.txt", Array("After remove\n\nDropped into the re-created inbox.\n".utf8))
        try d.waitUntil("after-remove is done") { d.files(in: d.done).contains("after-remove.txt") }
        // Renamed away, and a symlink to another directory put in its place: never followed.
        let elsewhere = d.root.appendingPathComponent("elsewhere")
        try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
        try "Elsewhere\n\nMust not be taken.\n".write(to: elsewhere.appendingPathComponent("bait.txt"), atomically: true, encoding: .utf8)
        #expect(rename(d.inbox.path, d.root.appendingPathComponent("old-inbox").path) == 0)
        #expect(symlink(elsewhere.path, d.inbox.path) == 0)
        try d.waitUntil("the symlink is refused") { d.log.contains("symbolic link: refusing") }
        usleep(500_000)
        #expect(FileManager.default.fileExists(atPath: elsewhere.appendingPathComponent("bait.txt").path))
        let status = try d.request(#"{"version":1,"command":"status","args":{}}"#)
        #expect(status.contains("inbox-missing"))
        // A real directory again: processing resumes.
        try FileManager.default.removeItem(at: d.inbox)
        try FileManager.default.createDirectory(at: d.inbox, withIntermediateDirectories: true)
        try d.dropByRename("after-symlink.txt", Array("After symlink\n\nThe real inbox is back.\n".utf8))
        try d.waitUntil("after-symlink is done") { d.files(in: d.done).contains("after-symlink.txt") }
        #expect(d.files(in: d.done).count == 3)
        d.stop()
    }

    @Test func aFileDeletedBetweenItsEventAndItsClaimIsHarmless() throws {
        let d = try DaemonHarness()
        try d.start()
        _ = try d.request(#"{"version":1,"command":"pause","args":{}}"#)
        try d.dropByRename("gone.txt", Array("Gone\n\nDeleted before the claim.\n".utf8))
        usleep(200_000)
        try FileManager.default.removeItem(at: d.inbox.appendingPathComponent("gone.txt"))
        _ = try d.request(#"{"version":1,"command":"resume","args":{}}"#)
        try d.dropByRename("kept.txt", Array("Kept\n\nStill processed.\n".utf8))
        try d.waitUntil("kept is done") { d.files(in: d.done) == ["kept.txt"] }
        #expect(d.files(in: d.failed).isEmpty)
        #expect(d.isRunning)
        d.stop()
    }

    @Test func anUnreadableFileFailsWithPermissionDenied() throws {
        try Requirement.check(Self.isRoot, "needs root to run the daemon as nobody")
        let d = try DaemonHarness()
        for dir in [d.root, d.inbox] { chmod(dir.path, 0o777) }
        chown(d.inbox.path, 65534, 65534)
        d.wrapper = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--"]
        try d.start()
        // Owned by root, mode 0600, renamed in: the daemon (nobody) can claim it (the directory lets it)
        // but not read it.
        let staging = d.root.appendingPathComponent("locked.staging")
        try Data("Locked\n\nNobody may read this.\n".utf8).write(to: staging)
        chmod(staging.path, 0o600)
        #expect(rename(staging.path, d.inbox.appendingPathComponent("locked.txt").path) == 0)
        try d.waitUntil("locked.txt failed") { d.files(in: d.failed).contains("locked.txt") }
        #expect((try d.sidecar(for: "locked.txt")["reason"] as? String)?.contains("permission denied") == true)
        #expect(d.isRunning)
        d.stop()
    }

    @Test func theJournalSocketGoingAwayDoesNotStopProcessing() throws {
        try Requirement.check(Self.isRoot && Journal.isAvailable(), "needs root and a running journald")
        let d = try DaemonHarness()
        d.wrapper = ["unshare", "--mount", "--propagation", "private", "--"]
        try d.start(foreground: false)
        try d.dropByRename("one.txt", Array("One\n\nWith the journal.\n".utf8))
        try d.waitUntil("one is done") { d.files(in: d.done).count == 1 }
        // Hide the journal socket in the daemon's own mount namespace only.
        let hide = Process()
        hide.executableURL = URL(fileURLWithPath: "/usr/bin/nsenter")
        hide.arguments = ["-t", String(d.pid!), "-m", "mount", "-t", "tmpfs", "tmpfs", "/run/systemd/journal"]
        try hide.run(); hide.waitUntilExit()
        #expect(hide.terminationStatus == 0)
        for n in 0..<20 { try d.dropByRename("j\(n).txt", Array("J \(n)\n\nWithout the journal \(n).\n".utf8)) }
        try d.waitUntil("all are done without the journal") { d.files(in: d.done).count == 21 }
        #expect(d.outputs().count == 21)
        #expect(d.log.components(separatedBy: "journal entries cannot be sent").count - 1 == 1, "said once")
        d.stop()
    }
}

func mountTmpfs(_ path: String, size: String) -> Bool {
    mount("tmpfs", path, "tmpfs", 0, "size=\(size)") == 0
}

func remountTmpfs(_ path: String, size: String) -> Bool {
    mount("tmpfs", path, "tmpfs", UInt(MS_REMOUNT), "size=\(size)") == 0
}
