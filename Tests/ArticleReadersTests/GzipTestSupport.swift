import CZlib

/// Builds gzip input for tests (the repository holds no compressed fixtures).
enum GzipTestSupport {
    struct Failure: Error {}

    static func gzip(_ bytes: [UInt8]) throws -> [UInt8] {
        try gzip(chunks: 1, chunk: bytes)
    }

    /// gzip of `chunk` repeated `chunks` times, streamed so a huge output (a bomb) never exists uncompressed.
    static func gzip(chunks: Int, chunk: [UInt8]) throws -> [UInt8] {
        var stream = z_stream()
        guard czlib_deflate_init2(&stream, 9, 15 + 16) == Z_OK else { throw Failure() }
        defer { deflateEnd(&stream) }
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        var input = chunk
        for i in 0..<chunks {
            let flush = i == chunks - 1 ? Z_FINISH : Z_NO_FLUSH
            try input.withUnsafeMutableBufferPointer { inBuffer in
                stream.next_in = inBuffer.baseAddress
                stream.avail_in = UInt32(inBuffer.count)
                repeat {
                    let produced: Int = buffer.withUnsafeMutableBufferPointer { out in
                        stream.next_out = out.baseAddress
                        stream.avail_out = UInt32(out.count)
                        _ = deflate(&stream, flush)
                        return out.count - Int(stream.avail_out)
                    }
                    output.append(contentsOf: buffer[0..<produced])
                    if stream.avail_in == 0 && (flush != Z_FINISH || produced < buffer.count) { break }
                } while true
                if stream.avail_in != 0 { throw Failure() }
            }
        }
        return output
    }
}
