import Foundation
@testable import Extraction

/// The seed article and the TimeML corpus, read from the shared corpora beside the repository.
enum SharedCorpora {
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/corpora")

    static func text(_ relative: String) -> String? {
        (try? Data(contentsOf: root.appendingPathComponent(relative))).flatMap { String(data: $0, encoding: .utf8) }
    }

    /// The seed article without its " date 2023-02-12 " prefix, as a document dated by that prefix.
    static func seed() -> Document? {
        guard let raw = text("seed/dawn-2023-02-12.txt") else {
            print("SKIP: /work/shared/corpora/seed/dawn-2023-02-12.txt not found beside the repository")
            return nil
        }
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
