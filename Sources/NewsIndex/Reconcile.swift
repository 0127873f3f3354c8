import FoundationEssentials
import Glibc

/// Brings the index in line with out/, which is the truth: outputs the index lacks are indexed (read
/// back from their JSON), indexed articles without an output are removed. Used at the daemon's start
/// (after a crash or a power loss, or when the index was created afresh) and by `newsinbox reindex`.
public enum IndexReconcile {
    public struct Result: Sendable, Equatable {
        public var added = 0
        public var removed = 0
        /// Outputs that could not be read as an article (named in `problems`).
        public var unreadable = 0
        public var problems: [String] = []
    }

    /// The ids of the outputs in `outputDirectory` (`<id>.json`; temporaries are dot-files).
    public static func outputIDs(in outputDirectory: String) throws -> Set<String> {
        let names = try FileManager.default.contentsOfDirectory(atPath: outputDirectory)
        return Set(names.filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }.map { String($0.dropLast(5)) })
    }

    /// Indexes the missing outputs in batches of `batchSize`, in the order they were processed (so
    /// story ids already written in them are kept, and their LSH buckets filled).
    public static func run(_ index: ArticleIndex, outputDirectory: String, batchSize: Int = 500) throws -> Result {
        let onDisk = try outputIDs(in: outputDirectory)
        let indexed = try index.indexedIDs()
        var result = Result()
        let gone = indexed.subtracting(onDisk)
        if !gone.isEmpty { try index.delete(ids: gone) }
        result.removed = gone.count

        var records: [IndexRecord] = []
        for id in onDisk.subtracting(indexed) {
            let path = outputDirectory + "/" + id + ".json"
            do {
                guard let data = FileManager.default.contents(atPath: path) else { throw CocoaError(.fileReadUnknown) }
                records.append(try IndexRecord(output: data))
            } catch {
                result.unreadable += 1
                if result.problems.count < 20 { result.problems.append("\(path): \(error)") }
            }
        }
        records.sort { ($0.processedAt, $0.id) < ($1.processedAt, $1.id) }
        var batch = ArticleIndex.Batch()
        for record in records {
            batch.records.append((record, StorySignature.compute(text: record.text)))
            if batch.records.count >= batchSize {
                try index.apply(batch)
                batch = ArticleIndex.Batch()
            }
        }
        try index.apply(batch)
        result.added = records.count
        return result
    }

    /// Builds a new index at `path` from the outputs alone: written next to it and renamed over it, so
    /// a reader never sees a half-built index.
    public static func rebuild(path: String, outputDirectory: String) throws -> Result {
        let temporary = path + ".rebuild"
        for suffix in ["", "-wal", "-shm"] { unlink(temporary + suffix) }
        var result: Result
        do {
            let index = try ArticleIndex(path: temporary)
            result = try run(index, outputDirectory: outputDirectory)
            try index.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        }
        for suffix in ["-wal", "-shm"] { unlink(path + suffix); unlink(temporary + suffix) }
        guard Glibc.rename(temporary, path) == 0 else {
            throw SQLiteError(code: -1, message: "cannot rename \(temporary) to \(path): \(String(cString: strerror(errno)))")
        }
        return result
    }
}
