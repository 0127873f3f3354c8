import CFuzzerDriver
@testable import ArticleReaders

/// The XML path on its own: libxml2 with the safe options, then NITF / NewsML-G2 / NewsML 1.2 by root element.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    ArticleReading.prepare()
    _ = try? MarkupReading.read(bytes, sniffed: .xml, input: ReadInput(bytes: bytes, fileName: "story.xml"), bomEncoding: nil, deadline: .never)
    return 0
}

@_cdecl("FuzzXMLReaders_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 { fuzz_run(argc, argv, fuzz) }
