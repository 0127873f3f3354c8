import CFuzzerDriver
@testable import Extraction
import NewsCore

/// The time tagger and normaliser, resolved against an article date; the first two bytes move the date.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data else { return 0 }
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let year = 1990 + Int(bytes.first ?? 0) % 60
    let day = 1 + Int(bytes.dropFirst().first ?? 0) % 28
    let text = String(decoding: bytes.dropFirst(min(2, size)), as: UTF8.self)
    let document = Document(text: text, date: ArticleDate(year: year, month: 1 + day % 12, day: day))
    let tokens = Tokenizer.tokenize(document)
    let sentences = SentenceSplitter.sentences(document, tokens: tokens, paragraphs: SentenceSplitter.paragraphs(document))
    let analysed = AnalysedText(document: document, tokens: tokens, sentences: sentences)
    let times = (try? TimeTagger.tag(analysed, deadline: .never)) ?? []
    for time in times {
        precondition(time.start >= 0 && time.start < time.end && time.end <= document.scalars.count, "time span \(time.start)..<\(time.end)")
        precondition(!time.value.isEmpty, "empty TIMEX3 value for \(time.text)")
    }
    return 0
}

@_cdecl("FuzzTimes_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 { fuzz_run(argc, argv, fuzz) }
