import Foundation
import Glibc
import JetStream
import Testing
@testable import NewsInbox
import TestSupport

/// Results out to a JetStream stream and a shared work queue in, against a real nats-server started
/// here. Quick in CI (200 articles); NEWSINBOX_LONG_TESTS=1 runs the 1,000-article versions.
@Suite(.serialized, .requires(NatsServerHarness.binary != nil, NatsServerHarness.missing))
struct NatsStreamTests {
    static let long = ProcessInfo.processInfo.environment["NEWSINBOX_LONG_TESTS"] == "1"
    static let articles = Int(ProcessInfo.processInfo.environment["NEWSINBOX_NATS_ARTICLES"] ?? "") ?? (long ? 1000 : 200)
    static let resultsStream = "NEWSINBOX_RESULTS"
    static let resultsSubject = "newsinbox.results"

    static func config(_ server: NatsServerHarness, extra: String = "") -> String {
        "nats_url = \(server.url)\nmax_in_flight = 16\nrescan_interval = 1s\njournal = off\n" + extra
    }

    static func article(_ n: Int, tag: String) -> [UInt8] {
        ReliabilityTests.article(n, tag: tag)
    }

    /// out/<id>.json by id.
    static func outputsByID(_ d: DaemonHarness) throws -> [String: [UInt8]] {
        var out: [String: [UInt8]] = [:]
        for url in d.outputs() { out[url.deletingPathExtension().lastPathComponent] = Array(try Data(contentsOf: url)) }
        return out
    }

    static func status(_ d: DaemonHarness) -> String {
        (try? d.request(#"{"version":1,"command":"status","args":{}}"#)) ?? ""
    }

    /// Exactly one message per article, each the bytes of its out/<id>.json.
    static func expectStreamHoldsEachOutputOnce(_ server: NatsServerHarness, outputs: [String: [UInt8]]) throws {
        let contents = try StreamContents(server, stream: resultsStream)
        let results = contents.on(resultsSubject)
        #expect(results.count == outputs.count, "messages in the stream vs articles")
        #expect(Set(results.compactMap(\.messageID)).count == results.count, "each Nats-Msg-Id once")
        #expect(Set(results.compactMap(\.messageID)) == Set(outputs.keys))
        var mismatched = 0
        for message in results where outputs[message.messageID ?? ""] != message.data { mismatched += 1 }
        #expect(mismatched == 0, "messages whose bytes differ from out/<id>.json")
    }

    @Test func resultsReachTheStreamExactlyOnceThroughDaemonKillsAndServerRestarts() throws {
        let server = try NatsServerHarness()
        try server.start()
        let d = try DaemonHarness()
        try d.writeConfig(Self.config(server))
        try d.start()
        let tag = String(UUID().uuidString.prefix(6))
        let n = Self.articles
        for i in 0..<n {
            try d.dropByRename(i % 4 == 0 ? "feed\(i % 3)/s\(i).txt" : "s\(i).txt", Self.article(i, tag: tag))
        }
        // 5 SIGKILLs of the daemon and 2 restarts of the server, at evenly spaced points of progress.
        let faults = ["kill", "kill", "server", "kill", "kill", "server", "kill"]
        for (k, fault) in faults.enumerated() {
            let threshold = (k + 1) * n / (faults.count + 2)
            try d.waitUntil("\(threshold) sources are in done/", timeout: 300) { d.files(in: d.done).count >= threshold }
            if fault == "kill" {
                d.stop(signal: SIGKILL)
                try d.start()
            } else {
                try server.restart()
            }
        }
        try d.waitUntil("all \(n) sources are in done/", timeout: 600) { d.files(in: d.done).count == n }
        #expect(d.files(in: d.processing).isEmpty)
        #expect(d.files(in: d.inbox).isEmpty)
        let outputs = try Self.outputsByID(d)
        #expect(outputs.count == n, "one output per distinct article")
        try Self.expectStreamHoldsEachOutputOnce(server, outputs: outputs)
    }

    @Test func serverDownHoldsSourcesInProcessingUntilTheStreamAcknowledges() throws {
        let server = try NatsServerHarness()  // not started: the daemon starts without it
        let d = try DaemonHarness()
        try d.writeConfig(Self.config(server))
        try d.start()  // returns once the control socket answers
        let tag = String(UUID().uuidString.prefix(6))
        let bad: [UInt8] = [0x00, 0x01, 0x02, 0xFF, 0xFE] + Array(repeating: 0, count: 64)
        try d.dropByRename("broken.bin", bad)
        for i in 0..<20 { try d.dropByRename("a\(i).txt", Self.article(i, tag: tag)) }

        // The first batch is extracted and held in processing/ (claiming stops, as for a full disk);
        // the rest waits in the inbox. Nothing reaches done/ or failed/ unacknowledged.
        try d.waitUntil("articles wait in processing/ and status says the stream is unavailable", timeout: 120) {
            !d.files(in: d.processing).isEmpty && Self.status(d).contains("results stream unavailable")
        }
        #expect(d.files(in: d.processing).count + d.files(in: d.inbox).count == 21)
        #expect(d.files(in: d.done).isEmpty)
        #expect(!d.files(in: d.failed).contains("broken.bin"))
        #expect(d.ping(), "the control socket keeps answering")

        try server.start()
        try d.waitUntil("the 20 articles are in done/ and the broken file in failed/", timeout: 120) {
            d.files(in: d.done).count == 20 && d.files(in: d.failed).contains("broken.bin")
        }
        try d.waitUntil("the status no longer mentions the stream", timeout: 60) { !Self.status(d).contains("results stream unavailable") }

        // The failure's sidecar is on <subject>.failed under failed-<sha256>.
        let sidecarBytes = Array(try Data(contentsOf: d.failed.appendingPathComponent("broken.bin.error.json")))
        let sidecar = try d.sidecar(for: "broken.bin")
        let failedMessages = try StreamContents(server, stream: Self.resultsStream).on(Self.resultsSubject + ".failed")
        #expect(failedMessages.count == 1)
        #expect(failedMessages.first?.messageID == "failed-\(sidecar["sha256"] as? String ?? "?")")
        #expect(failedMessages.first?.data == sidecarBytes)

        // Down again during a run: the next articles wait, the first ones stay where they are.
        server.stop()
        for i in 20..<40 { try d.dropByRename("a\(i).txt", Self.article(i, tag: tag)) }
        try d.waitUntil("new ones wait in processing/ with the stream unavailable", timeout: 120) {
            !d.files(in: d.processing).isEmpty && Self.status(d).contains("results stream unavailable")
        }
        #expect(d.files(in: d.processing).count + d.files(in: d.inbox).count == 20)
        #expect(d.files(in: d.done).count == 20)
        try server.start()
        try d.waitUntil("all 40 articles are in done/", timeout: 120) { d.files(in: d.done).count == 40 }
        try Self.expectStreamHoldsEachOutputOnce(server, outputs: try Self.outputsByID(d))
        // Said once per outage, not once per article or per retry.
        let said = d.log.components(separatedBy: "holding articles in processing/ until the stream acknowledges them").count - 1
        #expect(said == 2, "the journal/log line per outage")
    }

    @Test func twoDaemonsShareTheInputStreamAndEachArticleReachesTheResultsOnce() throws {
        let server = try NatsServerHarness()
        try server.start()
        let inputStream = "NEWSINBOX_INBOX"
        let n = Self.articles
        let tag = String(UUID().uuidString.prefix(6))
        let producer = try server.client()
        try producer.ensureStream(StreamSpec(name: inputStream, subjects: ["newsinbox.inbox.>"], retention: .workQueue))
        var batch: [OutgoingMessage] = []
        for i in 0..<n {
            batch.append(OutgoingMessage(subject: "newsinbox.inbox.feed\(i % 3)", messageID: "in-\(tag)-\(i)", data: Self.article(i, tag: tag)))
            if batch.count == 100 { try producer.publish(batch); batch.removeAll() }
        }
        try producer.publish(batch)

        let extra = "nats_input_stream = \(inputStream)\n"
        let a = try DaemonHarness(), b = try DaemonHarness()
        try a.writeConfig(Self.config(server, extra: extra))
        try b.writeConfig(Self.config(server, extra: extra))
        try a.start()
        try b.start()
        func published() throws -> Int { Int(try server.client().streamState(Self.resultsStream).messages) }
        for k in 1...2 {
            let threshold = k * n / 3
            try a.waitUntil("\(threshold) results are in the stream", timeout: 300) { (try? published()) ?? 0 >= threshold }
            a.stop(signal: SIGKILL)
            try a.start()
        }
        // A message pulled but not acked when its daemon died comes back after the ack wait (30 s).
        try a.waitUntil("the input stream is drained and \(n) results are in the stream", timeout: 600) {
            (try? published()) ?? 0 >= n && (try? server.client().streamState(inputStream).messages) == 0
        }
        // Nothing left in either spool, and the feed of each article is the subject's last token.
        try a.waitUntil("both daemons are idle", timeout: 120) {
            a.files(in: a.processing).isEmpty && b.files(in: b.processing).isEmpty && a.files(in: a.inbox).isEmpty && b.files(in: b.inbox).isEmpty
        }
        #expect(a.files(in: a.done).allSatisfy { $0.hasPrefix("feed") })
        #expect(a.files(in: a.done).count > 0 && b.files(in: b.done).count > 0, "both daemons took a share")

        let results = try StreamContents(server, stream: Self.resultsStream).on(Self.resultsSubject)
        #expect(results.count == n, "each article exactly once in the results stream")
        #expect(Set(results.compactMap(\.messageID)).count == n)
        let union = try Self.outputsByID(a).merging(try Self.outputsByID(b)) { first, _ in first }
        #expect(Set(union.keys) == Set(results.compactMap(\.messageID)))
    }

    @Test func natsKeysParseWithTheirDefaults() throws {
        let defaults = try DaemonConfig.parse("")
        #expect(defaults.natsURL == "" && !defaults.natsEnabled)
        #expect(defaults.natsResultsSubject == "newsinbox.results")
        #expect(defaults.natsResultsStream == "NEWSINBOX_RESULTS")
        #expect(defaults.natsInputStream == "")
        #expect(defaults.natsInputConsumer == "newsinboxd")
        let set = try DaemonConfig.parse("nats_url = nats://127.0.0.1:4222\nnats_input_stream = IN\nnats_credentials = /etc/newsinbox/nats.creds\n")
        #expect(set.natsEnabled && set.natsConnectOptions.credentialsFile == "/etc/newsinbox/nats.creds")
        #expect(throws: ConfigError.self) { try DaemonConfig.parse("nats_input_stream = IN\n") }
        #expect(throws: ConfigError.self) { try DaemonConfig.parse("nats_results_subject = a.*\n") }
        #expect(throws: ConfigError.self) { try DaemonConfig.parse("nats_url = 127.0.0.1\n") }
        #expect(InboxPuller.feed(ofSubject: "newsinbox.inbox.reuters") == "reuters")
        #expect(InboxPuller.feed(ofSubject: "newsinbox.inbox.x/y") == "x%2Fy")
        #expect(InboxPuller.feed(ofSubject: "newsinbox.inbox") == nil)
    }
}
