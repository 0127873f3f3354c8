import CNats
import FoundationEssentials
import Glibc

/// A nats.c status (and JetStream error code) as a Swift error, with the library's own detail text.
public struct NatsError: Error, CustomStringConvertible, Sendable {
    public let operation: String
    public let status: UInt32
    public let jetStreamCode: Int
    public let message: String

    init(_ operation: String, _ status: natsStatus, code: jsErrCode = jsErrCode(rawValue: 0)) {
        self.operation = operation
        self.status = status.rawValue
        self.jetStreamCode = Int(code.rawValue)
        var last = NATS_OK
        let detail = nats_GetLastError(&last).map { String(cString: $0) } ?? ""
        let text = natsStatus_GetText(status).map { String(cString: $0) } ?? "status \(status.rawValue)"
        self.message = detail.isEmpty || detail == text ? text : "\(text): \(detail)"
    }

    public init(_ operation: String, message: String) {
        self.operation = operation
        self.status = 0
        self.jetStreamCode = 0
        self.message = message
    }

    public var description: String {
        "\(operation): \(message)" + (jetStreamCode != 0 ? " (JetStream error \(jetStreamCode))" : "")
    }

    var isNotFound: Bool {
        status == NATS_NOT_FOUND.rawValue || jetStreamCode == Int(JSStreamNotFoundErr.rawValue)
            || jetStreamCode == Int(JSNoMessageFoundErr.rawValue)
    }
}

/// How to reach the server: the options nats.c offers for URL, credentials and TLS.
public struct ConnectOptions: Sendable, Equatable {
    public var url: String
    public var name: String = "newsinboxd"
    /// A `.creds` file (JWT + NKey seed), as `nats` CLI and nsc write them.
    public var credentialsFile: String?
    /// PEM files: the CA to trust, and a client certificate with its key for mutual TLS.
    public var tlsCA: String?
    public var tlsCertificate: String?
    public var tlsKey: String?
    /// How long one connection attempt may take.
    public var connectTimeout: Double = 2
    /// How long a JetStream API call (stream info, ack) or a batch's acks may take.
    public var requestTimeout: Double = 5

    public init(url: String) { self.url = url }
}

/// What a stream is made with when it does not exist yet.
public struct StreamSpec: Sendable {
    public enum Retention: Sendable { case limits, workQueue }
    public var name: String
    public var subjects: [String]
    public var retention: Retention = .limits
    /// The window in which a repeated `Nats-Msg-Id` is dropped by the server.
    public var duplicateWindow: Double = 120

    public init(name: String, subjects: [String], retention: Retention = .limits, duplicateWindow: Double = 120) {
        self.name = name
        self.subjects = subjects
        self.retention = retention
        self.duplicateWindow = duplicateWindow
    }
}

/// One message as stored in a stream (read back by sequence).
public struct StoredMessage: Sendable {
    public var sequence: UInt64
    public var subject: String
    public var messageID: String?
    public var data: [UInt8]
}

/// One connection and its JetStream context. Use it from one thread at a time: the publisher owns
/// one on the writer queue, the inbox puller another on its own thread.
public final class JetStreamConnection: @unchecked Sendable {
    private var connection: OpaquePointer?
    private(set) var context: OpaquePointer?
    let acks = AsyncAckTracker()
    public let options: ConnectOptions

    /// Connects once (no waiting for a server that is down: the caller retries with its own backoff);
    /// after that nats.c reconnects by itself.
    public init(_ options: ConnectOptions) throws {
        self.options = options
        var opts: OpaquePointer?
        try check("options", natsOptions_Create(&opts))
        defer { natsOptions_Destroy(opts) }
        try check("url \(options.url)", natsOptions_SetURL(opts, options.url))
        try check("name", natsOptions_SetName(opts, options.name))
        try check("timeout", natsOptions_SetTimeout(opts, Int64(options.connectTimeout * 1000)))
        try check("reconnect", natsOptions_SetAllowReconnect(opts, true))
        try check("reconnect", natsOptions_SetMaxReconnect(opts, -1))
        try check("reconnect", natsOptions_SetReconnectWait(opts, 250))
        if let creds = options.credentialsFile {
            try check("credentials \(creds)", natsOptions_SetUserCredentialsFromFiles(opts, creds, nil))
        }
        if let ca = options.tlsCA {
            try check("TLS CA \(ca)", natsOptions_LoadCATrustedCertificates(opts, ca))
            try check("TLS", natsOptions_SetSecure(opts, true))
        }
        if let cert = options.tlsCertificate, let key = options.tlsKey {
            try check("TLS certificate \(cert)", natsOptions_LoadCertificatesChain(opts, cert, key))
            try check("TLS", natsOptions_SetSecure(opts, true))
        }
        var nc: OpaquePointer?
        try check("connect \(options.url)", natsConnection_Connect(&nc, opts))
        connection = nc

        var jsOpts = jsOptions()
        jsOptions_Init(&jsOpts)
        jsOpts.Wait = Int64(options.requestTimeout * 1000)
        jsOpts.PublishAsync.ErrHandler = asyncAckFailed
        // Retained for good: nats.c may still call the handler while a closed connection winds down,
        // and one small object per connection is cheaper than a use-after-free.
        jsOpts.PublishAsync.ErrHandlerClosure = Unmanaged.passRetained(acks).toOpaque()
        var js: OpaquePointer?
        let status = natsConnection_JetStream(&js, nc, &jsOpts)
        guard status == NATS_OK else {
            let error = NatsError("jetstream", status)
            close()
            throw error
        }
        context = js
    }

    deinit { close() }

    /// Drops what is pending and closes the connection; safe to call twice.
    public func close() {
        if let js = context {
            jsCtx_Destroy(js)  // frees what is still pending
            context = nil
        }
        if let nc = connection {
            natsConnection_Close(nc)
            natsConnection_Destroy(nc)
            connection = nil
        }
    }

    var isConnected: Bool {
        guard let nc = connection else { return false }
        return natsConnection_Status(nc) == NATS_CONN_STATUS_CONNECTED
    }

    // MARK: - Streams

    /// Creates the stream unless it exists (made by another daemon or by the operator: left as it is).
    public func ensureStream(_ spec: StreamSpec) throws {
        if try streamExists(spec.name) { return }
        var config = jsStreamConfig()
        jsStreamConfig_Init(&config)
        let name = strdup(spec.name)
        let subjects = spec.subjects.map { UnsafePointer(strdup($0)) }
        defer {
            free(name)
            for s in subjects { free(UnsafeMutablePointer(mutating: s)) }
        }
        var subjectArray: [UnsafePointer<CChar>?] = subjects
        var info: UnsafeMutablePointer<jsStreamInfo>?
        var code = jsErrCode(rawValue: 0)
        let status = subjectArray.withUnsafeMutableBufferPointer { buffer -> natsStatus in
            config.Name = UnsafePointer(name)
            config.Subjects = buffer.baseAddress
            config.SubjectsLen = Int32(buffer.count)
            config.Retention = spec.retention == .workQueue ? js_WorkQueuePolicy : js_LimitsPolicy
            config.Storage = js_FileStorage
            config.Duplicates = Int64(spec.duplicateWindow * 1_000_000_000)
            return js_AddStream(&info, context, &config, nil, &code)
        }
        jsStreamInfo_Destroy(info)
        if status != NATS_OK {
            // Another daemon may have created it in the meantime.
            if (try? streamExists(spec.name)) == true { return }
            throw NatsError("create stream \(spec.name)", status, code: code)
        }
    }

    func streamExists(_ name: String) throws -> Bool {
        do {
            _ = try streamState(name)
            return true
        } catch let error as NatsError where error.isNotFound {
            return false
        }
    }

    /// The number of messages and the sequence range of a stream.
    public func streamState(_ name: String) throws -> (messages: UInt64, firstSequence: UInt64, lastSequence: UInt64) {
        var info: UnsafeMutablePointer<jsStreamInfo>?
        var code = jsErrCode(rawValue: 0)
        let status = js_GetStreamInfo(&info, context, name, nil, &code)
        defer { jsStreamInfo_Destroy(info) }
        guard status == NATS_OK, let state = info?.pointee.State else {
            throw NatsError("stream info \(name)", status, code: code)
        }
        return (state.Msgs, state.FirstSeq, state.LastSeq)
    }

    /// The message stored at `sequence`, or nil when that sequence was deleted.
    public func message(stream: String, sequence: UInt64) throws -> StoredMessage? {
        var msg: OpaquePointer?
        var code = jsErrCode(rawValue: 0)
        let status = js_GetMsg(&msg, context, stream, sequence, nil, &code)
        defer { natsMsg_Destroy(msg) }
        if status != NATS_OK {
            let error = NatsError("get message \(sequence) of \(stream)", status, code: code)
            if error.isNotFound { return nil }
            throw error
        }
        return StoredMessage(sequence: sequence, subject: natsMsg_GetSubject(msg).map { String(cString: $0) } ?? "",
                             messageID: Self.header(msg, "Nats-Msg-Id"), data: Self.data(of: msg))
    }

    /// Every message of a stream in sequence order (for tests and checks; reads one message per request).
    public func allMessages(stream: String) throws -> [StoredMessage] {
        let state = try streamState(stream)
        guard state.messages > 0 else { return [] }
        var out: [StoredMessage] = []
        for sequence in state.firstSequence...state.lastSequence {
            if let m = try message(stream: stream, sequence: sequence) { out.append(m) }
        }
        return out
    }

    static func header(_ msg: OpaquePointer?, _ key: String) -> String? {
        var value: UnsafePointer<CChar>?
        guard natsMsgHeader_Get(msg, key, &value) == NATS_OK, let value else { return nil }
        return String(cString: value)
    }

    static func data(of msg: OpaquePointer?) -> [UInt8] {
        let count = Int(natsMsg_GetDataLength(msg))
        guard count > 0, let base = natsMsg_GetData(msg) else { return [] }
        return base.withMemoryRebound(to: UInt8.self, capacity: count) { Array(UnsafeBufferPointer(start: $0, count: count)) }
    }
}

func check(_ operation: String, _ status: natsStatus) throws {
    guard status == NATS_OK else { throw NatsError(operation, status) }
}
