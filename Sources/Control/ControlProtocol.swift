import Foundation

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

    public static func failure(_ code: Code, _ message: String) -> ControlResponse {
        ControlResponse(ok: false, error: message, code: code)
    }

    public func encodedLine() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        var bytes = (try? [UInt8](encoder.encode(self))) ?? Array(#"{"ok":false,"error":"encoding failed","version":1}"#.utf8)
        bytes.append(0x0A)
        return bytes
    }
}

/// Any JSON value, for command arguments and results.
public enum JSONValue: Codable, Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let i = try? c.decode(Int.self) { self = .int(i) }
        else if let d = try? c.decode(Double.self) { self = .double(d) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .int(let i): try c.encode(i)
        case .double(let d): try c.encode(d)
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }

    public subscript(key: String) -> JSONValue? {
        if case .object(let o) = self { return o[key] }
        return nil
    }

    public var stringValue: String? { if case .string(let s) = self { return s }; return nil }
    public var intValue: Int? {
        switch self {
        case .int(let i): return i
        case .double(let d): return Int(exactly: d)
        default: return nil
        }
    }
    public var doubleValue: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: return nil
        }
    }
    public var boolValue: Bool? { if case .bool(let b) = self { return b }; return nil }
    public var arrayValue: [JSONValue]? { if case .array(let a) = self { return a }; return nil }
    public var objectValue: [String: JSONValue]? { if case .object(let o) = self { return o }; return nil }
}
