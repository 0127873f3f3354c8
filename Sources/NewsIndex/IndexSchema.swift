/// The index's tables (`state/index.sqlite`). `schemaVersion` is kept in `meta`; an index with another
/// version, or one that cannot be opened, is rebuilt from out/.
enum IndexSchema {
    // 2: 32 LSH bands of one minimum (the band keys of 1 are not comparable).
    // 3: the searchable articles as partial covering indexes; quotes by speaker as written.
    // 4: `articles.types`, in the covering indexes; names folded by EntityKey.fold's own table instead
    //    of Foundation's ICU folding (the keys of 3 may differ for a few letters).
    // 5: `entity_days`, kept by triggers, so `trending` sums days instead of reading every mention of
    //    its windows (62/69 ms CPU p50/p99 for `--since 7d --type PERSON` at 100,000 articles).
    static let version = 5

    /// The day (of the UTC calendar, from 1970) of `articles.time` as SQL: floor division, so a time
    /// before 1970 falls in its own day too (SQLite's `/` truncates toward zero).
    static func day(_ time: String) -> String { "((\(time) - (\(time) % 86400 + 86400) % 86400) / 86400)" }

    /// A searchable article (current, not withdrawn) as SQL, for the row `a`.
    static func searchable(_ a: String) -> String { "\(a).current = 1 AND \(a).tombstone = 0" }

    /// `articles.types`: a bit per entity type the article names, so `search --type` alone reads index
    /// entries instead of every mention of every entity of the type (376 ms CPU at 100,000 articles).
    /// A type without a bit is searched through `mentions`.
    static let typeBits: [String: Int64] = ["PERSON": 1, "ORG": 2, "PLACE": 4, "NORP": 8, "EVENT": 16, "MISC": 32]

    static func types(of entities: [IndexRecord.Entity]) -> Int64 {
        entities.reduce(0) { $0 | (typeBits[$1.type] ?? 0) }
    }

    static let statements = [
        "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        // `current`: the latest version of its guid; `time`: article.timestamp, else its date, else
        // processed_at, in seconds since 1970 (the clock of `trending`).
        """
        CREATE TABLE articles(
            rowid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, file TEXT NOT NULL, feed TEXT, format TEXT NOT NULL,
            guid TEXT NOT NULL, version INTEGER NOT NULL, tombstone INTEGER NOT NULL, supersedes TEXT,
            story_id TEXT NOT NULL, date TEXT, timestamp TEXT, processed_at TEXT NOT NULL, time INTEGER NOT NULL,
            headline TEXT NOT NULL, current INTEGER NOT NULL DEFAULT 1, signature BLOB, types INTEGER NOT NULL DEFAULT 0)
        """,
        "CREATE INDEX articles_story ON articles(story_id)",
        "CREATE INDEX articles_guid ON articles(guid)",
        // The searchable (current, not withdrawn) articles, with every column a listing filters or sorts
        // on, so a query reads these small entries and only the rows it returns (current and tombstone
        // are columns too: SQLite counts an index as covering only then). Newest first, the order every
        // listing uses, so "the newest N" reads N entries; by feed; and by rowid, to test a candidate
        // from mentions, the full text or quotes without reading its row (`IndexReader` names it).
        "CREATE INDEX articles_newest ON articles(time DESC, id, date, feed, types, current, tombstone) WHERE current = 1 AND tombstone = 0",
        "CREATE INDEX articles_feed_newest ON articles(feed, time DESC, id, date, types, current, tombstone) WHERE current = 1 AND tombstone = 0",
        "CREATE INDEX articles_searchable ON articles(rowid, time, id, date, feed, types, current, tombstone) WHERE current = 1 AND tombstone = 0",
        // One row per normalised entity (EntityKey), every surface form, and the keys it is looked up by.
        "CREATE TABLE entities(rowid INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, type TEXT NOT NULL, name TEXT NOT NULL, code TEXT)",
        "CREATE TABLE entity_forms(entity INTEGER NOT NULL, form TEXT NOT NULL, PRIMARY KEY(entity, form)) WITHOUT ROWID",
        "CREATE TABLE entity_names(name TEXT NOT NULL, entity INTEGER NOT NULL, PRIMARY KEY(name, entity)) WITHOUT ROWID",
        "CREATE TABLE mentions(article INTEGER NOT NULL, entity INTEGER NOT NULL, count INTEGER NOT NULL, PRIMARY KEY(article, entity)) WITHOUT ROWID",
        "CREATE INDEX mentions_entity ON mentions(entity, article)",
        "CREATE TABLE quotes(article INTEGER NOT NULL, speaker_entity INTEGER, speaker TEXT, text TEXT NOT NULL, cue TEXT)",
        "CREATE INDEX quotes_article ON quotes(article)",
        "CREATE INDEX quotes_speaker ON quotes(speaker_entity)",
        // `quotes --speaker` also matches the speaker as written, case-insensitively.
        "CREATE INDEX quotes_speaker_as_written ON quotes(speaker COLLATE NOCASE)",
        "CREATE TABLE times(article INTEGER NOT NULL, type TEXT NOT NULL, value TEXT NOT NULL, text TEXT NOT NULL)",
        "CREATE INDEX times_article ON times(article)",
        "CREATE VIRTUAL TABLE fulltext USING fts5(headline, text, tokenize = 'unicode61 remove_diacritics 2')",
        // LSH buckets of the story signatures: kept in the index, so they survive restarts at no memory cost.
        "CREATE TABLE story_bands(key INTEGER NOT NULL, article INTEGER NOT NULL, PRIMARY KEY(key, article)) WITHOUT ROWID",
        // What finished without an output of its own (reflected, not searchable).
        "CREATE TABLE duplicates(file TEXT NOT NULL, article_id TEXT NOT NULL, time TEXT NOT NULL, PRIMARY KEY(file, article_id)) WITHOUT ROWID",
        "CREATE TABLE failures(file TEXT NOT NULL PRIMARY KEY, stage TEXT NOT NULL, reason TEXT NOT NULL, time TEXT NOT NULL) WITHOUT ROWID",
        // For `trending`: per entity and day of `articles.time`, how many searchable articles name it
        // (a mention row counts once, as `trending` counts). By type first: `--type` reads only its own.
        // Kept by the triggers below, inside the writer's transaction, so it never disagrees with
        // `mentions`: a mention row added or removed while its article is searchable, and an article
        // entering or leaving search (`current` flips when another version of its guid arrives or
        // goes). Rows whose count reaches 0 are removed. `reindex` rebuilds it with the rest.
        "CREATE TABLE entity_days(type TEXT NOT NULL, day INTEGER NOT NULL, entity INTEGER NOT NULL, count INTEGER NOT NULL, PRIMARY KEY(type, day, entity)) WITHOUT ROWID",
        // (An upsert that updates a mention row fires no INSERT trigger: the row was counted once.)
        """
        CREATE TRIGGER entity_days_mention_added AFTER INSERT ON mentions BEGIN
            INSERT INTO entity_days(type, day, entity, count)
            SELECT e.type, \(day("a.time")), NEW.entity, 1 FROM articles a, entities e
            WHERE a.rowid = NEW.article AND \(searchable("a")) AND e.rowid = NEW.entity
            ON CONFLICT(type, day, entity) DO UPDATE SET count = count + 1;
        END
        """,
        """
        CREATE TRIGGER entity_days_mention_removed AFTER DELETE ON mentions BEGIN
            UPDATE entity_days SET count = count - 1
            WHERE type = (SELECT type FROM entities WHERE rowid = OLD.entity) AND entity = OLD.entity
              AND day = (SELECT \(day("a.time")) FROM articles a WHERE a.rowid = OLD.article AND \(searchable("a")));
            DELETE FROM entity_days
            WHERE type = (SELECT type FROM entities WHERE rowid = OLD.entity) AND entity = OLD.entity
              AND day = (SELECT \(day("a.time")) FROM articles a WHERE a.rowid = OLD.article AND \(searchable("a"))) AND count <= 0;
        END
        """,
        """
        CREATE TRIGGER entity_days_article_searchable AFTER UPDATE OF current ON articles
        WHEN (\(searchable("OLD"))) <> (\(searchable("NEW"))) BEGIN
            INSERT INTO entity_days(type, day, entity, count)
            SELECT e.type, \(day("NEW.time")), m.entity, 1 FROM mentions m, entities e
            WHERE \(searchable("NEW")) AND m.article = NEW.rowid AND e.rowid = m.entity
            ON CONFLICT(type, day, entity) DO UPDATE SET count = count + 1;
            UPDATE entity_days SET count = count - 1
            WHERE NOT (\(searchable("NEW"))) AND day = \(day("OLD.time"))
              AND (type, entity) IN (SELECT e.type, m.entity FROM mentions m, entities e WHERE m.article = OLD.rowid AND e.rowid = m.entity);
            DELETE FROM entity_days
            WHERE NOT (\(searchable("NEW"))) AND day = \(day("OLD.time")) AND count <= 0
              AND (type, entity) IN (SELECT e.type, m.entity FROM mentions m, entities e WHERE m.article = OLD.rowid AND e.rowid = m.entity);
        END
        """,
    ]
}
