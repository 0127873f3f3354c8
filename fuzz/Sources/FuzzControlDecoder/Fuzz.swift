import CFuzzerDriver
import Control

/// The control socket's request-line decoder, and the encoding of whatever it answers.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data else { return 0 }
    let line = Array(UnsafeBufferPointer(start: data, count: min(size, ControlProtocol.maxRequestBytes)))
    switch ControlRequest.decode(line: line) {
    case .success(let request):
        precondition(request.version == ControlProtocol.version)
        _ = ControlResponse.success(.object(request.args)).encodedLine()
    case .failure(let response):
        precondition(!response.ok && response.code != nil)
        _ = response.encodedLine()
    }
    return 0
}

@_cdecl("FuzzControlDecoder_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 { fuzz_run(argc, argv, fuzz) }
