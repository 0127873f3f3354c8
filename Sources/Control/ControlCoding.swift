/// An optional field that is written as `null` when absent (synthesized `Codable` would leave it out),
/// for the reply fields documented as null: `status`'s `last_error`, `show`'s `record`, ...
@propertyWrapper
public struct Null<Value: Codable & Sendable>: Codable, Sendable {
    public var wrappedValue: Value?

    public init(wrappedValue: Value?) { self.wrappedValue = wrappedValue }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        wrappedValue = container.decodeNil() ? nil : try container.decode(Value.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let wrappedValue { try container.encode(wrappedValue) } else { try container.encodeNil() }
    }
}

extension KeyedDecodingContainer {
    /// A missing key reads as nil, as for a plain optional.
    public func decode<Value>(_ type: Null<Value>.Type, forKey key: Key) throws -> Null<Value> {
        try decodeIfPresent(type, forKey: key) ?? Null(wrappedValue: nil)
    }
}

/// A JSON object the daemon passes on whole (a failure sidecar, an output's summary), with a typed view
/// of the fields the tools read. A field the document gains passes through unchanged.
@dynamicMemberLookup
public struct PassThrough<Fields: Codable & Sendable>: Codable, Sendable {
    /// The object as written.
    public let object: [String: JSONValue]
    /// What this side knows of it.
    public let fields: Fields

    public init(_ object: [String: JSONValue]) throws {
        self.object = object
        self.fields = try ControlJSON.decoder.decode(Fields.self, from: ControlJSON.encoder.encode(object))
    }

    public init(from decoder: any Decoder) throws {
        object = try [String: JSONValue](from: decoder)
        fields = try Fields(from: decoder)
    }

    public func encode(to encoder: any Encoder) throws { try object.encode(to: encoder) }

    public subscript<T>(dynamicMember keyPath: KeyPath<Fields, T>) -> T { fields[keyPath: keyPath] }
}
