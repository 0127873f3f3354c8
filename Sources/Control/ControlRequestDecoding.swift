import FoundationEssentials

extension ControlRequest {
    /// Decodes one request line, or says what to answer instead.
    ///
    /// The version is checked before anything else, even before the command's shape, so a client of
    /// another protocol version always learns which version this daemon speaks. Pure: no I/O, no state.
    public static func decode(line: [UInt8]) -> Result<ControlRequest, ControlResponse> {
        let malformed = ControlResponse.failure(.malformed, "malformed request: not a JSON object with version, command and args")
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(line)) else { return .failure(malformed) }
        guard case .object(let fields) = value else { return .failure(.failure(.malformed, "a request is a JSON object")) }
        guard case .int(let version)? = fields["version"] else {
            return .failure(.failure(.version, "the request has no protocol version; this daemon speaks version \(ControlProtocol.version)"))
        }
        guard version == ControlProtocol.version else {
            return .failure(.failure(.version, "protocol version \(version) is not supported; this daemon speaks version \(ControlProtocol.version)"))
        }
        guard let request = try? JSONDecoder().decode(ControlRequest.self, from: Data(line)) else { return .failure(malformed) }
        return .success(request)
    }
}

/// A response that stands for a refused request.
extension ControlResponse: Error {}
