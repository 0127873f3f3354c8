import Foundation
import Glibc
import Testing
@testable import Control

@Suite struct ControlProtocolTests {
    @Test func aRequestCarriesTheProtocolVersion() throws {
        let data = try JSONEncoder().encode(ControlRequest(command: "queue", args: ["limit": .int(5)]))
        let object = try JSONDecoder().decode(JSONValue.self, from: data)
        #expect(object["version"]?.intValue == ControlProtocol.version)
        #expect(object["command"]?.stringValue == "queue")
        #expect(object["args"]?["limit"]?.intValue == 5)
    }

    @Test func aResponseIsOneLineEvenWithNewlinesInItsText() throws {
        let line = ControlResponse.success(.object(["text": .string("a\nb"), "n": .double(1.5)])).encodedLine()
        #expect(line.last == 0x0A)
        #expect(line.dropLast().contains(0x0A) == false)
        let back = try JSONDecoder().decode(ControlResponse.self, from: Data(line))
        #expect(back.ok && back.data?["text"]?.stringValue == "a\nb" && back.data?["n"]?.doubleValue == 1.5)
    }

    @Test func jsonValuesSurviveARoundTrip() throws {
        let value = JSONValue.object([
            "null": .null, "bool": .bool(false), "int": .int(-3), "double": .double(0.25), "string": .string("é/\"x\""),
            "array": .array([.int(1), .string("two"), .array([])]), "object": .object(["k": .object([:])]),
        ])
        let back = try JSONDecoder().decode(JSONValue.self, from: try JSONEncoder().encode(value))
        #expect(back == value)
    }

    @Test func anErrorCodeUnknownToTheClientStillDecodes() throws {
        let line = #"{"version":1,"ok":false,"error":"x","code":"shiny_new"}"#
        let response = try JSONDecoder().decode(ControlResponse.self, from: Data(line.utf8))
        #expect(response.code == .failed && response.error == "x")
        let known = try JSONDecoder().decode(ControlResponse.self, from: Data(#"{"version":1,"ok":false,"code":"denied"}"#.utf8))
        #expect(known.code == .denied)
    }

    @Test func aSocketPathTooLongForSockaddrIsRefusedByName() {
        let path = "/tmp/" + String(repeating: "x", count: 200)
        #expect(throws: ControlClient.Failure.self) { _ = try UnixSocketAddress(path: path) }
    }

    @Test func noSocketMeansNotRunning() {
        let client = ControlClient(socketPath: "/tmp/no-such-dir-\(getpid())/control.sock", timeoutSeconds: 1)
        #expect {
            _ = try client.send(ControlRequest(command: "status"))
        } throws: { error in
            if case ControlClient.Failure.notRunning(let path, _)? = error as? ControlClient.Failure { return path.hasSuffix("control.sock") }
            return false
        }
    }
}
