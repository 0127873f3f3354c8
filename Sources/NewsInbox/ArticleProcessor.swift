import ArticleReaders
import Extraction
import FoundationEssentials
import NewsCore

/// Read + extract for one file's bytes: the work a pipeline worker does, and what `newsinbox extract` runs.
public struct ArticleProcessor: Sendable {
    let extractor: Extractor
    let limits: ReadLimits

    init(extractor: Extractor, limits: ReadLimits = ReadLimits()) {
        self.extractor = extractor
        self.limits = limits
    }

    /// One file's results: one entry per article it carries.
    struct Processed: Sendable {
        var source: SourceInfo
        var articles: [(id: String, article: Article, extraction: Extraction?)]
    }

    struct SourceInfo: Sendable {
        var file: String
        var feed: String?
        var format: String
        var sha256: String
        var bytes: Int
        var encoding: String
        var encodingFallback: Bool
    }

    /// Why a file failed: the stage and a reason for the failed/ sidecar and the journal.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var stage: String
        public var reason: String
        var errno: Int32?
        /// The content's SHA-256 when the file was read (for the sidecar: computed once, by `process`).
        var sha256: String?

        init(stage: String, reason: String, errno: Int32? = nil, sha256: String? = nil) {
            self.stage = stage
            self.reason = reason
            self.errno = errno
            self.sha256 = sha256
        }

        public var description: String { "\(stage): \(reason)" }
    }

    func process(bytes: [UInt8], file: String, fileDate: ArticleDate?, deadline: Deadline) throws(Failure) -> Processed {
        let sha = SHA256.hex(bytes)
        let read: ReadResult
        do {
            read = try ArticleReading.read(ReadInput(bytes: bytes, fileName: file, fileDate: fileDate), limits: limits, deadline: deadline)
        } catch {
            throw Failure(stage: "read", reason: error.description, sha256: sha)
        }
        guard !read.articles.isEmpty else { throw Failure(stage: "read", reason: "\(read.format): no article in the file", sha256: sha) }
        let source = SourceInfo(
            file: file, feed: Self.feed(of: file), format: read.format, sha256: sha, bytes: bytes.count,
            encoding: read.encoding, encodingFallback: read.encodingFallback)
        var results: [(id: String, article: Article, extraction: Extraction?)] = []
        for (index, article) in read.articles.enumerated() {
            let id = ArticleIdentity.id(sha256: sha, item: index, of: read.articles.count)
            var extraction: Extraction?
            if article.status == .usable {
                do {
                    extraction = try extractor.extract(Document(text: article.text, date: article.date), deadline: deadline)
                } catch {
                    throw Failure(stage: "extract", reason: error.description, sha256: sha)
                }
            }
            results.append((id, article, extraction))
        }
        return Processed(source: source, articles: results)
    }

    /// The feed is the first directory of the path as dropped (`reuters/x.xml` -> `reuters`).
    static func feed(of file: String) -> String? {
        guard let slash = file.firstIndex(of: "/") else { return nil }
        return String(file[..<slash])
    }
}

/// Article ids: a function of the content, so the same bytes always give the same id and output path.
enum ArticleIdentity {
    /// The first 24 hex digits (96 bits) of the content's SHA-256; `-N` for the Nth of several items.
    static func id(sha256: String, item: Int, of count: Int) -> String {
        let base = String(sha256.prefix(24))
        return count == 1 ? base : "\(base)-\(item + 1)"
    }

    /// A name is an article id if it is 24 lower-case hex digits, optionally followed by `-N`.
    static func isID(_ text: String) -> Bool {
        let parts = text.split(separator: "-")
        guard (1...2).contains(parts.count), parts[0].count == 24,
              parts[0].allSatisfy({ $0.isHexDigit && !$0.isUppercase }) else { return false }
        return parts.count == 1 || Int(parts[1]) != nil
    }
}
