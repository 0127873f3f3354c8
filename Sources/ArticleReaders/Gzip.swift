import CZlib

/// gzip (and zlib) decompression with a hard cap on the output size.
enum Gzip {
    static func isGzip(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 3 && bytes[0] == 0x1F && bytes[1] == 0x8B && bytes[2] == 0x08
    }

    /// Inflates `bytes`; a result over `maxBytes` fails with "too large after decompression" (checked before
    /// each chunk is appended, so a bomb never allocates more than the cap).
    static func decompress(_ bytes: [UInt8], maxBytes: Int) throws(ReaderError) -> [UInt8] {
        var stream = z_stream()
        // 15 + 32: a 32 KiB window, gzip or zlib header detected automatically.
        guard czlib_inflate_init2(&stream, 15 + 32) == Z_OK else {
            throw ReaderError(format: "gzip", reason: "cannot initialise zlib")
        }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        output.reserveCapacity(min(maxBytes, bytes.count * 4))
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        var status: Int32 = Z_OK
        var input = bytes
        try input.withUnsafeMutableBufferPointer { (inBuffer: inout UnsafeMutableBufferPointer<UInt8>) throws(ReaderError) in
            stream.next_in = inBuffer.baseAddress
            stream.avail_in = UInt32(inBuffer.count)
            repeat {
                let produced: Int = chunk.withUnsafeMutableBufferPointer { out in
                    stream.next_out = out.baseAddress
                    stream.avail_out = UInt32(out.count)
                    status = inflate(&stream, Z_NO_FLUSH)
                    return out.count - Int(stream.avail_out)
                }
                guard status == Z_OK || status == Z_STREAM_END || (status == Z_BUF_ERROR && produced > 0) else {
                    let reason = status == Z_BUF_ERROR ? "truncated compressed data" : "corrupt compressed data (zlib error \(status))"
                    throw ReaderError(format: "gzip", reason: reason)
                }
                if output.count + produced > maxBytes {
                    throw ReaderError(format: "gzip", reason: "too large after decompression (over \(maxBytes) bytes)")
                }
                output.append(contentsOf: chunk[0..<produced])
                if status == Z_STREAM_END { break }
                if produced == 0 && stream.avail_in == 0 {
                    throw ReaderError(format: "gzip", reason: "truncated compressed data")
                }
            } while true
        }
        return output
    }
}
