import FoundationEssentials

/// A JSON text as the loosely typed tree the ninjs and JSON-LD readers walk (`[String: Any]`, `[Any]`,
/// `String`, `Int`, `Double`, `Bool`, and `JSONTree.null`), parsed by FoundationEssentials' JSONDecoder:
/// Foundation's JSONSerialization would link ICU into the binary.
enum JSONTree {
    /// JSON's `null`, distinct from a missing key.
    struct Null: Equatable {}
    static let null = Null()

    struct ParseError: Error, CustomStringConvertible {
        var description: String
    }

    /// Any JSON value at the top level (a fragment such as `"text"` or `3` too).
    static func parse(_ bytes: [UInt8]) throws(ParseError) -> Any {
        do {
            return try JSONDecoder().decode(Value.self, from: Data(bytes)).tree
        } catch let DecodingError.dataCorrupted(context) {
            // The parser's own words (where and what) are in the underlying error, when there is one.
            throw ParseError(description: context.underlyingError.map { "\($0)" } ?? context.debugDescription)
        } catch {
            throw ParseError(description: "\(error)")
        }
    }

    /// Decodes one value: integers stay integers, other numbers are doubles.
    private struct Value: Decodable {
        var tree: Any

        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if c.decodeNil() { tree = JSONTree.null }
            else if let b = try? c.decode(Bool.self) { tree = b }
            else if let i = try? c.decode(Int.self) { tree = i }
            else if let d = try? c.decode(Double.self) { tree = d }
            else if let s = try? c.decode(String.self) { tree = s }
            else if let a = try? c.decode([Value].self) { tree = a.map(\.tree) }
            else { tree = try c.decode([String: Value].self).mapValues(\.tree) }
        }
    }
}
