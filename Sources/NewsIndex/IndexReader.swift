public import Control
public import FoundationEssentials
import NewsCore

/// The index, read side: the questions `newsinboxctl search|story|trending|quotes` ask. One read-only
/// connection per reader, used from one queue at a time; WAL lets it read while the writer commits.
public final class IndexReader {
    let db: SQLiteConnection

    public init(path: String) throws {
        db = try SQLiteConnection(path: path, readOnly: true)
    }

    // The answers are the control socket's reply types.
    public typealias ArticleRow = IndexedArticle
    public typealias SearchResult = SearchReply
    public typealias Story = StoryReply
    public typealias Trending = TrendingReply
    public typealias TrendingEntity = TrendingReply.Entity
    public typealias Quotes = QuotesReply

    public struct SearchQuery: Sendable {
        public var entity: String?
        public var type: String?
        public var feed: String?
        public var since: String?
        public var until: String?
        public var text: String?
        public var limit = 20
        public init(entity: String? = nil, type: String? = nil, feed: String? = nil, since: String? = nil, until: String? = nil,
                    text: String? = nil, limit: Int = 20) {
            self.entity = entity
            self.type = type
            self.feed = feed
            self.since = since
            self.until = until
            self.text = text
            self.limit = limit
        }
    }

    static let articleColumns = """
        a.id, a.headline, a.date, a.feed, a.file, a.story_id,
        CASE WHEN a.tombstone THEN 'withdrawn' WHEN a.current THEN 'current' ELSE 'superseded' END
        """

    static func articleRow(_ s: Statement) -> ArticleRow {
        ArticleRow(id: s.text(0) ?? "", headline: s.text(1) ?? "", date: s.text(2), feed: s.text(3), file: s.text(4) ?? "",
                   storyID: s.text(5) ?? "", status: s.text(6) ?? "")
    }

    /// Searchable: the current version of its story, not withdrawn (a tombstone as the latest version
    /// withdraws the guid). Newest first by article time.
    public func search(_ q: SearchQuery) throws -> SearchResult {
        defer { db.finish() }
        var conditions = ["a.current = 1", "a.tombstone = 0"]
        var values: [Statement.Value] = []
        // Candidates by rowid (from mentions or the full text) are tested against the searchable index,
        // not their rows; without them the planner walks `articles_newest` or `articles_feed_newest`.
        var byRowid = false
        if let name = q.entity {
            var entityFilter = "SELECT n.entity FROM entity_names n"
            if q.type != nil { entityFilter += " JOIN entities e ON e.rowid = n.entity AND e.type = ?" }
            entityFilter += " WHERE n.name = ?"
            if let type = q.type { values.append(.text(type.uppercased())) }
            values.append(.text(EntityKey.fold(name)))
            conditions.append("a.rowid IN (SELECT m.article FROM mentions m WHERE m.entity IN (\(entityFilter)))")
            byRowid = true
        } else if let type = q.type, let bit = IndexSchema.typeBits[type.uppercased()] {
            conditions.append("(a.types & ?) != 0")
            values.append(.int(bit))
        } else if let type = q.type {
            conditions.append("a.rowid IN (SELECT m.article FROM mentions m JOIN entities e ON e.rowid = m.entity WHERE e.type = ?)")
            byRowid = true
            values.append(.text(type.uppercased()))
        }
        if let feed = q.feed { conditions.append("a.feed = ?"); values.append(.text(feed)) }
        if let since = q.since { conditions.append("a.date >= ?"); values.append(.text(since)) }
        if let until = q.until { conditions.append("a.date <= ?"); values.append(.text(until)) }
        if let text = q.text, let match = Self.ftsQuery(text) {
            conditions.append("a.rowid IN (SELECT rowid FROM fulltext WHERE fulltext MATCH ?)")
            byRowid = true
            values.append(.text(match))
        }
        let whereClause = conditions.joined(separator: " AND ")
        let searchable = byRowid ? "articles a INDEXED BY articles_searchable" : "articles a"
        let count = try db.statement("SELECT count(*) FROM \(searchable) WHERE \(whereClause)").bind(values)
        let total = try count.step() ? Int(count.int(0)) : 0
        // The page is chosen among index entries; only its rows are read.
        let rows = try db.statement("""
            SELECT \(Self.articleColumns) FROM articles a WHERE a.rowid IN (
                SELECT a.rowid FROM \(searchable) WHERE \(whereClause) ORDER BY a.time DESC, a.id LIMIT ?)
            ORDER BY a.time DESC, a.id
            """).bind(values + [.int(Int64(max(0, q.limit)))]).rows(Self.articleRow)
        return SearchResult(articles: rows, total: total)
    }

    /// Every word as a quoted FTS5 term, all required: no query syntax reaches FTS5 from the caller.
    static func ftsQuery(_ words: String) -> String? {
        let terms = words.split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map { "\"\($0)\"" }
        return terms.isEmpty ? nil : terms.joined(separator: " AND ")
    }

    /// A story by its id or the id of any of its articles, oldest first; nil when neither is indexed.
    public func story(_ id: String) throws -> Story? {
        defer { db.finish() }
        let find = try db.statement("SELECT story_id FROM articles WHERE id = ?1 OR story_id = ?1 LIMIT 1").bind(.text(id))
        guard try find.step(), let story = find.text(0) else { return nil }
        let rows = try db.statement("SELECT \(Self.articleColumns) FROM articles a WHERE a.story_id = ? ORDER BY a.time, a.processed_at, a.id")
            .bind(.text(story)).rows(Self.articleRow)
        return Story(storyID: story, articles: rows)
    }

    /// Entities by how many more articles named them in (now - window, now] than in the window
    /// before it; ties by count, then name.
    public func trending(window seconds: Int64, type: String?, limit: Int, now: Int64 = Int64(Date().timeIntervalSince1970)) throws -> Trending {
        defer { db.finish() }
        let start = now - seconds
        let before = start - seconds
        let wanted = type?.uppercased()
        var counts: [Int64: (now: Int, before: Int)] = [:]
        try tally(after: before, upTo: start, type: wanted) { counts[$0, default: (0, 0)].before += $1 }
        try tally(after: start, upTo: now, type: wanted) { counts[$0, default: (0, 0)].now += $1 }
        func rank(_ c: (now: Int, before: Int)) -> (Int, Int) { (c.now - c.before, c.now) }
        let ranked = counts.filter { $0.value.now > 0 }.sorted { rank($0.value) > rank($1.value) }
        // Names and types only for the entities that can make the list: ties at the last place are
        // all read, so the order by name is exact. (The edge scans count every type: checked here.)
        let entity = try db.statement("SELECT name, type FROM entities WHERE rowid = ?")
        var picked: [(rank: (Int, Int), entity: TrendingEntity)] = []
        for (rowid, c) in ranked {
            if picked.count >= limit, picked.last.map({ rank(c) < $0.rank }) ?? true { break }
            entity.reset()
            entity.bind(.int(rowid))
            guard try entity.step() else { continue }
            let name = entity.text(0) ?? "", entityType = entity.text(1) ?? ""
            if let wanted, entityType != wanted { continue }
            picked.append((rank(c), TrendingEntity(name: name, type: entityType, count: c.now, previous: c.before)))
        }
        let rows = picked.sorted {
            $0.rank != $1.rank ? $0.rank > $1.rank : Array($0.entity.name.utf8).lexicographicallyPrecedes(Array($1.entity.name.utf8))
        }.prefix(max(0, limit)).map(\.entity)
        return Trending(entities: rows, since: UTCTimestamp.string(from: Date(timeIntervalSince1970: TimeInterval(start))),
                        until: UTCTimestamp.string(from: Date(timeIntervalSince1970: TimeInterval(now))))
    }

    static let daySeconds: Int64 = 86_400

    /// Adds, per entity, how many searchable articles with a time in (`lo`, `hi`] name it: the whole
    /// days inside from `entity_days` (of `type` only, when given), the part-days at either edge from
    /// the articles and their mentions (of every type). So a window costs its days' entity rows plus
    /// at most a day of articles at each edge, not every mention in it.
    private func tally(after lo: Int64, upTo hi: Int64, type: String?, add: (Int64, Int) -> Void) throws {
        guard hi > lo else { return }
        let d = Self.daySeconds
        // Day k covers [k * d, (k + 1) * d); the whole days inside (lo, hi]: first...last.
        let first = Self.floorDiv(lo, d) + 1, last = Self.floorDiv(hi + 1, d) - 1
        var edges: [(after: Int64, upTo: Int64)] = [(lo, hi)]
        if first <= last {
            edges = [(lo, first * d - 1), ((last + 1) * d - 1, hi)]
            let days = try db.statement("SELECT entity, count FROM entity_days WHERE type = ? AND day BETWEEN ? AND ?")
            for t in try type.map({ [$0] }) ?? dayTypes() {
                days.reset()
                days.bind(.text(t), .int(first), .int(last))
                while try days.step() { add(days.int(0), Int(days.int(1))) }
            }
        }
        let mentions = try db.statement("""
            SELECT m.entity FROM articles a JOIN mentions m ON m.article = a.rowid
            WHERE a.current = 1 AND a.tombstone = 0 AND a.time > ? AND a.time <= ?
            """)
        for edge in edges where edge.upTo > edge.after {
            mentions.reset()
            mentions.bind(.int(edge.after), .int(edge.upTo))
            while try mentions.step() { add(mentions.int(0), 1) }
        }
    }

    /// The entity types in `entity_days`, one index seek each (not a scan of the table).
    private func dayTypes() throws -> [String] {
        let next = try db.statement("SELECT type FROM entity_days WHERE type > ? ORDER BY type LIMIT 1")
        var types: [String] = []
        while true {
            next.reset()
            next.bind(.text(types.last ?? ""))
            guard try next.step(), let t = next.text(0) else { return types }
            types.append(t)
        }
    }

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : -((-a + b - 1) / b) }

    /// Quotes from searchable articles, newest first; `speaker` matches the speaker entity's surface
    /// forms (as `search --entity` does) or the speaker as written.
    public func quotes(speaker: String?, since: String?, limit: Int) throws -> Quotes {
        defer { db.finish() }
        var conditions = ["a.current = 1", "a.tombstone = 0"]
        var values: [Statement.Value] = []
        if let speaker {
            conditions.append("(q.speaker_entity IN (SELECT entity FROM entity_names WHERE name = ?) OR q.speaker = ? COLLATE NOCASE)")
            values.append(.text(EntityKey.fold(speaker)))
            values.append(.text(speaker))
        }
        if let since { conditions.append("a.date >= ?"); values.append(.text(since)) }
        // By speaker: the candidate quotes come from the two speaker indexes and are tested against
        // the searchable index; without one the planner walks `articles_newest`. Either way the page is
        // chosen first and only its quotes' text is read.
        let articles = speaker == nil ? "articles a" : "articles a INDEXED BY articles_searchable"
        let s = try db.statement("""
            SELECT a.id, coalesce(e.name, q.speaker), q.text, q.cue, a.date
            FROM quotes q JOIN articles a ON a.rowid = q.article LEFT JOIN entities e ON e.rowid = q.speaker_entity
            WHERE q.rowid IN (
                SELECT q.rowid FROM quotes q JOIN \(articles) ON a.rowid = q.article
                WHERE \(conditions.joined(separator: " AND ")) ORDER BY a.time DESC, a.id, q.rowid LIMIT ?)
            ORDER BY a.time DESC, a.id, q.rowid
            """).bind(values + [.int(Int64(max(0, limit)))])
        return Quotes(quotes: try s.rows { QuotesReply.Quote(articleID: $0.text(0) ?? "", speaker: $0.text(1), text: $0.text(2) ?? "", cue: $0.text(3), date: $0.text(4)) })
    }

    /// Rows per table and the database's size, for `status` and the benchmark.
    public func sizes() throws -> [String: Int] {
        defer { db.finish() }
        var out: [String: Int] = [:]
        for table in ["articles", "entities", "mentions", "quotes", "times", "story_bands"] {
            let s = try db.statement("SELECT count(*) FROM \(table)")
            out[table] = try s.step() ? Int(s.int(0)) : 0
        }
        let pages = try db.statement("SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()")
        out["bytes"] = try pages.step() ? Int(pages.int(0)) : 0
        return out
    }
}
