import Dispatch
import Foundation
import TestSupport
import NewsCore
import Testing
@testable import NewsInbox
import ArticleReaders
import Extraction

/// The hand-written output encoder writes exactly the bytes of the reference (Codable, sorted keys)
/// encoder, for every article of every shared corpus, and what it writes validates against the schema.
@Suite struct ResultDocumentEncodingTests {
    /// Every file of the shared corpora the daemon reads: seed, formats, article-html, bbc.
    static func corpusFiles() -> [String] {
        var paths: [String] = []
        for set in ["seed", "formats", "article-html", "bbc"] {
            let dir = Corpora.root.appendingPathComponent(set).path
            guard let walker = FileManager.default.enumerator(atPath: dir) else { continue }
            while let name = walker.nextObject() as? String {
                var isDirectory: ObjCBool = false
                let path = dir + "/" + name
                let base = (name as NSString).lastPathComponent
                if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
                   !base.hasPrefix("README"), !base.hasPrefix("ORIGINAL-README") {
                    paths.append(path)
                }
            }
        }
        return paths.sorted()
    }

    @Test func fastEncoderMatchesReferenceForEveryCorpusArticle() throws {
        guard Corpora.isPresent else {
            if ProcessInfo.processInfo.environment["CI"] == "true" { Issue.record("../shared/corpora is absent") }
            else { print("skipped: ../shared/corpora absent") }
            return
        }
        let paths = Self.corpusFiles()
        #expect(paths.count > 2_000, "expected the whole BBC corpus and the format samples, found \(paths.count) files")
        let processor = ArticleProcessor(extractor: Extractor(models: try ExtractionModels.load(searching: ModelDirectory.candidates(configured: nil))))
        ArticleReading.prepare()
        let processedAt = Date(timeIntervalSince1970: 1_764_600_000.75)

        // Two cores: half the files each, gathered under a lock.
        final class Gathered: @unchecked Sendable {
            let lock = NSLock()
            var mismatches: [String] = []
            var outputs: [[UInt8]]
            var documents = 0
            init(count: Int) { outputs = [[UInt8]](repeating: [], count: count) }
        }
        let gathered = Gathered(count: paths.count)
        DispatchQueue.concurrentPerform(iterations: 2) { part in
            var local: [(Int, [UInt8])] = []
            var localMismatches: [String] = [], localDocuments = 0
            for k in stride(from: part, to: paths.count, by: 2) {
                guard let data = FileManager.default.contents(atPath: paths[k]) else { continue }
                let name = String(paths[k].dropFirst(Corpora.root.path.count + 1))
                // Files a reader refuses (the format samples include bad ones) have no output to compare.
                guard let processed = try? processor.process(bytes: [UInt8](data), file: name, fileDate: nil, deadline: .never)
                else { continue }
                var joined: [UInt8] = []
                for (index, entry) in processed.articles.enumerated() {
                    let document = ResultDocument(id: entry.id, item: index, processed: processed,
                                                  supersedes: k % 3 == 0 ? "0123456789abcdef01234567" : nil, processedAt: processedAt)
                    let fast = document.fastEncoded()
                    let reference = (try? document.referenceEncoded()) ?? []
                    if fast != reference { localMismatches.append(name + Self.firstDifference(fast, reference)) }
                    joined += fast
                    localDocuments += 1
                }
                local.append((k, joined))
            }
            gathered.lock.lock()
            for (k, bytes) in local { gathered.outputs[k] = bytes }
            gathered.mismatches += localMismatches
            gathered.documents += localDocuments
            gathered.lock.unlock()
        }
        let documents = gathered.documents, mismatches = gathered.mismatches, fastOutputs = gathered.outputs
        #expect(documents > 2_000)
        #expect(mismatches.isEmpty, "\(mismatches.count) documents differ; first: \(mismatches.prefix(3))")

        // The fast encoder's output, one document per line, against the shipped schema.
        let lines = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("fast-json-\(UUID().uuidString).jsonl")
        try Data(fastOutputs.joined()).write(to: lines)
        defer { try? FileManager.default.removeItem(at: lines) }
        let validate = Process()
        validate.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        validate.arguments = ["python3", "-c", """
            import json, sys, jsonschema
            validator = jsonschema.Draft202012Validator(json.load(open(sys.argv[1])), format_checker=jsonschema.FormatChecker())
            n = 0
            for line in open(sys.argv[2], encoding="utf-8"):
                validator.validate(json.loads(line))
                n += 1
            print(n, "valid")
            """, SchemaCheck.article, lines.path]
        let pipe = Pipe()
        validate.standardOutput = pipe
        validate.standardError = pipe
        try validate.run()
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        validate.waitUntilExit()
        #expect(validate.terminationStatus == 0, "\(out.suffix(2000))")
        #expect(out.contains("\(documents) valid"), "\(out.suffix(2000))")
    }

    /// Numbers, escapes and absent fields, against the reference encoder value by value.
    @Test func numbersAndEscapesMatchTheReferenceEncoder() throws {
        struct Box: Encodable { var value: Double }
        for value in [0, 1, -3, 0.5, 0.1, 2.5e9, 1e15, 1e16, 1e21, 1.5e-7, 123456.789, 0.3 * 3, 100.25] as [Double] {
            var w = JSONWriter(capacity: 16)
            w.beginObject(); w.key("value"); w.double(value); w.endObject()
            let encoder = JSONEncoder()
            #expect(w.bytes == [UInt8](try encoder.encode(Box(value: value))), "\(value)")
        }
        struct Text: Encodable { var value: String }
        let tricky = "quote \" backslash \\ slash / tab \t nl \n cr \r bell \u{07} unit \u{1F} del \u{7F} é 中 😀 \u{2028}"
        var w = JSONWriter(capacity: 16)
        w.beginObject(); w.key("value"); w.string(tricky); w.endObject()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        #expect(w.bytes == [UInt8](try encoder.encode(Text(value: tricky))))
    }

    @Test func timestampsMatchISO8601DateFormatter() {
        let formatter = ISO8601DateFormatter()
        for seconds in [0, 1, 59.999, 951_782_400, 1_764_600_000.75, 4_102_444_799.5] as [Double] {
            let date = Date(timeIntervalSince1970: seconds)
            #expect(UTCTimestamp.string(from: date) == formatter.string(from: date), "\(seconds)")
        }
    }

    static func firstDifference(_ a: [UInt8], _ b: [UInt8]) -> String {
        let k = (0..<min(a.count, b.count)).first { a[$0] != b[$0] } ?? min(a.count, b.count)
        let context = { (x: [UInt8]) in String(decoding: x[max(0, k - 60)..<min(x.count, k + 60)], as: UTF8.self) }
        return ": at byte \(k): fast …\(context(a))… reference …\(context(b))…"
    }
}
