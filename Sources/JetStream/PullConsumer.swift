import CNats
import FoundationEssentials

/// A message pulled from a durable consumer; `acknowledge()` tells the stream it is safe with us.
public final class PulledMessage: @unchecked Sendable {
    private var msg: OpaquePointer?
    public let subject: String
    public let data: [UInt8]
    /// The message's sequence in the stream (the same on every redelivery).
    public let streamSequence: UInt64
    public let deliveries: UInt64

    init(taking msg: OpaquePointer?) {
        self.msg = msg
        subject = natsMsg_GetSubject(msg).map { String(cString: $0) } ?? ""
        data = JetStreamConnection.data(of: msg)
        var meta: UnsafeMutablePointer<jsMsgMetaData>?
        if natsMsg_GetMetaData(&meta, msg) == NATS_OK, let m = meta {
            streamSequence = m.pointee.Sequence.Stream
            deliveries = m.pointee.NumDelivered
            jsMsgMetaData_Destroy(m)
        } else {
            streamSequence = 0
            deliveries = 0
        }
    }

    deinit { natsMsg_Destroy(msg) }

    /// Acks and waits for the server to confirm, so a crash after this returns never redelivers it.
    public func acknowledge() throws {
        var code = jsErrCode(rawValue: 0)
        let status = natsMsg_AckSync(msg, nil, &code)
        guard status == NATS_OK else { throw NatsError("ack of stream message \(streamSequence)", status, code: code) }
    }
}

/// A durable pull consumer: every process binding the same durable name shares its messages.
public final class PullSubscription: @unchecked Sendable {
    private var subscription: OpaquePointer?
    public let stream: String
    public let durable: String

    init(subscription: OpaquePointer?, stream: String, durable: String) {
        self.subscription = subscription
        self.stream = stream
        self.durable = durable
    }

    deinit {
        // Destroy without unsubscribing: unsubscribing would delete the durable consumer.
        natsSubscription_Destroy(subscription)
    }

    /// Up to `max` messages, waiting at most `timeout` seconds for the first; empty when none came.
    public func fetch(max: Int, timeout: Double) throws -> [PulledMessage] {
        var list = natsMsgList()
        var code = jsErrCode(rawValue: 0)
        let status = natsSubscription_Fetch(&list, subscription, Int32(max), Int64(timeout * 1000), &code)
        defer { natsMsgList_Destroy(&list) }
        if status == NATS_TIMEOUT { return [] }
        guard status == NATS_OK else { throw NatsError("fetch from \(stream)/\(durable)", status, code: code) }
        var out: [PulledMessage] = []
        for i in 0..<Int(list.Count) {
            out.append(PulledMessage(taking: list.Msgs[i]))
            list.Msgs[i] = nil  // now owned by the PulledMessage
        }
        return out
    }
}

extension JetStreamConnection {
    /// Binds to (creating if needed) the durable pull consumer `durable` on `stream`, filtered on `subject`.
    /// `ackWait`: how long the server waits for an ack before it redelivers the message to any member.
    public func pullSubscribe(stream: String, subject: String, durable: String, ackWait: Double) throws -> PullSubscription {
        var sub: OpaquePointer?
        var code = jsErrCode(rawValue: 0)
        var subOpts = jsSubOptions()
        jsSubOptions_Init(&subOpts)
        let status = stream.withCString { streamName in
            subOpts.Stream = streamName
            subOpts.Config.AckPolicy = js_AckExplicit
            subOpts.Config.AckWait = Int64(ackWait * 1_000_000_000)
            subOpts.ManualAck = true
            return js_PullSubscribe(&sub, context, subject, durable, nil, &subOpts, &code)
        }
        guard status == NATS_OK else {
            throw NatsError("pull consumer \(durable) on \(stream)", status, code: code)
        }
        return PullSubscription(subscription: sub, stream: stream, durable: durable)
    }
}
