import CFuzzerDriver
@testable import ArticleReaders

/// ANPA-1312 and IPTC 7901; the first byte picks which.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    _ = try? WireTextReader.read(bytes, anpa: (bytes.first ?? 0) & 1 == 0)
    return 0
}

@_cdecl("FuzzWireTextReader_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 { fuzz_run(argc, argv, fuzz) }
