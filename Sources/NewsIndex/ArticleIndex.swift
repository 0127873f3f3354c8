import FoundationEssentials
import NewsCore
import Glibc

/// The embedded index, writer side: one connection, owned by whoever writes (the daemon's write stage,
/// or `reindex`). Readers open their own connection (`IndexReader`); WAL lets them read while a batch
/// is written.
///
/// Every change is an upsert by article id inside one transaction per batch, so applying the same
/// batch twice (a retry after a crash or a stalled write) leaves the same rows.
public final class ArticleIndex {
    public static let fileName = "index.sqlite"
    public static var schemaVersion: Int { IndexSchema.version }

    public let path: String
    let db: SQLiteConnection
    /// Story decisions of the batch being written, not yet in the tables: a copy that arrives in the
    /// same batch as its original still finds it.
    private var batchCandidates: [Int64: [StoryMatcher.Candidate]] = [:]
    private var batchGuids: [String: String] = [:]
    private var batchIDs: [String: String] = [:]
    private var written = EntityRowCache()

    /// Why the index was created afresh at open, if it was (missing, unreadable, another schema):
    /// the caller fills it from out/ and says so.
    public private(set) var createdBecause: String?

    public struct Batch: Sendable {
        public var records: [(IndexRecord, StorySignature?)] = []
        public var duplicates: [(file: String, of: String)] = []
        public var failures: [(file: String, stage: String, reason: String)] = []
        public var time = UTCTimestamp.string(from: Date())
        public init() {}
        public var isEmpty: Bool { records.isEmpty && duplicates.isEmpty && failures.isEmpty }
    }

    /// Opens `path`, creating it when missing; one that cannot be opened or has another schema version
    /// is moved aside (`index.sqlite.broken`) and created afresh (see `createdBecause`).
    public init(path: String) throws {
        self.path = path
        let existed = FileManager.default.fileExists(atPath: path)
        var problem: String? = existed ? nil : "there was no index"
        var connection: SQLiteConnection?
        if existed {
            do {
                let c = try SQLiteConnection(path: path)
                try c.execute("PRAGMA journal_mode=WAL")
                let version = try Self.readSchemaVersion(c)
                if version == IndexSchema.version {
                    connection = c
                } else {
                    problem = "the index has schema version \(version.map(String.init) ?? "none"), this build needs \(IndexSchema.version)"
                }
            } catch {
                problem = "the index could not be opened (\(error))"
            }
        }
        if connection == nil {
            if existed {
                for suffix in ["", "-wal", "-shm"] { rename(path + suffix, path + ".broken" + suffix) }
            }
            let c = try SQLiteConnection(path: path)
            try Self.create(c)
            connection = c
        }
        db = connection!
        createdBecause = problem
        // The outputs are the truth and the daemon reconciles at start-up, so a power loss may cost the
        // last commits (rebuilt from out/); a kill -9 loses nothing in WAL mode.
        try db.execute("PRAGMA synchronous=NORMAL")
        try db.execute("PRAGMA foreign_keys=OFF")
    }

    static func readSchemaVersion(_ c: SQLiteConnection) throws -> Int? {
        defer { c.finish() }
        let s = try c.statement("SELECT value FROM meta WHERE key = 'schema_version'")
        return try s.step() ? s.text(0).flatMap { Int($0) } : nil
    }

    private static func create(_ c: SQLiteConnection) throws {
        defer { c.finish() }
        try c.execute("PRAGMA journal_mode=WAL")
        try c.transaction {
            for statement in IndexSchema.statements { try c.execute(statement) }
            try c.statement("INSERT INTO meta(key, value) VALUES('schema_version', ?)").bind(.int(Int64(IndexSchema.version))).run()
        }
    }

    // MARK: - Stories (on the writer, in batch order, before the outputs are encoded)

    /// The story `record` belongs to. Call in the order articles are written; `apply` forgets the
    /// batch's own decisions once they are in the tables.
    public func storyID(for record: IndexRecord, signature: StorySignature?) throws -> String {
        defer { db.finish() }
        // Decided before (a resumed or retried item): the same answer.
        let known = try db.statement("SELECT story_id FROM articles WHERE id = ?").bind(.text(record.id))
        if try known.step(), let story = known.text(0) { return story }
        // Another version of the same guid, or the one it names as superseded.
        if let story = batchGuids[record.guid] { return story }
        if let s = try? db.statement("SELECT story_id FROM articles WHERE guid = ? AND id <> ? ORDER BY version LIMIT 1")
            .bind(.text(record.guid), .text(record.id)), try s.step(), let story = s.text(0) {
            return remember(record, story: story, signature: signature)
        }
        if let supersedes = record.supersedes {
            if let story = batchIDs[supersedes] { return remember(record, story: story, signature: signature) }
            let s = try db.statement("SELECT story_id FROM articles WHERE id = ?").bind(.text(supersedes))
            if try s.step(), let story = s.text(0) { return remember(record, story: story, signature: signature) }
        }
        guard let signature, !signature.isEmpty else { return remember(record, story: record.id, signature: nil) }

        let keys = StoryMatcher.entityKeys(record)
        let day = StoryMatcher.day(record)
        var best: (score: Double, story: String)?
        func consider(_ c: StoryMatcher.Candidate) {
            guard c.id != record.id, let score = StoryMatcher.score(signature, day: day, entityKeys: keys, against: c) else { return }
            if best == nil || score > best!.score { best = (score, c.storyID) }
        }
        var seen: Set<Int64> = []
        let bucket = try db.statement("SELECT article FROM story_bands WHERE key = ? ORDER BY article DESC LIMIT \(StoryMatcher.bucketLimit)")
        for key in signature.bandKeys {
            for c in batchCandidates[key] ?? [] { consider(c) }
            bucket.reset()
            bucket.bind(.int(key))
            while try bucket.step() { seen.insert(bucket.int(0)) }
        }
        for row in seen {
            // A candidate's entity keys cost a query: read them only for one whose text and date match
            // (with no keys, `score` skips the entity check).
            guard var c = try candidate(rowid: row), c.id != record.id,
                  StoryMatcher.score(signature, day: day, entityKeys: keys, against: c) != nil else { continue }
            c.entityKeys = try entityKeys(rowid: row)
            consider(c)
        }
        return remember(record, story: best?.story ?? record.id, signature: signature)
    }

    private func remember(_ record: IndexRecord, story: String, signature: StorySignature?) -> String {
        batchGuids[record.guid] = story
        batchIDs[record.id] = story
        if let signature, !signature.isEmpty {
            let c = StoryMatcher.Candidate(id: record.id, storyID: story, signature: signature, day: StoryMatcher.day(record),
                                           entityKeys: StoryMatcher.entityKeys(record))
            for key in signature.bandKeys { batchCandidates[key, default: []].append(c) }
        }
        return story
    }

    /// An indexed article as a story candidate, without its entity keys (`entityKeys(rowid:)`).
    private func candidate(rowid: Int64) throws -> StoryMatcher.Candidate? {
        let s = try db.statement("SELECT id, story_id, signature, date FROM articles WHERE rowid = ?").bind(.int(rowid))
        guard try s.step(), let id = s.text(0), let story = s.text(1), let signature = StorySignature(blob: s.blob(2)) else { return nil }
        let day = s.text(3).flatMap(IndexTime.parseDate).map { $0 / 86_400 }
        return StoryMatcher.Candidate(id: id, storyID: story, signature: signature, day: day, entityKeys: [])
    }

    /// The keys of the people, organisations and places an indexed article names.
    private func entityKeys(rowid: Int64) throws -> Set<String> {
        let e = try db.statement("""
            SELECT e.key FROM mentions m JOIN entities e ON e.rowid = m.entity
            WHERE m.article = ? AND e.type IN ('PERSON', 'ORG', 'PLACE')
            """).bind(.int(rowid))
        return Set(try e.rows { $0.text(0) ?? "" })
    }

    // MARK: - Writing

    /// Upserts the batch in one transaction.
    public func apply(_ batch: Batch) throws {
        defer { db.finish() }
        defer { forgetBatch() }
        guard !batch.isEmpty else { return }
        do {
            try write(batch)
            written.committed()
        } catch {
            written.rolledBack()
            throw error
        }
    }

    private func write(_ batch: Batch) throws {
        try db.transaction {
            for (record, signature) in batch.records { try upsert(record, signature: signature) }
            for d in batch.duplicates {
                try db.statement("INSERT OR REPLACE INTO duplicates(file, article_id, time) VALUES(?, ?, ?)")
                    .bind(.text(d.file), .text(d.of), .text(batch.time)).run()
            }
            for f in batch.failures {
                try db.statement("INSERT OR REPLACE INTO failures(file, stage, reason, time) VALUES(?, ?, ?, ?)")
                    .bind(.text(f.file), .text(f.stage), .text(f.reason), .text(batch.time)).run()
            }
        }
    }

    /// Drops the story decisions of a batch that will not be applied (it is decided again on retry).
    public func forgetBatch() {
        batchCandidates.removeAll(keepingCapacity: true)
        batchGuids.removeAll(keepingCapacity: true)
        batchIDs.removeAll(keepingCapacity: true)
    }

    private func upsert(_ r: IndexRecord, signature: StorySignature?) throws {
        try delete(id: r.id)
        try db.statement("""
            INSERT INTO articles(id, file, feed, format, guid, version, tombstone, supersedes, story_id, date, timestamp,
                                 processed_at, time, headline, signature, types)
            VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).bind(
                .text(r.id), .text(r.file), .init(r.feed), .text(r.format), .text(r.guid), .int(Int64(r.version)),
                .int(r.tombstone ? 1 : 0), .init(r.supersedes), .text(r.storyID), .init(r.date), .init(r.timestamp),
                .text(r.processedAt), .int(r.time), .text(r.headline), signature.map { .blob($0.blob) } ?? .null,
                .int(IndexSchema.types(of: r.entities))).run()
        let article = db.lastInsertRowID

        var local: [String: Int64] = [:]
        for entity in r.entities {
            let rowid = try entityRow(entity)
            local[entity.localID] = rowid
            try db.statement("""
                INSERT INTO mentions(article, entity, count) VALUES(?, ?, ?)
                ON CONFLICT(article, entity) DO UPDATE SET count = count + excluded.count
                """).bind(.int(article), .int(rowid), .int(Int64(entity.mentions))).run()
        }
        for q in r.quotes {
            try db.statement("INSERT INTO quotes(article, speaker_entity, speaker, text, cue) VALUES(?, ?, ?, ?, ?)")
                .bind(.int(article), q.speakerLocalID.flatMap { local[$0] }.map { .int($0) } ?? .null, .init(q.speaker), .text(q.text), .init(q.cue))
                .run()
        }
        for t in r.times {
            try db.statement("INSERT INTO times(article, type, value, text) VALUES(?, ?, ?, ?)")
                .bind(.int(article), .text(t.type), .text(t.value), .text(t.text)).run()
        }
        try db.statement("INSERT INTO fulltext(rowid, headline, text) VALUES(?, ?, ?)").bind(.int(article), .text(r.headline), .text(r.text)).run()
        if let keys = signature?.bandKeys, !keys.isEmpty {
            // One statement for the 32 band rows.
            let values = Array(repeating: "(?, ?)", count: keys.count).joined(separator: ", ")
            try db.statement("INSERT OR IGNORE INTO story_bands(key, article) VALUES \(values)")
                .bind(keys.flatMap { [.int($0), .int(article)] }).run()
        }
        try updateCurrent(guid: r.guid)
    }

    /// The entity's rowid, its forms and lookup names recorded; what this connection wrote before is
    /// neither looked up nor inserted again.
    private func entityRow(_ entity: IndexRecord.Entity) throws -> Int64 {
        let rowid: Int64
        if let known = written.rowid(key: entity.key) {
            rowid = known
        } else {
            let s = try db.statement("SELECT rowid FROM entities WHERE key = ?").bind(.text(entity.key))
            if try s.step() {
                rowid = s.int(0)
            } else {
                try db.statement("INSERT INTO entities(key, type, name, code) VALUES(?, ?, ?, ?)")
                    .bind(.text(entity.key), .text(entity.type), .text(entity.name), .init(entity.code)).run()
                rowid = db.lastInsertRowID
            }
            written.note(key: entity.key, rowid: rowid)
        }
        for form in entity.forms where written.isNew(.init(entity: rowid, text: form, isName: false)) {
            try db.statement("INSERT OR IGNORE INTO entity_forms(entity, form) VALUES(?, ?)").bind(.int(rowid), .text(form)).run()
        }
        for name in entity.lookupKeys where written.isNew(.init(entity: rowid, text: name, isName: true)) {
            try db.statement("INSERT OR IGNORE INTO entity_names(name, entity) VALUES(?, ?)").bind(.text(name), .int(rowid)).run()
        }
        return rowid
    }

    /// The latest version of a guid is the current one; the others are superseded.
    private func updateCurrent(guid: String) throws {
        try db.statement("""
            UPDATE articles SET current = (rowid = (SELECT rowid FROM articles WHERE guid = ?1
                                                    ORDER BY version DESC, processed_at DESC, id DESC LIMIT 1))
            WHERE guid = ?1
            """).bind(.text(guid)).run()
    }

    /// Removes an article and everything that hangs off it (no-op when it is not indexed).
    public func delete(id: String) throws {
        let s = try db.statement("SELECT rowid, signature, guid FROM articles WHERE id = ?").bind(.text(id))
        guard try s.step() else { return }
        let rowid = s.int(0)
        let signature = StorySignature(blob: s.blob(1))
        let guid = s.text(2) ?? ""
        for sql in ["DELETE FROM mentions WHERE article = ?", "DELETE FROM quotes WHERE article = ?",
                    "DELETE FROM times WHERE article = ?", "DELETE FROM fulltext WHERE rowid = ?", "DELETE FROM articles WHERE rowid = ?"] {
            try db.statement(sql).bind(.int(rowid)).run()
        }
        if let keys = signature?.bandKeys, !keys.isEmpty {
            let list = Array(repeating: "?", count: keys.count).joined(separator: ", ")
            try db.statement("DELETE FROM story_bands WHERE article = ? AND key IN (\(list))")
                .bind([.int(rowid)] + keys.map { .int($0) }).run()
        }
        try updateCurrent(guid: guid)
    }

    /// Removes articles whose outputs are gone, in one transaction.
    public func delete(ids: some Sequence<String>) throws {
        defer { db.finish() }
        try db.transaction { for id in ids { try delete(id: id) } }
    }

    /// The story an indexed article belongs to.
    public func storyID(ofIndexed id: String) throws -> String? {
        defer { db.finish() }
        let s = try db.statement("SELECT story_id FROM articles WHERE id = ?").bind(.text(id))
        return try s.step() ? s.text(0) : nil
    }

    /// Every indexed article id.
    public func indexedIDs() throws -> Set<String> {
        defer { db.finish() }
        return Set(try db.statement("SELECT id FROM articles").rows { $0.text(0) ?? "" })
    }

    public func count() throws -> Int {
        defer { db.finish() }
        let s = try db.statement("SELECT count(*) FROM articles")
        return try s.step() ? Int(s.int(0)) : 0
    }
}
