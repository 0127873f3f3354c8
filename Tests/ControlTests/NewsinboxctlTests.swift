import Control
import Foundation
import Glibc
import Testing
import TestSupport

/// newsinboxctl against the real newsinboxd: each command's effect and its text and JSON output.
@Suite(.serialized, .requires(DaemonHarness.skipReason == nil, DaemonHarness.skipReason ?? ""))
struct NewsinboxctlTests {
    static func article(_ n: Int, _ topic: String = "harbour") -> String {
        "Council approves new \(topic) plan number \(n).\n\nThe council voted on Tuesday to approve plan \(n) for the \(topic). "
            + "Officials said the work would start next spring.\n"
    }

    func processed(_ d: DaemonHarness, _ count: Int) -> Bool {
        waitFor(seconds: 20) { d.outputs().count >= count }
    }

    @Test func statusAndStatsCountWhatTheDaemonDid() throws {
        let d = try DaemonHarness()
        try d.start()
        try d.drop("a.txt", Self.article(1))
        try d.drop("feed/b.txt", Self.article(2))
        #expect(processed(d, 2))
        try d.drop("copy-of-a.txt", Self.article(1))
        #expect(waitFor(seconds: 20) { d.ctl(["--json", "stats"]).json?["duplicates"]?.intValue == 1 })

        let status = d.ctl(["status"])
        #expect(status.status == 0)
        #expect(status.stdout.contains("state:") && status.stdout.contains("running"))
        #expect(status.stdout.contains(d.inbox))
        let statusJSON = try #require(d.ctl(["--json", "status"]).json)
        #expect(statusJSON["processed"]?.intValue == 2)
        #expect(statusJSON["duplicates"]?.intValue == 1)
        #expect(statusJSON["config_path"]?.stringValue == d.configPath)

        let stats = try #require(d.ctl(["stats", "--json"]).json)
        #expect(stats["seen"]?.intValue == 3)
        #expect(stats["processed"]?.intValue == 2)
        #expect(stats["failed"]?.intValue == 0)
        #expect(stats["latency_usec"]?["arrival_to_output"]?["count"]?.intValue == 3)
        let p50 = stats["latency_usec"]?["arrival_to_output"]?["p50"]?.intValue ?? 0
        let max = stats["latency_usec"]?["arrival_to_output"]?["max"]?.intValue ?? 0
        #expect(p50 > 0 && p50 <= max)
        #expect(stats["latency_usec"]?["stages"]?["extract"]?["count"]?.intValue == 3)
        #expect((stats["throughput_per_second"]?["1m"]?.doubleValue ?? 0) > 0)
        let text = d.ctl(["stats"]).stdout
        #expect(text.contains("arrival to output") && text.contains("P99") && text.contains("throughput"))
    }

    @Test func pauseHoldsFilesInTheQueueAndResumeProcessesThem() throws {
        let d = try DaemonHarness()
        try d.start()
        let pause = d.ctl(["pause"])
        #expect(pause.status == 0 && pause.stdout.hasPrefix("paused"))
        #expect(d.ctl(["--json", "pause"]).json?["changed"]?.boolValue == false)
        for n in 1...3 { try d.drop("p\(n).txt", Self.article(n)) }
        #expect(waitFor(seconds: 10) { d.ctl(["--json", "queue"]).json?["waiting_total"]?.intValue == 3 })

        let queue = d.ctl(["queue", "--limit", "2"])
        #expect(queue.stdout.contains("3 waiting"))
        #expect(queue.stdout.contains("p1.txt") && queue.stdout.contains("p2.txt") && !queue.stdout.contains("p3.txt"))
        let why = try #require(d.ctl(["--json", "why", "p3.txt"]).json)
        let codes = why["reasons"]?.arrayValue?.compactMap { $0["code"]?.stringValue } ?? []
        #expect(codes == ["paused", "waiting"])
        #expect(d.ctl(["why", d.inbox + "/p3.txt"]).stdout.contains("waiting behind 2 others"))
        #expect(d.ctl(["--json", "status"]).json?["state"]?.stringValue == "paused")
        #expect(d.outputs().isEmpty)

        // A producer still writing while paused: resuming must not take its half-written file.
        let fd = open(d.inbox + "/writing.txt", O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
        _ = write(fd, "Half a", 6)

        #expect(d.ctl(["resume"]).status == 0)
        #expect(processed(d, 3))
        #expect(d.ctl(["--json", "queue"]).json?["waiting_total"]?.intValue == 0)
        #expect(FileManager.default.fileExists(atPath: d.inbox + "/writing.txt"))
        _ = write(fd, " sentence, now complete.\n", 25)
        close(fd)
        #expect(processed(d, 4))
        let recent = try #require(d.ctl(["--json", "recent", "--limit", "2"]).json?.arrayValue)
        #expect(recent.count == 2)
        #expect(recent.allSatisfy { $0["outcome"]?.stringValue == "processed" })
        #expect(d.ctl(["recent"]).stdout.contains("Council approves new harbour plan number"))
    }

    @Test func aFailedFileIsListedWithItsReasonAndRetriedAfterAReload() throws {
        let d = try DaemonHarness(config: "max_file_size = 1K\n")
        try d.start()
        let big = Self.article(7) + String(repeating: "More words about the harbour plan. ", count: 60)
        try d.drop("feed/big.txt", big)
        #expect(waitFor(seconds: 20) { d.ctl(["--json", "failed"]).json?["total"]?.intValue == 1 })
        let failed = try #require(d.ctl(["--json", "failed"]).json?["failed"]?.arrayValue?.first)
        #expect(failed["file"]?.stringValue == "feed/big.txt")
        #expect(failed["reason"]?.stringValue?.hasPrefix("too large") == true)
        let text = d.ctl(["failed"]).stdout
        #expect(text.contains("feed/big.txt") && text.contains("too large"))
        #expect(FileManager.default.fileExists(atPath: d.state + "/failed/feed/big.txt.error.json"))
        #expect(d.ctl(["--json", "stats"]).json?["failed_by_reason"]?["too large"]?.intValue == 1)

        // failed/ is read from the disk: a restart forgets nothing.
        d.stop()
        try d.start()
        #expect(d.ctl(["--json", "failed"]).json?["failed"]?.arrayValue?.first?["file"]?.stringValue == "feed/big.txt")
        let shown = try #require(d.ctl(["--json", "show", "feed/big.txt"]).json)
        #expect(shown["failure"]?["stage"]?.stringValue == "open")
        #expect(d.ctl(["show", "feed/big.txt"]).stdout.contains("too large"))
        let why = d.ctl(["--json", "why", d.inbox + "/feed/big.txt"]).json
        #expect(why?["reasons"]?.arrayValue?.first?["code"]?.stringValue == "failed")

        try d.writeConfig("max_file_size = 1M\n")
        let check = d.ctl(["reload", "--check"])
        #expect(check.status == 0 && check.stdout.contains("max_file_size"))
        #expect(d.ctl(["--json", "status"]).json != nil)
        #expect(d.ctl(["reload"]).status == 0)

        let retry = d.ctl(["retry", "feed/big.txt"])
        #expect(retry.status == 0 && retry.stdout.contains("feed/big.txt"))
        #expect(processed(d, 1))
        #expect(!FileManager.default.fileExists(atPath: d.state + "/failed/feed/big.txt.error.json"))
        #expect(waitFor(seconds: 20) { FileManager.default.fileExists(atPath: d.state + "/done/feed/big.txt") })
        #expect(d.ctl(["--json", "failed"]).json?["total"]?.intValue == 0)
        let nothing = d.ctl(["retry", "feed/big.txt"])
        #expect(nothing.status == 1 && nothing.stderr.contains("nothing in failed/"))
    }

    @Test func retryAllFailedTakesEverythingInFailed() throws {
        let d = try DaemonHarness(config: "max_file_size = 100\n")
        try d.start()
        for n in 1...3 { try d.drop("r\(n).txt", Self.article(n)) }
        #expect(waitFor(seconds: 20) { d.ctl(["--json", "failed"]).json?["total"]?.intValue == 3 })
        try d.writeConfig("")
        #expect(d.ctl(["reload"]).status == 0)
        let retry = try #require(d.ctl(["--json", "retry", "--all-failed"]).json)
        #expect(retry["retried"]?.arrayValue?.count == 3)
        #expect(processed(d, 3))
        #expect(d.ctl(["retry"]).status == 2)
    }

    @Test func showTellsAnArticlesHistoryAndFallsBackToTheDiskAfterARestart() throws {
        let d = try DaemonHarness()
        try d.start()
        try d.drop("feed/s.txt", Self.article(3))
        #expect(processed(d, 1))
        let id = String(try #require(d.outputs().first).dropLast(".json".count))

        let byFile = try #require(d.ctl(["--json", "show", "feed/s.txt"]).json)
        #expect(byFile["record"]?["outcome"]?.stringValue == "processed")
        let stages = byFile["record"]?["stages"]?.arrayValue?.compactMap { $0["name"]?.stringValue }
        #expect(stages == ["read", "extract", "encode", "write"])
        #expect(byFile["record"]?["message_id"]?.stringValue?.count == 32)
        #expect(byFile["outputs"]?.arrayValue?.first?["id"]?.stringValue == id)
        let text = d.ctl(["show", id]).stdout
        #expect(text.contains("MESSAGE_ID") && text.contains("Council approves new harbour plan number 3") && text.contains("extract"))

        d.stop()
        try d.start()
        let fromDisk = try #require(d.ctl(["--json", "show", id]).json)
        #expect(fromDisk["record"] == .null)
        #expect(fromDisk["outputs"]?.arrayValue?.first?["source"]?["file"]?.stringValue == "feed/s.txt")
        #expect(fromDisk["outputs"]?.arrayValue?.first?["extraction"]?["sentences"]?.intValue ?? 0 > 0)
        let doneFile = try #require(d.ctl(["--json", "show", "feed/s.txt"]).json)
        #expect(doneFile["outputs"]?.arrayValue?.first?["id"]?.stringValue == id)
        #expect(d.ctl(["show", d.state + "/done/feed/s.txt"]).status == 0)
        let missing = d.ctl(["show", "nothing-here.txt"])
        #expect(missing.status == 1 && missing.stderr.contains("nothing known"))
        #expect(d.ctl(["show", "/etc/passwd"]).status == 2)
    }

    @Test func reprocessReplacesTheOutputAtomically() throws {
        let d = try DaemonHarness()
        try d.start()
        try d.drop("r.txt", Self.article(4))
        #expect(waitFor(seconds: 20) { FileManager.default.fileExists(atPath: d.state + "/done/r.txt") })
        let name = try #require(d.outputs().first)
        let path = d.output + "/" + name
        var before = stat()
        stat(path, &before)
        let old = try #require(DaemonHarness.Run(status: 0, stdout: try String(contentsOfFile: path, encoding: .utf8), stderr: "").json)

        let run = d.ctl(["reprocess", String(name.dropLast(5))])
        #expect(run.status == 0 && run.stdout.hasPrefix("reprocessed"))
        var after = stat()
        stat(path, &after)
        #expect(before.st_ino != after.st_ino)  // a new file renamed over the old one, not rewritten in place
        let new = try #require(DaemonHarness.Run(status: 0, stdout: try String(contentsOfFile: path, encoding: .utf8), stderr: "").json)
        #expect(new["article"] == old["article"])
        #expect(d.outputs() == [name])
        #expect(d.ctl(["reprocess", "not-an-id"]).status == 2)
        #expect(d.ctl(["reprocess", "0123456789abcdef01234567"]).status == 1)
    }

    @Test func whyExplainsIgnoredOpenTooLargeAndDuplicateFiles() throws {
        let d = try DaemonHarness(config: "max_file_size = 2K\n")
        try d.start()
        try d.drop("first.txt", Self.article(5))
        #expect(processed(d, 1))
        func codes(_ file: String) -> [String] {
            d.ctl(["--json", "why", file]).json?["reasons"]?.arrayValue?.compactMap { $0["code"]?.stringValue } ?? []
        }
        try d.drop(".hidden.txt", "x")
        #expect(codes(".hidden.txt").first == "ignored")
        #expect(d.ctl(["why", ".hidden.txt"]).stdout.contains("'.*'"))

        // A producer still writing: the file was never closed, so inotify never reported it.
        let fd = open(d.inbox + "/open.txt", O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
        #expect(fd >= 0)
        _ = write(fd, "partial", 7)
        #expect(codes("open.txt").first == "open_for_writing")
        #expect(d.ctl(["why", "open.txt"]).stdout.contains("pid \(getpid())"))

        // Paused, so that what comes next stays in the queue for the question.
        #expect(d.ctl(["pause"]).status == 0)
        try d.drop("large.txt", String(repeating: "word ", count: 1000))
        try d.drop("again.txt", Self.article(5))
        #expect(waitFor(seconds: 10) { d.ctl(["--json", "queue"]).json?["waiting_total"]?.intValue == 2 })
        #expect(codes("large.txt") == ["paused", "waiting", "too_large"])
        #expect(codes("again.txt") == ["paused", "waiting", "duplicate"])
        #expect(d.ctl(["why", "again.txt"]).stdout.contains("a duplicate of \(d.outputs()[0].dropLast(5))"))
        close(fd)
        #expect(codes("never-dropped.txt") == ["not_in_inbox"])
    }

    @Test func rescanFindsWhatInotifyMissedAndLogLevelChanges() throws {
        let d = try DaemonHarness()
        try d.start()
        // A symlink's creation is no close-after-write: inotify says nothing, only a scan sees it.
        symlink("/etc/hostname", d.inbox + "/link.txt")
        usleep(300_000)  // room for an event, were one (wrongly) sent
        let before = d.ctl(["--json", "why", "link.txt"]).json?["reasons"]?.arrayValue?.compactMap { $0["code"]?.stringValue } ?? []
        #expect(before == ["not_seen", "not_regular"])
        let rescan = try #require(d.ctl(["--json", "rescan"]).json)
        #expect(rescan["queued"]?.intValue == 1)
        #expect(waitFor(seconds: 20) { d.ctl(["--json", "failed"]).json?["total"]?.intValue == 1 })
        #expect(d.ctl(["--json", "stats"]).json?["rescans"]?.intValue == 2)  // start-up + this one

        let level = d.ctl(["log-level", "debug"])
        #expect(level.status == 0 && level.stdout.contains("was info"))
        #expect(d.ctl(["--json", "status"]).json?["log_level"]?.stringValue == "debug")
        #expect(d.ctl(["log-level", "loud"]).status == 2)
    }

    @Test func drainStopsTheDaemonAndThenCtlSaysItIsNotRunning() throws {
        let d = try DaemonHarness()
        try d.start()
        let drain = d.ctl(["drain"])
        #expect(drain.status == 0 && drain.stdout.hasPrefix("draining"))
        #expect(d.waitForExit() == 0)
        let after = d.ctl(["status"])
        #expect(after.status == 3)
        #expect(after.stderr.split(separator: "\n").count == 1)
        #expect(after.stderr.contains(d.socket))
        #expect(!FileManager.default.fileExists(atPath: d.socket))
    }

    @Test func withoutADaemonEveryCommandExitsThreeNamingTheSocket() throws {
        let d = try DaemonHarness()
        for command in [["status"], ["pause"], ["show", "x"]] {
            let run = d.ctl(command)
            #expect(run.status == 3)
            #expect(run.stderr.contains(d.socket))
        }
        // The default path is newsinboxd's default, relative to the working directory; the environment overrides it.
        let byDefault = DaemonHarness.run(DaemonHarness.binaries! + "/newsinboxctl", ["status"], environment: [:], directory: d.root)
        #expect(byDefault.status == 3 && byDefault.stderr.contains("newsinbox-local/control.sock"))
        let byEnvironment = DaemonHarness.run(DaemonHarness.binaries! + "/newsinboxctl", ["status"],
                                              environment: ["NEWSINBOX_CONTROL_SOCKET": d.root + "/env.sock"])
        #expect(byEnvironment.status == 3 && byEnvironment.stderr.contains("env.sock"))
    }

    @Test func usageErrorsExitTwoAndCompletionsAreGenerated() throws {
        let ctl = DaemonHarness.binaries! + "/newsinboxctl"
        #expect(DaemonHarness.run(ctl, ["frobnicate"]).status == 2)
        #expect(DaemonHarness.run(ctl, ["queue", "--limit", "0"]).status == 2)
        #expect(DaemonHarness.run(ctl, ["retry", "x", "--all-failed"]).status == 2)
        let bash = DaemonHarness.run(ctl, ["--generate-completion-script", "bash"])
        #expect(bash.status == 0 && bash.stdout.contains("reprocess") && bash.stdout.contains("log-level"))
        let help = DaemonHarness.run(ctl, ["--help"])
        #expect(help.status == 0 && help.stdout.contains("why"))
    }
}
