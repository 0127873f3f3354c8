public import Extraction

/// The entry point: sniff the format from the content (the file name is only a hint) and read it.
public enum ArticleReading {
    public static func read(_ input: ReadInput, limits: ReadLimits = ReadLimits(), deadline: Deadline = .never) throws(ReaderError) -> ReadResult {
        let bytes = input.bytes
        if bytes.isEmpty { throw ReaderError(format: "unknown", reason: "empty file") }
        if bytes.contains(0) && !looksLikeUTF16(bytes) {
            throw ReaderError(format: "unknown", reason: "binary content (NUL bytes)")
        }
        let decoded = TextDecoding.decode(bytes)
        if decoded.text.allSatisfy({ $0.isWhitespace }) {
            throw ReaderError(format: "text", reason: "no text: the file is white space only")
        }
        let (format, article) = try PlainTextReader.read(decoded.text, fileDate: input.fileDate)
        return ReadResult(format: format, articles: [article], encoding: decoded.encoding, encodingFallback: decoded.usedFallback)
    }

    private static func looksLikeUTF16(_ bytes: [UInt8]) -> Bool {
        bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF])
    }
}
