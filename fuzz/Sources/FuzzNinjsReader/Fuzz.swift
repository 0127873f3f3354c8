import CFuzzerDriver
@testable import ArticleReaders

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data else { return 0 }
    _ = try? NinjsReader.read(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}

@_cdecl("FuzzNinjsReader_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 { fuzz_run(argc, argv, fuzz) }
