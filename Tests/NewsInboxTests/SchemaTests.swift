import Foundation
import Testing
@testable import NewsInbox
import Extraction

/// Every output validates against the JSON Schema that ships in schema/.
@Suite struct SchemaTests {
    static let schemaPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("schema/newsinbox.article-1.schema.json").path

    @Test func extractOutputValidatesAgainstTheShippedSchema() throws {
        guard let seed = Corpora.bytes("seed/dawn-2023-02-12.txt") else { print("skipped: ../shared/corpora absent"); return }
        let check = Process()
        check.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        check.arguments = ["python3", "-c", "import jsonschema"]
        check.standardError = FileHandle.nullDevice
        try check.run(); check.waitUntilExit()
        guard check.terminationStatus == 0 else { print("skipped: python3 jsonschema is not installed"); return }

        let dir = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("schema-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var inputs: [(String, [UInt8])] = [("seed.txt", seed)]
        inputs += Corpora.bbcFiles(limit: 5).map { ($0.0.replacingOccurrences(of: "/", with: "-"), $0.1) }
        for (index, (name, bytes)) in inputs.enumerated() {
            let models = try ExtractionModels.load(searching: ModelDirectory.candidates(configured: nil))
            let docs = try OfflineExtraction.run(bytes: bytes, file: name, fileDate: nil, models: models)
            for (n, doc) in docs.enumerated() {
                try Data(doc).write(to: dir.appendingPathComponent("\(index)-\(n).json"))
            }
        }
        let validate = Process()
        validate.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        validate.arguments = ["python3", "-c", """
            import json, sys, glob, jsonschema
            schema = json.load(open(sys.argv[1]))
            files = sorted(glob.glob(sys.argv[2] + "/*.json"))
            for f in files:
                jsonschema.validate(json.load(open(f)), schema, format_checker=jsonschema.FormatChecker())
            print(len(files), "valid")
            """, Self.schemaPath, dir.path]
        let pipe = Pipe()
        validate.standardOutput = pipe
        validate.standardError = pipe
        try validate.run()
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        validate.waitUntilExit()
        #expect(validate.terminationStatus == 0, "\(out)")
        #expect(out.contains("\(inputs.count) valid"))
    }
}
