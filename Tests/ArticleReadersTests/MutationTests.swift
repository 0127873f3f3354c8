import Foundation
import TestSupport
import Testing
@testable import ArticleReaders
@testable import Extraction  // SplitMix64: the tagger's seeded generator, so a failure reproduces

/// Mutated samples (truncated, bytes flipped, control characters and markup inserted) must fail with a
/// ReaderError or read: a trap here would take the daemon down. READERS_MUTATIONS=N runs N per sample.
@Suite struct MutationTests {
    @Test func mutatedSamplesNeverCrash() throws {
        let files = FormatSamplesTests.samples.map(\.file) + FormatSamplesTests.refused.map(\.file)
        let inputs = files.compactMap { Corpora.bytes("formats/" + $0) }
        try Requirement.check(!inputs.isEmpty, "../shared/corpora/formats is absent")
        let perSample = ProcessInfo.processInfo.environment["READERS_MUTATIONS"].flatMap { Int($0) } ?? 15
        var generator = SplitMix64(seed: 0x5EED)
        let inserts: [[UInt8]] = [[0x00], [0x01], [0x02], [0x03], [0x16], [0x1F], Array("<".utf8), Array("&".utf8), Array("]]>".utf8),
                                  Array("<p>".utf8), Array("\"".utf8), Array("=?utf-8?B?".utf8), Array("--".utf8), [0xC3], [0xFF, 0xFE]]
        var read = 0, failed = 0
        for original in inputs {
            for _ in 0..<perSample {
                var bytes = original
                for _ in 0..<Int.random(in: 1...4, using: &generator) where !bytes.isEmpty {
                    let at = Int.random(in: 0..<bytes.count, using: &generator)
                    switch Int.random(in: 0..<4, using: &generator) {
                    case 0: bytes.removeSubrange(at...)
                    case 1: bytes[at] = UInt8.random(in: 0...255, using: &generator)
                    case 2: bytes.insert(contentsOf: inserts.randomElement(using: &generator)!, at: at)
                    default: bytes.removeSubrange(at..<min(bytes.count, at + Int.random(in: 1...200, using: &generator)))
                    }
                }
                do { _ = try ArticleReading.read(ReadInput(bytes: bytes, fileName: "m")); read += 1 } catch { failed += 1 }
            }
        }
        #expect(read + failed == inputs.count * perSample)
    }

    /// The dev HTML pages, cut and corrupted; only with READERS_MUTATIONS set (slow in a debug build).
    @Test func mutatedPagesNeverCrash() throws {
        guard let perPage = ProcessInfo.processInfo.environment["READERS_MUTATIONS"].flatMap({ Int($0) }) else { return }
        let dir = Corpora.root.appendingPathComponent("article-html/html")
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir.path) else { return }
        var generator = SplitMix64(seed: 0xC0FFEE)
        for name in names.sorted() {
            let page = try Gzip.decompress([UInt8](Data(contentsOf: dir.appendingPathComponent(name))), maxBytes: 1 << 26)
            for _ in 0..<max(1, perPage / 50) {
                var bytes = page
                let at = Int.random(in: 0..<bytes.count, using: &generator)
                if Bool.random(using: &generator) { bytes.removeSubrange(at...) } else { bytes[at] = UInt8.random(in: 0...255, using: &generator) }
                _ = try? ArticleReading.read(ReadInput(bytes: bytes, fileName: "p.html"))
            }
        }
    }
}
