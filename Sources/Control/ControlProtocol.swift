public import FoundationEssentials

/// The control socket's wire protocol: one JSON request per line, one JSON response per line, then the
/// server closes the connection.
///
///     -> {"version": 1, "command": "status", "args": {}}
///     <- {"version": 1, "ok": true, "data": {...}}
///     <- {"version": 1, "ok": false, "error": "...", "code": "denied"}
///
/// The server checks `version` before anything else; a mismatch gets a `version` error naming both.
public enum ControlProtocol {
    /// Bumped on any incompatible change.
    public static let version = 1
    /// Longest request line accepted; a longer one gets an error and the connection is closed.
    public static let maxRequestBytes = 64 * 1024
    /// Seconds a client has to send its request line, and later to read its answer.
    public static let ioTimeoutSeconds = 5
}

public struct ControlRequest: Codable, Sendable {
    public var version: Int
    public var command: String
    public var args: [String: JSONValue]

    public init(command: String, args: [String: JSONValue] = [:], version: Int = ControlProtocol.version) {
        self.version = version
        self.command = command
        self.args = args
    }

    public init(_ command: ControlCommandName, args: [String: JSONValue] = [:]) {
        self.init(command: command.rawValue, args: args)
    }

    /// The command this request names, if this side knows it.
    public var name: ControlCommandName? { ControlCommandName(rawValue: command) }
}

public struct ControlResponse: Codable, Sendable {
    /// Machine-readable error kinds; the client maps them to exit codes.
    public enum Code: String, Codable, Sendable {
        case failed, usage, denied, version, tooLarge = "too_large", malformed, unknownCommand = "unknown_command", notFound = "not_found"
        /// The server is at its connection cap: nothing was done, try again shortly.
        case busy
        /// No complete request line arrived in time.
        case timeout

        /// A code added by a newer server reads as `failed`, so old clients still get the message.
        public init(from decoder: any Decoder) throws {
            self = Code(rawValue: try decoder.singleValueContainer().decode(String.self)) ?? .failed
        }
    }

    public var version: Int = ControlProtocol.version
    public var ok: Bool
    public var data: JSONValue?
    public var error: String?
    public var code: Code?

    public static func success(_ data: JSONValue = .null) -> ControlResponse {
        ControlResponse(ok: true, data: data)
    }

    /// A typed reply (see ControlReplies.swift) as the response's `data`.
    public static func success(_ reply: some Encodable) -> ControlResponse {
        do {
            return ControlResponse(ok: true, data: try JSONValue(encoding: reply))
        } catch {
            return .failure(.failed, "the daemon could not encode its answer: \(error)")
        }
    }

    /// `data` read back as the reply type its command documents.
    public func decodeData<Reply: Decodable>(as type: Reply.Type) throws -> Reply {
        try ControlJSON.decoder.decode(Reply.self, from: ControlJSON.encoder.encode(data ?? .null))
    }

    public static func failure(_ code: Code, _ message: String) -> ControlResponse {
        ControlResponse(ok: false, error: message, code: code)
    }

    public func encodedLine() -> [UInt8] {
        var bytes = (try? [UInt8](ControlJSON.encoder.encode(self))) ?? Array(#"{"ok":false,"error":"encoding failed","version":1}"#.utf8)
        bytes.append(0x0A)
        return bytes
    }
}


/// The one JSON configuration both ends use: sorted keys, slashes as is, dates in ISO 8601 (seconds).
public enum ControlJSON {
    public static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }

    public static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}
