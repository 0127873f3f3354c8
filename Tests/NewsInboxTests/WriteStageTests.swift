import Control
import Extraction
import Foundation
import Glibc
import Logging
import Testing
@testable import NewsInbox
import POSIXSupport

/// The write stage in-process, against a real spool on disk: sinks, stalls, resumed items, reprocess.
@Suite(.serialized) struct WriteStageTests {
    /// A spool, an output directory and a worker, as the daemon sets them up, in a temporary directory.
    final class Fixture {
        let root: String
        let spool: Spool
        let outputs: OutputStore
        let versions: Directory
        let worker: Worker
        let logger = Logger(label: "write-stage-tests")

        init() throws {
            root = NSTemporaryDirectory() + "newsinbox-write-\(getpid())-\(UUID().uuidString.prefix(8))"
            spool = try Spool(inboxPath: root + "/inbox", statePath: root + "/state")
            outputs = try OutputStore(outputPath: root + "/out")
            versions = try Directory.open(root + "/state/versions", create: true)
            worker = Worker(processor: ArticleProcessor(extractor: Extractor(models: ExtractionModels())), spool: spool)
        }

        deinit { try? FileManager.default.removeItem(atPath: root) }

        /// A write stage as a (re)started daemon has it: its state is only what is on disk.
        func stage(sinks: [any BatchSink] = []) -> WriteStage {
            WriteStage(outputs: outputs, spool: spool, journal: JournalSink(enabled: false, logger: logger),
                       annotator: Annotator(versions: StoryVersions(directory: versions)), sinks: sinks, logger: logger)
        }

        /// Puts `bytes` at processing/`file`, as a claim does.
        func place(_ file: String, _ bytes: [UInt8]) throws {
            let path = root + "/state/processing/" + file
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(bytes).write(to: URL(fileURLWithPath: path))
        }

        /// The item a worker hands to the writer for processing/`file` (or done/`reprocessFrom`).
        func worked(_ file: String, resumed: Bool = false, reprocessFrom: String? = nil) -> WorkItem {
            var item = WorkItem(file: file, arrived: .now(), resumed: resumed, reprocessFrom: reprocessFrom)
            item.outcome = worker.run(worker.job(for: item, config: DaemonConfig())).outcome
            return item
        }

        func claimed(_ file: String, _ bytes: [UInt8]) throws -> WorkItem {
            try place(file, bytes)
            return worked(file)
        }

        func files(in relative: String) -> Set<String> {
            let base = root + "/" + relative
            let all = FileManager.default.enumerator(atPath: base)?.compactMap { $0 as? String } ?? []
            return Set(all.filter { !FileManager.default.isDirectory(base + "/" + $0) })
        }

        func inode(_ path: String) -> ino_t {
            var st = stat()
            return stat(path, &st) == 0 ? st.st_ino : 0
        }
    }

    /// Refuses the first `refusals` batches, and remembers every batch it was handed.
    final class RecordingSink: BatchSink {
        struct Refused: Error, CustomStringConvertible { var description: String { "the test refuses" } }
        let name = "test sink"
        var refusals: Int
        var batches: [[FinishedRecord]] = []

        init(refusals: Int) { self.refusals = refusals }

        func commit(_ records: [FinishedRecord]) throws {
            batches.append(records)
            if refusals > 0 {
                refusals -= 1
                throw Refused()
            }
        }
    }

    static func article(_ n: Int) -> [UInt8] {
        Array("Harbour plan \(n)\n\nThe council approved harbour plan number \(n) on Tuesday, officials said.\n".utf8)
    }

    static func ninjs(uri: String, version: Int, body: String) -> [UInt8] {
        let object: [String: Any] = [
            "uri": uri, "version": String(version), "pubstatus": "usable", "type": "text", "language": "en",
            "versioncreated": "2023-02-12T10:00:00Z", "headline": "Talks (v\(version))", "body_text": body,
        ]
        return [UInt8](try! JSONSerialization.data(withJSONObject: object))
    }

    static func id(_ bytes: [UInt8]) -> String { String(SHA256.hex(bytes).prefix(24)) }

    @Test func aSinkThatThrowsStallsTheBatchAndIsHandedTheSameRecordsOnTheRetry() throws {
        let f = try Fixture()
        let sink = RecordingSink(refusals: 1)
        let stage = f.stage(sinks: [sink])
        let batch = [try f.claimed("a.txt", Self.article(1)), try f.claimed("feed/b.txt", Self.article(2)), try f.claimed("c.txt", [])]

        var retry: [WorkItem] = []
        for result in stage.write(batch, onSuccess: .move) {
            guard case .stalled(let reason, var item) = result else { Issue.record("not stalled: \(result)"); continue }
            #expect(reason.contains("test sink"))
            item.mayOwnOutput = true  // as intake marks a stalled item
            retry.append(item)
        }
        #expect(retry.count == 3)
        #expect(f.files(in: "state/done").isEmpty, "nothing moves while a sink refuses")
        #expect(f.files(in: "state/processing") == ["a.txt", "feed/b.txt", "c.txt"])

        let results = stage.write(retry, onSuccess: .move)
        let kinds = results.compactMap { result -> ItemRecord.Outcome? in
            if case .finished(let done) = result { return done.kind }
            return nil
        }
        #expect(kinds == [.processed, .processed, .failed])
        #expect(f.files(in: "state/done") == ["a.txt", "feed/b.txt"])
        #expect(f.files(in: "state/failed") == ["c.txt", "c.txt.error.json"])
        #expect(f.files(in: "state/processing").isEmpty)

        #expect(sink.batches.count == 2)
        let (first, second) = (sink.batches[0], sink.batches[1])
        #expect(first.map(\.id) == second.map(\.id))
        #expect(first.map(\.kind) == [.processed, .processed, .failed])
        #expect(first.map(\.output) == second.map(\.output), "the same bytes again")
        #expect(first.map(\.sidecar) == second.map(\.sidecar))
        for record in second where record.kind == .processed {
            #expect(record.output == f.outputs.contents(of: record.id!), "the exact bytes on disk")
            #expect(record.sha256 == SHA256.hex(record.file == "a.txt" ? Self.article(1) : Self.article(2)))
        }
        let failure = try #require(second.last)
        #expect(failure.id == nil && failure.failure?.stage == "read" && failure.sha256 == SHA256.hex([UInt8]()))
        #expect(failure.sidecar.map { Data($0) } == FileManager.default.contents(atPath: f.root + "/state/failed/c.txt.error.json"))
    }

    @Test func aResumedItemTellsItsOwnOutputFromADuplicatesWithoutParsingIt() throws {
        let f = try Fixture()
        let body = Self.article(3)
        let id = Self.id(body)
        // The first run makes a.txt's output durable, then "crashes" before the move: a sink refuses.
        _ = f.stage(sinks: [RecordingSink(refusals: 1)]).write([try f.claimed("a.txt", body)], onSuccess: .move)
        let path = f.outputs.path(for: id)
        #expect(FileManager.default.fileExists(atPath: path) && f.files(in: "state/processing") == ["a.txt"])
        guard f.outputs.sourceAttribute(of: id) == "a.txt" else {
            if ProcessInfo.processInfo.environment["CI"] == "true" { Issue.record("no user xattrs on \(f.root)'s filesystem") }
            else { print("skipped: no user xattrs on \(f.root)'s filesystem") }
            return
        }
        // Scramble the JSON in place (the attribute stays): a stage that parsed it could not tell whose it is.
        let fd = open(path, O_WRONLY | O_TRUNC)
        #expect(fd >= 0 && write(fd, "{}", 2) == 2)
        close(fd)
        let inode = f.inode(path)

        // The restarted daemon: b.txt (the same content under another name) and a.txt are both resumed.
        try f.place("b.txt", body)
        let results = f.stage().write([f.worked("b.txt", resumed: true), f.worked("a.txt", resumed: true)], onSuccess: .move)
        guard case .finished(let b) = results[0], case .finished(let a) = results[1] else { Issue.record("\(results)"); return }
        #expect(b.kind == .duplicate && b.duplicateOf == id && b.outputs.isEmpty)
        #expect(a.kind == .processed && a.outputs == [path])
        #expect(f.inode(path) == inode && FileManager.default.contents(atPath: path) == Data("{}".utf8), "its own output is kept, not written again")
        #expect(f.files(in: "state/done") == ["a.txt", "b.txt"])
    }

    @Test func reprocessReplacesTheOutputAndRecordsTheStoryVersionInTheGroupCommit() throws {
        let f = try Fixture()
        let uri = "urn:newsinbox:test:\(UUID().uuidString)"
        let v1 = Self.ninjs(uri: uri, version: 1, body: "Pakistan and the United States will hold talks in Washington next week.")
        let v2 = Self.ninjs(uri: uri, version: 2, body: "Pakistan and the United States will hold talks in Washington from Monday.")
        let sink = RecordingSink(refusals: 0)
        let stage = f.stage(sinks: [sink])
        _ = stage.write([try f.claimed("wire/v1.json", v1)], onSuccess: .move)
        _ = stage.write([try f.claimed("wire/v2.json", v2)], onSuccess: .move)
        let (id1, id2) = (Self.id(v1), Self.id(v2))
        let path = f.outputs.path(for: id2)
        let key = StoryVersions.key(guid: uri)
        #expect(try String(contentsOfFile: f.root + "/state/versions/" + key, encoding: .utf8) == "\(id2) 2 \(id1)\n")
        let inode = f.inode(path)

        let results = f.stage(sinks: [sink]).write([f.worked("wire/v2.json", reprocessFrom: "wire/v2.json")], onSuccess: .move)
        guard case .finished(let done) = results.first else { Issue.record("\(results)"); return }
        #expect(done.kind == .processed && done.outputs == [path])
        #expect(f.inode(path) != inode, "replaced by a rename, not rewritten in place")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        #expect(document["supersedes"] as? String == id1, "decided again, the same way")
        #expect(f.files(in: "state/done") == ["wire/v1.json", "wire/v2.json"], "the source stays in done/")
        #expect(f.files(in: "state/processing").isEmpty)
        #expect(f.files(in: "out").filter { $0.hasSuffix(".json") }.count == 2)

        // The version index lost its record (the old reprocess never wrote one): reprocess writes it again.
        try FileManager.default.removeItem(atPath: f.root + "/state/versions/" + key)
        _ = f.stage(sinks: [sink]).write([f.worked("wire/v2.json", reprocessFrom: "wire/v2.json")], onSuccess: .move)
        #expect(try String(contentsOfFile: f.root + "/state/versions/" + key, encoding: .utf8).hasPrefix("\(id2) 2"))
        let record = try #require(sink.batches.last?.first)
        #expect(record.kind == .reprocessed && record.id == id2 && record.output == f.outputs.contents(of: id2))
        let entry = WriteStage.journalEntry(record, durationMicroseconds: 1)
        #expect(entry.event == .processed && entry.extra.contains { $0 == ("REPROCESSED", "1") })
        #expect(entry.message.hasPrefix("reprocessed wire/v2.json"))
    }
}

extension WriteStageTests {
    /// Refuses batches while `refusing` is set; called on the writer queue, read by the test.
    final class SwitchableSink: BatchSink, @unchecked Sendable {  // state behind a lock
        let name = "test sink"
        let refusing = Locked(true)
        let batches = Locked<[[FinishedRecord]]>([])

        func commit(_ records: [FinishedRecord]) throws {
            batches.withLock { $0.append(records) }
            if refusing.withLock({ $0 }) { throw RecordingSink.Refused() }
        }
    }

    @Test func aRefusingSinkHoldsItemsInProcessingUntilThePipelinesRetryGetsThrough() throws {
        let f = try Fixture()
        let sink = SwitchableSink()
        var config = DaemonConfig()
        config.inbox = f.root + "/inbox"
        config.output = f.root + "/out"
        config.state = f.root + "/state"
        let pipeline = Pipeline(config: config, spool: f.spool, outputs: f.outputs, versions: StoryVersions(directory: f.versions),
                                journal: JournalSink(enabled: false, logger: f.logger), processor: f.worker.processor,
                                sinks: [sink], logger: f.logger)
        try pipeline.start()
        defer { pipeline.intake.sync { pipeline.drain {} } }
        let staging = f.root + "/staging"
        try Data(Self.article(7)).write(to: URL(fileURLWithPath: staging))
        #expect(rename(staging, f.root + "/inbox/held.txt") == 0)

        func waitFor(_ what: String, _ condition: () -> Bool) {
            let deadline = Date().addingTimeInterval(60)
            while !condition() {
                guard Date() < deadline else { Issue.record("timed out waiting until \(what)"); return }
                usleep(20_000)
            }
        }
        waitFor("the sink has refused twice (the first batch and a 2 s retry)") { sink.batches.withLock { $0.count } >= 2 }
        #expect(pipeline.intake.sync { pipeline.statusLine() }.contains("test sink refused the batch"))
        #expect(f.files(in: "state/processing") == ["held.txt"] && f.files(in: "state/done").isEmpty)

        sink.refusing.withLock { $0 = false }
        waitFor("held.txt is in done/") { f.files(in: "state/done") == ["held.txt"] }
        // The source moves on the writer queue before intake hears of it: wait for intake to clear the problem.
        waitFor("the output problem is cleared") { pipeline.intake.sync { pipeline.state.outputProblem } == nil }
        let batches = sink.batches.withLock { $0 }
        #expect(Set(batches.map { $0.map(\.id) }).count == 1, "every attempt carried the same records")
        #expect(Set(batches.map { $0.map(\.output) }).count == 1)
    }
}

private extension FileManager {
    func isDirectory(_ path: String) -> Bool {
        var isDir: ObjCBool = false
        return fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue
    }
}
