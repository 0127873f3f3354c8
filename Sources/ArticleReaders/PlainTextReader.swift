import NewsCore

/// The inbox's own plain-text format and plain text in general.
///
/// Seed format: optional leading white space, `date YYYY-MM-DD`, then the article on the same line or
/// the next; paragraphs are separated by blank lines; the headline is the first sentence.
/// Plain text: the first line is the headline when a blank line follows it (the BBC files), otherwise
/// the first sentence is.
enum PlainTextReader {
    static func read(_ text: String, fileDate: ArticleDate?) throws(ReaderError) -> (format: String, article: Article) {
        var body = Substring(text)
        var date: ArticleDate?
        var format = "text"
        if let (parsed, rest) = leadingDateLine(body) {
            date = parsed
            body = rest
            format = "seed-text"
        }
        let paragraphs = splitParagraphs(body)
        guard !paragraphs.isEmpty else {
            throw ReaderError(format: format, reason: "no text: the file is empty or white space only")
        }

        var headline: String
        var bodyParagraphs = paragraphs
        if format == "text", let first = paragraphs.first, !first.contains("\n"), paragraphs.count > 1,
           first.unicodeScalars.count <= 200 {
            headline = first
            bodyParagraphs.removeFirst()
        } else {
            headline = FirstSentence.of(paragraphs[0])
        }
        headline = collapseWhiteSpace(headline)

        var article = Article(headline: headline, paragraphs: bodyParagraphs.map(collapseWhiteSpace))
        if let date {
            article.date = date
        } else if let fileDate {
            article.date = fileDate
            article.dateSource = .fileTime
        }
        return (format, article)
    }

    /// `date YYYY-MM-DD` after optional white space, followed by white space or the end.
    static func leadingDateLine(_ text: Substring) -> (ArticleDate, Substring)? {
        var s = text.drop(while: { $0.isWhitespace })
        guard s.hasPrefix("date") else { return nil }
        s = s.dropFirst(4)
        guard let first = s.first, first == " " || first == "\t" else { return nil }
        s = s.drop(while: { $0 == " " || $0 == "\t" })
        let candidate = s.prefix(10)
        guard let date = ArticleDate(iso: candidate) else { return nil }
        let rest = s.dropFirst(10)
        if let next = rest.first, !next.isWhitespace { return nil }
        return (date, rest)
    }

    static func splitParagraphs(_ text: Substring) -> [String] {
        var paragraphs: [String] = []
        var current: [Substring] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingWhiteSpace()
            if trimmed.isEmpty {
                if !current.isEmpty { paragraphs.append(current.joined(separator: "\n")); current.removeAll() }
            } else {
                current.append(trimmed)
            }
        }
        if !current.isEmpty { paragraphs.append(current.joined(separator: "\n")) }
        return paragraphs
    }

    static func collapseWhiteSpace(_ s: String) -> String {
        s.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }
}

extension Substring {
    func trimmingWhiteSpace() -> Substring {
        var s = self
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return s
    }
}
