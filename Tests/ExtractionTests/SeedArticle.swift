import Foundation
import Testing
import TestSupport
@testable import Extraction
import NewsCore

/// The seed article and the TimeML corpus, read from the shared corpora beside the repository.
enum SharedCorpora {
    static var root: URL { Corpora.root }

    static func text(_ relative: String) -> String? {
        (try? Data(contentsOf: root.appendingPathComponent(relative))).flatMap { String(data: $0, encoding: .utf8) }
    }

    /// The seed article without its " date 2023-02-12 " prefix, as a document dated by that prefix.
    static func seed() throws -> Document {
        let raw = try Requirement.value(text("seed/dawn-2023-02-12.txt"), Corpora.absent("seed/dawn-2023-02-12.txt"))
        var body = Substring(raw)
        var date: ArticleDate?
        let trimmed = body.drop { $0 == " " }
        if trimmed.hasPrefix("date ") {
            let rest = trimmed.dropFirst(5)
            date = ArticleDate(iso: rest.prefix(10))
            body = rest.dropFirst(10).drop { $0 == " " }
        }
        return Document(text: String(body), date: date)
    }
}
