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

    @Test func crlfLineEndsAreReadAsLines() throws {
        let c = try DaemonConfig.parse("workers = 3\r\nmax_in_flight = 7\r\n# comment\r\njournal = off\r\n", origin: "crlf")
        #expect(c.workers == 3 && c.maxInFlight == 7 && c.journal == .off)
        // The line number of an error counts CRLF lines.
        #expect(throws: ConfigError("crlf:2: unknown key 'bogus'")) { try DaemonConfig.parse("workers = 3\r\nbogus = 1\r\n", origin: "crlf") }
        #expect(throws: ConfigError.self) { try DaemonConfig.parse("workers = 3\r\nworkers = 4\r\n") }
    }

    @Test func durationsAreReadAsSystemdWritesThem() {
        let cases: [(String, Double)] = [
            ("500ms", 0.5), ("2s", 2), ("30", 30), ("2min", 120), ("2m", 120), ("1h30min", 5400), ("1h 30min", 5400),
            ("2 h", 7200), ("1.5h", 5400), ("0.25s", 0.25), ("1d", 86400), ("1w", 604800), ("5min 30s", 330),
            ("250000us", 0.25), ("3 seconds", 3), ("1hr", 3600), ("0", 0), ("1M", 2_629_800), ("1y", 31_557_600),
        ]
        for (text, seconds) in cases {
            let parsed = DaemonConfig.parseDuration(text)
            #expect(parsed.map { abs($0 - seconds) < 1e-9 } == true, "\(text) -> \(String(describing: parsed)), expected \(seconds)")
        }
        for bad in ["", "soon", "-5s", "5 parsecs", "1..5s", "infinity", "s", "1h30"+"x"] {
            #expect(DaemonConfig.parseDuration(bad) == nil, "\(bad) should be refused")
        }
        for seconds in [0.25, 30, 5400, 90061.5, 0.001] {
            #expect(DaemonConfig.parseDuration(DaemonConfig.renderDuration(seconds)) == seconds)
        }
    }

    @Test func sizesTakeFractionsAndBinarySuffixes() {
        #expect(DaemonConfig.parseSize("1.5G") == 3 << 29)
        #expect(DaemonConfig.parseSize("16M") == 16 << 20 && DaemonConfig.parseSize("512k") == 512 << 10)
        #expect(DaemonConfig.parseSize("2MiB") == 2 << 20 && DaemonConfig.parseSize("4096") == 4096)
        #expect(DaemonConfig.parseSize("1T") == 1 << 40)
        for bad in ["", "lots", "-1M", "1.5X", "1e3"] { #expect(DaemonConfig.parseSize(bad) == nil, "\(bad)") }
    }

    @Test func ignorePatternsFollowFnmatchIncludingBrackets() throws {
        #expect(NamePattern.matches("abc.xml", pattern: "[a-z]*.xml"))
        #expect(!NamePattern.matches("Abc.xml", pattern: "[a-z]*.xml"))
        #expect(NamePattern.matches("7.txt", pattern: "[!a-z]*"))
        #expect(NamePattern.matches("*.txt", pattern: "\\*.txt") && !NamePattern.matches("a.txt", pattern: "\\*.txt"))
        let c = try DaemonConfig.parse("ignore_patterns = [a-z]*.xml, *.bak")
        #expect(NamePattern.firstMatch("draft.xml", in: c.ignorePatterns) == "[a-z]*.xml")
        #expect(NamePattern.firstMatch("Draft.xml", in: c.ignorePatterns) == nil)
        #expect(throws: ConfigError.self) { try DaemonConfig.parse("ignore_patterns = feed/*.xml") }
    }

    @Test func dropInsAreReadAfterTheFileInLexicalOrderAndErrorsNameThem() throws {
        let dir = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("cfg-\(UUID().uuidString)")
        let dropIns = dir.appendingPathComponent("newsinboxd.conf.d")
        try FileManager.default.createDirectory(at: dropIns, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let main = dir.appendingPathComponent("newsinboxd.conf").path
        try "workers = 2\nmax_in_flight = 10\n".write(toFile: main, atomically: true, encoding: .utf8)
        try "workers = 5\n".write(toFile: dropIns.path + "/20-workers.conf", atomically: true, encoding: .utf8)
        try "workers = 4\r\nlog_level = debug\r\n".write(toFile: dropIns.path + "/10-first.conf", atomically: true, encoding: .utf8)
        try "workers = 99\n".write(toFile: dropIns.path + "/30-ignored.conf.disabled", atomically: true, encoding: .utf8)
        let c = try DaemonConfig.load(path: main, onto: DaemonConfig())
        #expect(c.workers == 5 && c.maxInFlight == 10 && c.logLevel == "debug")
        #expect(try DaemonConfig.dropIns(for: main).map { URL(fileURLWithPath: $0).lastPathComponent } == ["10-first.conf", "20-workers.conf"])

        try "\nmax_file_size = huge\n".write(toFile: dropIns.path + "/40-bad.conf", atomically: true, encoding: .utf8)
        #expect(throws: ConfigError("\(dropIns.path)/40-bad.conf:2: max_file_size = 'huge': expected a size such as 16M, 512K, 1.5G")) {
            try DaemonConfig.load(path: main, onto: DaemonConfig())
        }
        // A missing file is an I/O error naming the file and strerror.
        #expect(throws: ConfigError("\(dir.path)/absent.conf: cannot read: No such file or directory")) {
            try DaemonConfig.load(path: dir.path + "/absent.conf")
        }
    }

    @Test func systemdDirectoriesReplaceTheLocalDefaultsButNotTheFile() throws {
        let env = ["STATE_DIRECTORY": "/var/lib/newsinbox", "RUNTIME_DIRECTORY": "/run/newsinbox:/run/other"]
        let base = DaemonConfig.builtIn(environment: env)
        #expect(base.output == "/var/lib/newsinbox/out" && base.controlSocket == "/run/newsinbox/control.sock")
        #expect(base.inbox == DaemonConfig().inbox)
        let fromFile = try DaemonConfig.parse("output = /srv/out\n", onto: base)
        #expect(fromFile.output == "/srv/out" && fromFile.controlSocket == "/run/newsinbox/control.sock")
        #expect(DaemonConfig.builtIn(environment: [:]) == DaemonConfig())
    }

    @Test func everyKeyIsDocumentedInTheConfigFileAndTheManPage() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let conf = try String(contentsOf: root.appendingPathComponent("config/newsinboxd.conf"), encoding: .utf8)
        let man = try String(contentsOf: root.appendingPathComponent("deploy/newsinboxd.conf.5"), encoding: .utf8)
        for key in ConfigKey.all {
            #expect(conf.contains(key.name), "config/newsinboxd.conf does not document \(key.name)")
            #expect(man.contains(key.name.replacingOccurrences(of: "_", with: "\\_")) || man.contains(key.name),
                    "newsinboxd.conf(5) does not document \(key.name)")
        }
        // And the printed config names each key once.
        let printed = DaemonConfig().rendered().split(separator: "\n").map { $0.split(separator: " ").first.map(String.init) ?? "" }
        #expect(printed == ConfigKey.all.map(\.name))
    }

    @Test func checkConfigPrintsTheEffectiveConfigOrFails() throws {
        let dir = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("cfg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let good = dir.appendingPathComponent("good.conf"), bad = dir.appendingPathComponent("bad.conf")
        try "workers = 2\n".write(to: good, atomically: true, encoding: .utf8)
        try "workers = 2\nbogus = 1\n".write(to: bad, atomically: true, encoding: .utf8)
        func run(_ args: [String]) throws -> (Int32, String) { try Self.runMerged(DaemonHarness.daemonBinary, args) }
        let (ok, text) = try run(["--check-config", "--config", good.path])
        #expect(ok == 0 && text.contains("workers = 2") && text.contains("max_in_flight = 64"))
        let (failed, message) = try run(["--check-config", "--config", bad.path])
        #expect(failed == 1 && message.contains("unknown key 'bogus'"))
        // CRLF files used to become one line and pass.
        let crlf = dir.appendingPathComponent("crlf.conf")
        try "workers = 2\r\nbogus = 1\r\n".write(to: crlf, atomically: true, encoding: .utf8)
        let (crlfStatus, crlfMessage) = try run(["--check-config", "--config", crlf.path])
        #expect(crlfStatus == 1 && crlfMessage.contains("crlf.conf:2: unknown key 'bogus'"))
        // The environment: an admin_group that does not exist, a model_dir without models.
        let noGroup = dir.appendingPathComponent("nogroup.conf")
        try "admin_group = no-such-group-\(getpid())\n".write(to: noGroup, atomically: true, encoding: .utf8)
        let (groupStatus, groupMessage) = try run(["--check-config", "--config", noGroup.path])
        #expect(groupStatus == 1 && groupMessage.contains("no such group"))
        let noModels = dir.appendingPathComponent("nomodels.conf")
        try "model_dir = \(dir.path)\n".write(to: noModels, atomically: true, encoding: .utf8)
        let (modelStatus, modelMessage) = try run(["--check-config", "--config", noModels.path])
        #expect(modelStatus == 1 && modelMessage.contains("model_dir"))
        let (missingStatus, missingMessage) = try run(["--check-config", "--config", dir.path + "/absent.conf"])
        #expect(missingStatus == 1 && missingMessage.contains("absent.conf: cannot read: No such file or directory"))
    }

    /// Runs a tool to its end: its status and its stdout and stderr together.
    static func runMerged(_ executable: String, _ args: [String]) throws -> (Int32, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = args
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let out = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: out, as: UTF8.self))
    }
}
