import CFuzzerDriver
import Extraction
import Foundation
import NewsCore

/// Where the shipped NER model is looked for: `$NEWSINBOX_MODEL_DIR`, then the checkout's models/
/// (fuzz/Sources/FuzzExtractor/Fuzz.swift -> models/).
let modelDirectories = (ProcessInfo.processInfo.environment["NEWSINBOX_MODEL_DIR"].map { [$0] } ?? [])
    + [URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("models").path]

/// Every extraction stage (entities with the shipped NER model, times, quotes, figures, acronyms, summary)
/// over any text; the first byte moves the article date. The models are loaded once, on the first input (a
/// global is initialised once), not per input: loading takes far longer than extracting a short text.
/// Without the model the entity, quote and acronym stages would be fuzzed with no entities, so a missing
/// model stops the target instead of fuzzing less than its name says.
let extractor: Extractor = {
    do {
        return Extractor(models: try ExtractionModels.load(searching: modelDirectories))
    } catch {
        FileHandle.standardError.write(Data("FuzzExtractor: \(error)\n".utf8))
        exit(2)
    }
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data else { return 0 }
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let date = ArticleDate(year: 2000 + Int(bytes.first ?? 0) % 30, month: 2, day: 13)
    let document = Document(text: String(decoding: bytes.dropFirst(min(1, size)), as: UTF8.self), date: date)
    guard let result = try? extractor.extract(document) else { return 0 }
    for span in result.sentences { precondition(span.start >= 0 && span.end <= document.scalars.count, "sentence \(span)") }
    for time in result.times { precondition(time.end <= document.scalars.count, "time \(time.start)..<\(time.end)") }
    return 0
}

@_cdecl("FuzzExtractor_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 { fuzz_run(argc, argv, fuzz) }
