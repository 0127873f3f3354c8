import FoundationEssentials
import JetStream

/// The results stream, one batch at a time, from the writer queue (the only thread that uses it).
///
/// Called after a batch's outputs and sidecars are durable and before any of its sources moves: a
/// source reaches done/ or failed/ only once the stream has acknowledged its result, so a crash at any
/// point publishes again, and the stream keeps one copy per `Nats-Msg-Id` (content ids: the same
/// article always carries the same id). A server that is down or unreachable throws
/// `ResultsStreamUnavailable`, which the write stage treats like a full disk.
final class ResultsStream: BatchSink {
    static let unavailable = "results stream unavailable"
    let name = "results stream"

    let options: ConnectOptions
    let subject: String
    let streamName: String
    /// Long enough to cover a retry after a restart of the daemon or the server; see docs/scaling.md.
    static let duplicateWindow: Double = 600
    private var connection: JetStreamConnection?

    init(config: DaemonConfig) {
        options = config.natsConnectOptions
        subject = config.natsResultsSubject
        streamName = config.natsResultsStream
    }

    var failedSubject: String { subject + ".failed" }

    /// The message of a processed article: the bytes of out/<id>.json, under its id.
    func articleMessage(id: String, document: [UInt8]) -> OutgoingMessage {
        OutgoingMessage(subject: subject, messageID: id, data: document)
    }

    /// The message of a failure: its sidecar, under `failed-<sha256 of the content>` (of the name as
    /// dropped when the content could not be read).
    func failureMessage(sha256: String?, file: String, sidecar: [UInt8]) -> OutgoingMessage {
        OutgoingMessage(subject: failedSubject, messageID: "failed-" + (sha256 ?? SHA256.hex(Array(file.utf8))), data: sidecar)
    }

    /// Articles under their id, failures under `failed-<sha256>`; duplicates publish nothing (the
    /// article they repeat was acknowledged before its own source moved).
    func commit(_ records: [FinishedRecord]) throws {
        var messages: [OutgoingMessage] = []
        for record in records {
            switch record.kind {
            case .processed, .tombstone, .reprocessed:
                guard let id = record.id, let output = record.output else {
                    throw ResultsStreamUnavailable(detail: "no output bytes for \(record.id ?? record.file)")
                }
                messages.append(articleMessage(id: id, document: output))
            case .failed:
                guard let sidecar = record.sidecar else { throw ResultsStreamUnavailable(detail: "no sidecar for \(record.file)") }
                messages.append(failureMessage(sha256: record.sha256, file: record.file, sidecar: sidecar))
            case .duplicate:
                break
            }
        }
        try publish(messages)
    }

    func publish(_ messages: [OutgoingMessage]) throws {
        guard !messages.isEmpty else { return }
        do {
            let live = try connection ?? connect()
            try live.publish(messages)
        } catch {
            // Start clean on the next attempt: what this connection still had pending is published again.
            connection?.close()
            connection = nil
            throw ResultsStreamUnavailable(detail: "\(error)")
        }
    }

    private func connect() throws -> JetStreamConnection {
        let live = try JetStreamConnection(options)
        try live.ensureStream(StreamSpec(name: streamName, subjects: [subject, failedSubject], duplicateWindow: Self.duplicateWindow))
        connection = live
        return live
    }
}

struct ResultsStreamUnavailable: Error, CustomStringConvertible {
    var detail: String
    var description: String { "\(ResultsStream.unavailable): \(detail)" }
}
