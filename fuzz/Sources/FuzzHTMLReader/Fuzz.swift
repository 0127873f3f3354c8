import CFuzzerDriver
@testable import ArticleReaders

/// The HTML reader (libxml2's HTML parser, the boilerplate removal) on arbitrary bytes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    ArticleReading.prepare()
    _ = try? HTMLReader.read(bytes, encoding: bytes.isValidUTF8 ? "UTF-8" : "windows-1252")
    return 0
}

@_cdecl("FuzzHTMLReader_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 { fuzz_run(argc, argv, fuzz) }
