import Foundation
import Glibc
import Testing
import TestSupport
@testable import NewsInbox

/// Crashes, signals and reloads.
@Suite(.serialized) struct DaemonLifecycleTests {
    @Test func killedMidBatchThenRestartedEveryInputHasExactlyOneOutput() throws {
        let d = try DaemonHarness()
        try d.writeConfig("workers = 2\nmax_in_flight = 8\n")
        try d.start()
        let count = 400
        var hashes: Set<String> = []
        for i in 0..<count {
            let body = Array("Crash test \(i)\n\nArticle number \(i) of the crash batch, with enough words to extract. \(String(repeating: "More text here. ", count: i % 40))\n".utf8)
            hashes.insert(String(SHA256.hex(body).prefix(24)))
            try d.dropByRename("crash/\(i).txt", body)
            if i == count / 3 {
                try d.waitUntil("some outputs exist") { d.outputs().count > 10 }
                d.stop(signal: SIGKILL)
                try d.start()
            }
        }
        try d.waitUntil("all inputs are done", timeout: 120) { d.files(in: d.done).count == count }
        d.stop(signal: SIGKILL)
        try d.start()  // a second restart finds nothing to do
        usleep(300_000)
        #expect(d.files(in: d.processing).isEmpty)
        #expect(d.files(in: d.failed).isEmpty)
        let docs = try d.outputDocuments()
        #expect(docs.count == count)
        #expect(Set(docs.map { $0["id"] as! String }) == hashes)
        let sources = docs.map { ($0["source"] as! [String: Any])["file"] as! String }
        #expect(Set(sources).count == count)
        let leftovers = (try FileManager.default.contentsOfDirectory(atPath: d.output.path)).filter { $0.hasPrefix(".tmp") }
        #expect(leftovers.isEmpty)
        d.stop()
    }

    @Test func sigtermDrainsAndExitsZeroAndTheRestResumes() throws {
        let d = try DaemonHarness()
        try d.start()
        for i in 0..<200 { try d.dropByRename("burst/\(i).txt", Array("Burst \(i)\n\nA burst article \(i).\n".utf8)) }
        usleep(100_000)
        #expect(d.stop(signal: SIGTERM) == 0)
        #expect(d.log.contains("stopping (SIGTERM)"))
        try d.start()
        try d.waitUntil("every burst file is done after the restart") { d.files(in: d.done).count == 200 }
        #expect(d.outputs().count == 200)
        #expect(d.files(in: d.processing).isEmpty)
        d.stop()
    }

    @Test func sighupAppliesAGoodConfigAndKeepsTheOldOneOnABadConfig() throws {
        let d = try DaemonHarness()
        try d.writeConfig("max_file_size = 1M\n")
        try d.start()
        try d.writeConfig("max_file_size = 100\n")
        d.signal(SIGHUP)
        try d.waitUntil("the reload is logged") { d.log.contains("config reloaded") }
        try d.dropByRename("medium.txt", Array(repeating: UInt8(ascii: "b"), count: 500))
        try d.waitUntil("the new limit applies") { d.files(in: d.failed).contains("medium.txt") }

        try d.writeConfig("max_file_size = 1M\nno_such_key = 1\n")
        d.signal(SIGHUP)
        try d.waitUntil("the bad reload is rejected") { d.log.contains("reload rejected") }
        #expect(d.log.contains("unknown key 'no_such_key'"))
        try d.dropByRename("medium2.txt", Array(repeating: UInt8(ascii: "c"), count: 500))
        try d.waitUntil("the old (100 byte) limit still applies") { d.files(in: d.failed).contains("medium2.txt") }
        #expect(d.isRunning)
        d.stop()
    }

    @Test func aSecondDaemonOnTheSameSpoolOrSocketRefusesToStart() throws {
        let d = try DaemonHarness()
        try d.start()
        let p = Process()
        p.executableURL = URL(fileURLWithPath: DaemonHarness.daemonBinary)
        p.arguments = ["--foreground", "--inbox", d.inbox.path, "--output", d.output.path, "--state", d.state.path,
                       "--control-socket", d.socket.path]
        let pipe = Pipe()
        p.standardError = pipe
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 1)
        let message = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(message.contains("another newsinboxd is using the state directory"))
        #expect(d.isRunning)

        // Another spool but the same control socket: refused by the live socket.
        let other = d.root.appendingPathComponent("other")
        let q = Process()
        q.executableURL = URL(fileURLWithPath: DaemonHarness.daemonBinary)
        q.arguments = ["--foreground", "--inbox", other.appendingPathComponent("in").path, "--output", other.appendingPathComponent("out").path,
                       "--state", other.appendingPathComponent("state").path, "--control-socket", d.socket.path]
        let pipe2 = Pipe()
        q.standardError = pipe2
        try q.run()
        q.waitUntilExit()
        #expect(q.terminationStatus == 1)
        #expect(String(decoding: pipe2.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).contains("already listening"))
        #expect(d.isRunning)
        d.stop()
    }

    @Test func inboxAndStateOnDifferentFilesystemsIsRefused() throws {
        try Requirement.check(FileManager.default.fileExists(atPath: "/dev/shm"), "/dev/shm does not exist")
        let d = try DaemonHarness()
        let state = "/dev/shm/newsinbox-test-state-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: state) }
        var st1 = stat(), st2 = stat()
        stat(d.root.path, &st1); stat("/dev/shm", &st2)
        try Requirement.check(st1.st_dev != st2.st_dev, "/dev/shm is on the same filesystem as the temp dir")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: DaemonHarness.daemonBinary)
        p.arguments = ["--foreground", "--inbox", d.inbox.path, "--output", d.output.path, "--state", state, "--control-socket", d.socket.path]
        let pipe = Pipe()
        p.standardError = pipe
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 1)
        #expect(String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).contains("one filesystem"))
    }
}
