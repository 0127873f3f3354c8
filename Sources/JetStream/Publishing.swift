import CNats
import FoundationEssentials
import Synchronization

/// One message to publish, with the id the stream de-duplicates on.
public struct OutgoingMessage: Sendable {
    public var subject: String
    public var messageID: String
    public var data: [UInt8]

    public init(subject: String, messageID: String, data: [UInt8]) {
        self.subject = subject
        self.messageID = messageID
        self.data = data
    }
}

/// Counts the negative acks nats.c reports for asynchronous publishes (server errors, ack timeouts).
/// nats.c calls it from its own threads, hence the lock.
final class AsyncAckTracker: Sendable {
    private struct Tally { var failures = 0; var firstFailure: String? }
    private let tally = Mutex(Tally())

    func reset() {
        tally.withLock { $0 = Tally() }
    }

    func record(_ text: String) {
        tally.withLock {
            $0.failures += 1
            if $0.firstFailure == nil { $0.firstFailure = text }
        }
    }

    var result: (failures: Int, first: String?) {
        tally.withLock { ($0.failures, $0.firstFailure) }
    }
}

/// nats.c's `jsPubAckErrHandler`: a C function, so it reaches the tracker through the closure pointer.
let asyncAckFailed: jsPubAckErrHandler = { _, failure, closure in
    guard let closure, let failure else { return }
    let tracker = Unmanaged<AsyncAckTracker>.fromOpaque(closure).takeUnretainedValue()
    let status = natsStatus_GetText(failure.pointee.Err).map { String(cString: $0) } ?? "error"
    let text = failure.pointee.ErrText.map { String(cString: $0) } ?? ""
    tracker.record(text.isEmpty ? status : "\(status): \(text)")
}

extension JetStreamConnection {
    /// Publishes a batch with asynchronous acks and returns once the stream has acknowledged every
    /// message (a message the stream already holds under the same id counts as acknowledged: the
    /// server answers "duplicate"). Throws if any is not acknowledged within `requestTimeout`; the
    /// caller then publishes the whole batch again, and the ids keep one copy of each.
    public func publish(_ messages: [OutgoingMessage]) throws {
        guard !messages.isEmpty else { return }
        guard let js = context else { throw NatsError("publish", message: "not connected") }
        acks.reset()
        let wait = Int64(options.requestTimeout * 1000)
        for message in messages {
            var opts = jsPubOptions()
            jsPubOptions_Init(&opts)
            opts.MaxWait = wait
            let status = message.messageID.withCString { id -> natsStatus in
                opts.MsgId = id
                return message.data.withUnsafeBytes { bytes in
                    js_PublishAsync(js, message.subject, bytes.baseAddress, Int32(bytes.count), &opts)
                }
            }
            try check("publish to \(message.subject)", status)
        }
        var completeOpts = jsPubOptions()
        jsPubOptions_Init(&completeOpts)
        completeOpts.MaxWait = wait
        let status = js_PublishAsyncComplete(js, &completeOpts)
        guard status == NATS_OK else {
            throw NatsError("waiting for the stream's acks of \(messages.count) messages", status)
        }
        let (failures, first) = acks.result
        if failures > 0 {
            throw NatsError("publish", message: "\(failures) of \(messages.count) messages not acknowledged: \(first ?? "")")
        }
    }
}
