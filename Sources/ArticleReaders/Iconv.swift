import Glibc

/// glibc's iconv(3), to UTF-8. Each call opens its own descriptor: an iconv_t carries shift state and
/// must not be shared between the worker threads.
enum Iconv {
    enum Failure: Error { case unknownCharset, invalidInput }

    /// iconv_open's failure value, (iconv_t) -1.
    private static func isInvalid(_ cd: iconv_t?) -> Bool { Int(bitPattern: cd) == -1 }

    /// Whether iconv can convert from this charset name.
    static func knows(_ charset: String) -> Bool {
        let cd = iconv_open("UTF-8", charset)
        guard !isInvalid(cd) else { return false }
        iconv_close(cd)
        return true
    }

    /// The bytes converted from `charset`; fails on an unknown name or bytes invalid or incomplete in it.
    static func toUTF8(_ bytes: ArraySlice<UInt8>, from charset: String) throws(Failure) -> String {
        let cd = iconv_open("UTF-8", charset)
        guard !isInvalid(cd) else { throw .unknownCharset }
        defer { iconv_close(cd) }
        var input = Array(bytes)
        // A 2-byte CJK character becomes 3 bytes of UTF-8; the buffer doubles when that is not enough.
        var output = [UInt8](repeating: 0, count: input.count * 2 + 64)
        var consumed = 0, written = 0
        var flushing = false
        while true {
            // One call: convert what is left (or, with no input left, flush a stateful charset's shift state).
            let failure: Int32? = input.withUnsafeMutableBytes { inBuffer in
                output.withUnsafeMutableBytes { outBuffer in
                    var inPointer = inBuffer.baseAddress.map { $0.advanced(by: consumed).assumingMemoryBound(to: CChar.self) }
                    var inLeft = inBuffer.count - consumed
                    var outPointer: UnsafeMutablePointer<CChar>? = outBuffer.baseAddress!.advanced(by: written).assumingMemoryBound(to: CChar.self)
                    var outLeft = outBuffer.count - written
                    let rc = flushing ? iconv(cd, nil, nil, &outPointer, &outLeft) : iconv(cd, &inPointer, &inLeft, &outPointer, &outLeft)
                    let error = rc == -1 ? errno : nil
                    if !flushing { consumed = inBuffer.count - inLeft }
                    written = outBuffer.count - outLeft
                    return error
                }
            }
            switch failure {
            case nil:
                if flushing { break }
                flushing = true
                continue
            case E2BIG?:
                output += [UInt8](repeating: 0, count: output.count)
                continue
            default:
                throw .invalidInput  // EILSEQ, or EINVAL: a sequence cut off at the end
            }
            break
        }
        guard let text = String(validating: output[..<written], as: UTF8.self) else { throw .invalidInput }
        return text
    }
}
