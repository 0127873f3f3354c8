public import NewsCore

/// One normalised article, whatever format it arrived in.
public struct Article: Sendable {
    public enum Status: String, Sendable, Encodable {
        case usable
        /// The provider withdrew the story: the result is a tombstone, not an article.
        case canceled
        case withheld
    }

    /// Where the published date came from.
    public enum DateSource: String, Sendable, Encodable {
        case content     // the format carried it (a `date` line, a meta tag, a NewsML versionCreated)
        case fileTime    // nothing in the content: the file's modification time, flagged as such
    }

    public var guid: String?
    public var version: Int?
    public var headline: String
    public var byline: String?
    public var dateline: String?
    public var date: ArticleDate?
    /// The full timestamp when the format has one (ISO 8601, as given).
    public var timestamp: String?
    public var dateSource: DateSource = .content
    public var language: String?
    /// The agency or service that sent the item, when the format names one (NewsML provider, NITF
    /// `doc-id regsrc` or copyright holder, ninjs copyright holder, the page's `og:site_name`).
    public var provider: String?
    public var urgency: Int?
    public var subjects: [String] = []
    public var keywords: [String] = []
    /// Body paragraphs of clean text. `text` joins them with blank lines.
    public var paragraphs: [String]
    public var status: Status = .usable

    public init(headline: String, paragraphs: [String]) {
        self.headline = headline
        self.paragraphs = paragraphs
    }

    public var text: String { paragraphs.joined(separator: "\n\n") }
}

/// What a reader gets: the bytes as dropped and what the spool knows about them.
public struct ReadInput: Sendable {
    public var bytes: [UInt8]
    /// The path as dropped, relative to the inbox (`reuters/x.xml`): a hint for sniffing only.
    public var fileName: String
    /// The file's modification date, used only when the content carries no date.
    public var fileDate: ArticleDate?

    public init(bytes: [UInt8], fileName: String, fileDate: ArticleDate? = nil) {
        self.bytes = bytes
        self.fileName = fileName
        self.fileDate = fileDate
    }
}

/// What came out of one file.
public struct ReadResult: Sendable {
    /// The format name as it appears in `source.format` (`text`, `seed-text`, `nitf`, `gzip+nitf`, ...).
    public var format: String
    public var articles: [Article]
    /// The character set the text was decoded from, and whether a fallback was used.
    public var encoding: String
    public var encodingFallback: Bool

    public init(format: String, articles: [Article], encoding: String, encodingFallback: Bool) {
        self.format = format
        self.articles = articles
        self.encoding = encoding
        self.encodingFallback = encodingFallback
    }
}

/// Why a file could not be read: the format and a reason an operator understands.
public struct ReaderError: Error, Sendable, CustomStringConvertible {
    public var format: String
    public var reason: String

    public init(format: String, reason: String) {
        self.format = format
        self.reason = reason
    }

    public var description: String { "\(format): \(reason)" }
}

/// Limits that keep hostile input bounded.
public struct ReadLimits: Sendable {
    /// Bytes after decompression (gzip): a bomb fails with "too large after decompression".
    public var maxDecompressedBytes: Int

    public init(maxDecompressedBytes: Int = 64 << 20) {
        self.maxDecompressedBytes = maxDecompressedBytes
    }
}
