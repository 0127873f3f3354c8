import ArticleReaders
public import Extraction
public import FoundationEssentials
public import NewsIndex
public import NewsCore

/// The daemon's read + extract + encode path without the spool, for `newsinbox extract`.
public enum OfflineExtraction {
    public static func run(bytes: [UInt8], file: String, fileDate: ArticleDate?, models: ExtractionModels,
                           pretty: Bool = false, timeout: Double = 30) throws -> [[UInt8]] {
        ArticleReading.prepare()
        let processor = ArticleProcessor(extractor: Extractor(models: models))
        let processed = try processor.process(bytes: bytes, file: file, fileDate: fileDate, deadline: .after(seconds: timeout))
        return try processed.articles.enumerated().map { index, entry in
            try ResultDocument(id: entry.id, item: index, processed: processed, supersedes: nil, processedAt: Date()).encoded(pretty: pretty)
        }
    }

    public static func utcDate(_ date: Date) -> ArticleDate? {
        Worker.utcDate(seconds: Int(date.timeIntervalSince1970))
    }
}

/// The daemon's read + extract path down to the index rows, for `newsinbox bench stories|index`.
public enum OfflineIndexing {
    public static func entries(bytes: [UInt8], file: String, models: ExtractionModels, timeout: Double = 30) throws -> [(IndexRecord, StorySignature)] {
        ArticleReading.prepare()
        let processor = ArticleProcessor(extractor: Extractor(models: models))
        let processed = try processor.process(bytes: bytes, file: file, fileDate: nil, deadline: .after(seconds: timeout))
        return processed.articles.indices.map { index in
            let record = IndexRecord(ResultDocument(id: processed.articles[index].id, item: index, processed: processed,
                                                    supersedes: nil, processedAt: Date()))
            return (record, StorySignature.compute(text: record.text))
        }
    }
}
