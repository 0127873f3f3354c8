import Foundation
import Testing
import TestSupport
@testable import NewsInbox
import Extraction

/// Every output and failure sidecar validates against the strict JSON Schemas that ship in schema/
/// (the daemon harnesses also validate every out/ and failed/ they leave, at teardown).
@Suite(.requires(Requirement.pythonJSONSchema, "python3 jsonschema is not installed (Debian python3-jsonschema; scripts/setup installs it)"))
struct SchemaTests {
    static func temporaryDirectory() throws -> URL {
        let dir = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("schema-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test func extractOutputValidatesAgainstTheShippedSchema() throws {
        let seed = try Requirement.value(Corpora.bytes("seed/dawn-2023-02-12.txt"), Corpora.absent("seed"))
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var inputs: [(String, [UInt8])] = [("seed.txt", seed)]
        inputs += Corpora.bbcFiles(limit: 5).map { ($0.0.replacingOccurrences(of: "/", with: "-"), $0.1) }
        // One of each wire format: their metadata fields (byline, dateline, urgency, subjects ...) differ.
        for file in Corpora.files(under: "formats") where !file.hasSuffix(".md") {
            inputs.append((file.replacingOccurrences(of: "/", with: "-"), try #require(Corpora.bytes(file))))
        }
        let models = try ExtractionModels.load(searching: ModelDirectory.candidates(configured: nil))
        var written = 0
        for (index, (name, bytes)) in inputs.enumerated() {
            // A sample the readers refuse (the formats folder holds a few on purpose) writes nothing.
            guard let docs = try? OfflineExtraction.run(bytes: bytes, file: name, fileDate: nil, models: models) else { continue }
            for (n, doc) in docs.enumerated() {
                try Data(doc).write(to: dir.appendingPathComponent("\(index)-\(n).json"))
                written += 1
            }
        }
        let result = try SchemaCheck.validate(directory: dir.path, suffix: ".json", schema: SchemaCheck.article)
        #expect(result.errors.isEmpty, "\(result.errors.joined(separator: "\n"))")
        #expect(result.valid == written && written > inputs.count / 2)
    }

    @Test func failureSidecarsValidateAgainstTheFailureSchema() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let sidecars = [
            FailureSidecar(file: "a.txt", feed: nil, stage: "read", reason: "text: no text", errno: nil,
                           time: ISO8601DateFormatter().string(from: Date()), sha256: String(repeating: "ab", count: 32)),
            FailureSidecar(file: "feed/b.xml", feed: "feed", stage: "open", reason: "a symbolic link", errno: 40,
                           time: ISO8601DateFormatter().string(from: Date()), sha256: nil),
        ]
        for (n, sidecar) in sidecars.enumerated() {
            try Data(try sidecar.encoded()).write(to: dir.appendingPathComponent("\(n).txt.error.json"))
        }
        let result = try SchemaCheck.validate(directory: dir.path, suffix: ".error.json", schema: SchemaCheck.failure)
        #expect(result.errors.isEmpty, "\(result.errors.joined(separator: "\n"))")
        #expect(result.valid == sidecars.count)
    }

    /// The schemas are strict: a field nobody declared fails, in an output's nested objects too.
    @Test func anUndeclaredFieldFailsValidation() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let docs = try OfflineExtraction.run(bytes: Array("Talks\n\nThe Trade and Investment Framework Agreement (TIFA) talks begin on Monday, Derek Chollet said.\n".utf8),
                                             file: "x.txt", fileDate: nil, models: try ExtractionModels.load(searching: ModelDirectory.candidates(configured: nil)))
        let first = try #require(docs.first)
        var doc = try #require(try JSONSerialization.jsonObject(with: Data(first)) as? [String: Any])
        try JSONSerialization.data(withJSONObject: doc).write(to: dir.appendingPathComponent("valid.json"))
        doc["undeclared"] = 1
        try JSONSerialization.data(withJSONObject: doc).write(to: dir.appendingPathComponent("top.json"))
        doc.removeValue(forKey: "undeclared")
        var extraction = try #require(doc["extraction"] as? [String: Any])
        var acronyms = try #require(extraction["acronyms"] as? [[String: Any]])
        try #require(!acronyms.isEmpty)
        acronyms[0]["confidence"] = 0.5
        extraction["acronyms"] = acronyms
        doc["extraction"] = extraction
        try JSONSerialization.data(withJSONObject: doc).write(to: dir.appendingPathComponent("nested.json"))
        let result = try SchemaCheck.validate(directory: dir.path, suffix: ".json", schema: SchemaCheck.article)
        #expect(result.valid == 1)
        #expect(result.errors.count == 2)
        #expect(result.errors.contains { $0.contains("top.json") && $0.contains("undeclared") })
        #expect(result.errors.contains { $0.contains("nested.json") && $0.contains("confidence") })
    }
}
