import CFuzzerDriver
import Extraction

/// The tokenizer, the paragraph splitter and the sentence splitter over any text the readers can produce.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data else { return 0 }
    let document = Document(text: String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self))
    let tokens = Tokenizer.tokenize(document)
    let paragraphs = SentenceSplitter.paragraphs(document)
    let sentences = SentenceSplitter.sentences(document, tokens: tokens, paragraphs: paragraphs)
    // Spans must stay inside the text and in order: a wrong offset would crash a later stage.
    var previousEnd = 0
    for token in tokens {
        precondition(token.start >= previousEnd && token.start < token.end && token.end <= document.scalars.count, "token span \(token.span)")
        previousEnd = token.end
    }
    for sentence in sentences {
        precondition(sentence.tokens.lowerBound >= 0 && sentence.tokens.upperBound <= tokens.count, "sentence tokens \(sentence.tokens)")
        precondition(sentence.span.start >= 0 && sentence.span.end <= document.scalars.count, "sentence span \(sentence.span)")
    }
    return 0
}

@_cdecl("FuzzTokenizer_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 { fuzz_run(argc, argv, fuzz) }
