import Foundation
import Testing
@testable import Control

/// The request-line decoder the control server calls (and the fuzzer drives): what each malformed line is
/// answered, and the fuzzer's regression inputs (fuzz/regressions/FuzzControlDecoder/) replayed.
@Suite struct ControlRequestDecodingTests {
    func refusal(_ line: String) -> ControlResponse? {
        if case .failure(let response) = ControlRequest.decode(line: Array(line.utf8)) { return response }
        return nil
    }

    @Test func aWellFormedRequestDecodes() throws {
        let result = ControlRequest.decode(line: Array(#"{"version":1,"command":"status","args":{"limit":3}}"#.utf8))
        let request = try result.get()
        #expect(request.command == "status" && request.args["limit"]?.intValue == 3)
    }

    @Test func theVersionIsCheckedBeforeTheShape() {
        #expect(refusal(#"{"version":2}"#)?.code == .version)
        #expect(refusal(#"{"version":2}"#)?.error?.contains("version 2 is not supported") == true)
        #expect(refusal(#"{"command":"status","args":{}}"#)?.code == .version)
        #expect(refusal(#"{"version":"1","command":"status","args":{}}"#)?.code == .version)
    }

    @Test func malformedLinesAreAnsweredMalformed() {
        for line in ["", "not json", "[1,2]", "\"status\"", #"{"version":1}"#, #"{"version":1,"command":3,"args":{}}"#,
                     #"{"version":1,"command":"status","args":[]}"#, "{\"version\":1,", "\u{FF}"] {
            let response = refusal(line)
            #expect(response?.code == .malformed, "\(line.debugDescription): \(String(describing: response))")
            #expect(response?.ok == false)
        }
    }

    @Test func fuzzRegressionInputsDecodeOrAreRefused() throws {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("fuzz/regressions/FuzzControlDecoder")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        for name in names.sorted() {
            let line = [UInt8](try Data(contentsOf: dir.appendingPathComponent(name)))
            switch ControlRequest.decode(line: line) {
            case .success(let request): #expect(request.version == ControlProtocol.version, "\(name)")
            case .failure(let response): #expect(!response.ok && response.code != nil, "\(name)")
            }
        }
    }
}
