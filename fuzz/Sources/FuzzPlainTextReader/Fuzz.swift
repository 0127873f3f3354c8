import CFuzzerDriver
import Extraction
@testable import ArticleReaders
import NewsCore

/// Character-set decoding, then the plain text / seed `date` format reader.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data else { return 0 }
    let decoded = TextDecoding.decode(Array(UnsafeBufferPointer(start: data, count: size)))
    _ = try? PlainTextReader.read(decoded.text, fileDate: ArticleDate(year: 2023, month: 2, day: 12))
    return 0
}

@_cdecl("FuzzPlainTextReader_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 { fuzz_run(argc, argv, fuzz) }
