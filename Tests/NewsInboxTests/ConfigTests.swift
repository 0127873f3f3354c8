import Foundation
import Testing
@testable import NewsInbox

@Suite struct ConfigTests {
    @Test func defaultsWorkWithoutAFile() throws {
        let c = DaemonConfig()
        #expect(c.maxInFlight == 64)
        #expect(c.maxFileSize == 16 << 20)
        #expect(c.itemTimeout == 30)
        #expect(c.rescanInterval == 60)
        #expect(c.effectiveWorkers >= 1)
        try c.validate()
    }

    @Test func parsesEveryKindOfValue() throws {
        let c = try DaemonConfig.parse("""
            # comment
            inbox = /srv/in   # trailing comment
            output = "/srv/out"
            state = /srv/state
            workers = 3
            max_in_flight = 10
            max_file_size = 2M
            item_timeout = 1500ms
            rescan_interval = 0
            shutdown_timeout = 2m
            ignore_patterns = .*, *.partial
            on_success = delete
            admin_group = newsinbox-admin
            log_level = debug
            journal = off
            """)
        #expect(c.inbox == "/srv/in" && c.output == "/srv/out" && c.state == "/srv/state")
        #expect(c.workers == 3 && c.maxInFlight == 10 && c.maxFileSize == 2 << 20)
        #expect(c.itemTimeout == 1.5 && c.rescanInterval == 0 && c.shutdownTimeout == 120)
        #expect(c.ignorePatterns == [".*", "*.partial"])
        #expect(c.onSuccess == .delete && c.adminGroup == "newsinbox-admin" && c.logLevel == "debug" && c.journal == .off)
    }

    @Test func unknownKeysAndBadValuesNameTheKeyAndLine() {
        #expect(throws: ConfigError("cfg:2: unknown key 'inbx'")) { try DaemonConfig.parse("workers = 1\ninbx = /x", origin: "cfg") }
        #expect(throws: ConfigError.self) { try DaemonConfig.parse("workers = many") }
        #expect(throws: ConfigError.self) { try DaemonConfig.parse("max_in_flight = 0") }
        #expect(throws: ConfigError.self) { try DaemonConfig.parse("item_timeout = soon") }
        #expect(throws: ConfigError.self) { try DaemonConfig.parse("on_success = shred") }
        #expect(throws: ConfigError.self) { try DaemonConfig.parse("workers = 1\nworkers = 2") }
        #expect(throws: ConfigError.self) { try DaemonConfig.parse("just words") }
        do {
            _ = try DaemonConfig.parse("log_level = loud", origin: "f")
        } catch let error as ConfigError {
            #expect(error.message.contains("f:1") && error.message.contains("log_level"))
        } catch { Issue.record("unexpected \(error)") }
    }

    @Test func outputInsideTheInboxIsRejected() {
        #expect(throws: ConfigError.self) { try DaemonConfig.parse("inbox = /a\noutput = /a/out\nstate = /s") }
        #expect(throws: ConfigError.self) { try DaemonConfig.parse("inbox = /a\noutput = /o\nstate = /a") }
    }

    @Test func renderedConfigParsesBackToTheSameValues() throws {
        var c = DaemonConfig()
        c.workers = 4
        c.itemTimeout = 0.25
        c.adminGroup = "ops"
        let back = try DaemonConfig.parse(c.rendered())
        #expect(back == c)
    }

    @Test func ignorePatternsMatchBaseNames() {
        #expect(NamePattern.matches(".hidden", pattern: ".*"))
        #expect(NamePattern.matches("x.tmp", pattern: "*.tmp"))
        #expect(!NamePattern.matches("x.tmp.txt", pattern: "*.tmp"))
        #expect(NamePattern.matches("a~", pattern: "*~"))
        #expect(NamePattern.matches("file1.xml", pattern: "file?.xml"))
    }

    @Test func checkConfigPrintsTheEffectiveConfigOrFails() throws {
        let dir = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("cfg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let good = dir.appendingPathComponent("good.conf"), bad = dir.appendingPathComponent("bad.conf")
        try "workers = 2\n".write(to: good, atomically: true, encoding: .utf8)
        try "workers = 2\nbogus = 1\n".write(to: bad, atomically: true, encoding: .utf8)
        func run(_ args: [String]) throws -> (Int32, String) {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: DaemonHarness.daemonBinary)
            p.arguments = args
            let pipe = Pipe()
            p.standardOutput = pipe
            p.standardError = pipe
            try p.run()
            let out = pipe.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            return (p.terminationStatus, String(decoding: out, as: UTF8.self))
        }
        let (ok, text) = try run(["--check-config", "--config", good.path])
        #expect(ok == 0 && text.contains("workers = 2") && text.contains("max_in_flight = 64"))
        let (failed, message) = try run(["--check-config", "--config", bad.path])
        #expect(failed == 1 && message.contains("unknown key 'bogus'"))
    }
}
