import Control
import Foundation
import Testing

/// The three tools' command lines: --version, -h, short options, and the exit statuses
/// 0 ok, 1 failed (an I/O error names the file and strerror), 2 usage error.
@Suite struct CommandLineTests {
    static var bin: String { DaemonHarness.binaries! }

    @Test func everyToolPrintsItsVersion() {
        for tool in ["newsinboxd", "newsinboxctl", "newsinbox"] {
            let run = DaemonHarness.run(Self.bin + "/" + tool, ["--version"])
            #expect(run.status == 0 && run.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == NewsInboxVersion.string, "\(tool): \(run)")
            let help = DaemonHarness.run(Self.bin + "/" + tool, ["-h"])
            #expect(help.status == 0 && help.stdout.contains("USAGE"), "\(tool) -h")
        }
    }

    @Test func usageErrorsExitTwoInAllThreeTools() {
        let cases: [(String, [String])] = [
            ("newsinboxd", ["--no-such-flag"]), ("newsinboxd", ["--log-level", "loud"]), ("newsinboxd", ["stray-argument"]),
            ("newsinboxctl", ["frobnicate"]), ("newsinboxctl", ["why"]),
            ("newsinbox", ["frobnicate"]), ("newsinbox", ["extract"]), ("newsinbox", ["extract", "a", "b"]),
        ]
        for (tool, arguments) in cases {
            let run = DaemonHarness.run(Self.bin + "/" + tool, arguments)
            #expect(run.status == 2, "\(tool) \(arguments): \(run.status) \(run.stderr)")
            #expect(!run.stderr.isEmpty)
        }
    }

    @Test func ioErrorsExitOneNamingTheFileAndStrerror() throws {
        let missing = "/tmp/no-such-dir-\(getpid())/article.xml"
        let extract = DaemonHarness.run(Self.bin + "/newsinbox", ["extract", missing])
        #expect(extract.status == 1 && extract.stderr.contains("\(missing): No such file or directory"), "\(extract)")
        let directory = DaemonHarness.run(Self.bin + "/newsinbox", ["extract", "/"])
        #expect(directory.status == 1 && directory.stderr.contains("/: Is a directory"), "\(directory)")
        let config = "/tmp/no-such-dir-\(getpid())/newsinboxd.conf"
        for arguments in [["--check-config", "-c", config], ["--check-config", "--config", config]] {
            let run = DaemonHarness.run(Self.bin + "/newsinboxd", arguments)
            #expect(run.status == 1 && run.stderr.contains("\(config): cannot read: No such file or directory"), "\(run)")
        }
        let start = DaemonHarness.run(Self.bin + "/newsinboxd", ["--foreground", "-c", config])
        #expect(start.status == 1 && start.stderr.contains("No such file or directory"), "\(start)")
    }

    @Test func prettyExtractPrintsEmptyArraysAsBrackets() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("pretty-\(UUID().uuidString).txt")
        defer { try? FileManager.default.removeItem(at: file) }
        // No quotes, no figures, no acronyms: several empty arrays.
        try "Rain in the north\n\nIt rained in the north on Tuesday and the roads were wet.\n".write(to: file, atomically: true, encoding: .utf8)
        let run = DaemonHarness.run(Self.bin + "/newsinbox", ["extract", "--pretty", file.path])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("\"quotes\" : []"), "\(run.stdout.prefix(2000))")
        #expect(!run.stdout.contains("[\n\n"))
        let parsed = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
        #expect((parsed?["extraction"] as? [String: Any])?["quotes"] as? [Any] != nil)
    }

    @Test func ctlShortJSONFlagAndWhyForAMissingFileExitsOne() throws {
        let d = try DaemonHarness()
        try d.start()
        defer { d.stop() }
        let status = d.ctl(["-j", "status"])
        #expect(status.status == 0 && status.json?["version"]?.stringValue == NewsInboxVersion.string)
        let why = d.ctl(["why", "no/such/file.xml"])
        #expect(why.status == 1, "\(why)")
        #expect(why.stderr.contains("there is no"))
        let whyJSON = d.ctl(["-j", "why", "no/such/file.xml"])
        #expect(whyJSON.status == 1 && whyJSON.json?["reasons"]?.arrayValue?.first?["code"]?.stringValue == "not_in_inbox")
        // A file that is there exits 0.
        try d.drop(".hidden.xml", "waiting")
        #expect(d.ctl(["why", ".hidden.xml"]).status == 0)
    }
}
