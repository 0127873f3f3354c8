import CFuzzerDriver
import ArticleReaders

/// The daemon's entry point over arbitrary bytes. The first byte picks the file-name hint, so the
/// name-based sniffing (.html, .eml) is covered too.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data else { return 0 }
    let names = ["story.txt", "story.xml", "story.html", "story.eml", "story.json", "story"]
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let name = bytes.first.map { names[Int($0) % names.count] } ?? names[0]
    ArticleReading.prepare()
    _ = try? ArticleReading.read(ReadInput(bytes: bytes, fileName: name), limits: ReadLimits(maxDecompressedBytes: 1 << 20))
    return 0
}

@_cdecl("FuzzArticleReading_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 { fuzz_run(argc, argv, fuzz) }
