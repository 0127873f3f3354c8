import Foundation
import XCTest
import Control
@testable import NewsIndex

/// The index against a real SQLite file: upserts, lookups by surface form, versions, tombstones,
/// stories, and reconciling with a directory of outputs.
final class ArticleIndexTests: XCTestCase {
    var dir = ""

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "newsindex-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

    static let body = """
        The US State Department Counsellor Derek Chollet arrived in Islamabad on Monday for talks on security.

        Chollet said the two countries would work together against the Tehreek-i-Taliban Pakistan, which has claimed a string of attacks.

        Officials in the Foreign Office said the visit would cover trade, energy and the fight against militant groups in the north west.

        The FO also said a new round of the Trade and Investment Framework Agreement talks would be held in Washington later this year.
        """

    static func record(_ id: String, text: String = body, guid: String? = nil, version: Int = 1, tombstone: Bool = false,
                       date: String? = "2023-02-12", feed: String? = "wire", supersedes: String? = nil) -> IndexRecord {
        IndexRecord(
            id: id, file: "\(feed ?? "")/\(id).txt", feed: feed, format: "plain", guid: guid ?? "urn:sha256:\(id)", version: version,
            tombstone: tombstone, supersedes: supersedes, storyID: id, date: date, timestamp: nil,
            processedAt: "2023-02-12T10:00:00Z", headline: "Headline \(id)", text: tombstone ? "" : text,
            entities: tombstone ? [] : [
                .init(localID: "e1", type: "PERSON", name: "Derek Chollet", code: nil, forms: ["Derek Chollet", "Chollet"], mentions: 2, salience: 1),
                .init(localID: "e2", type: "PLACE", name: "United States", code: "US", forms: ["United States"], mentions: 1, salience: 0.5),
                .init(localID: "e3", type: "ORG", name: "Foreign Office", code: nil, forms: ["Foreign Office", "FO"], mentions: 2, salience: 0.4),
            ],
            quotes: tombstone ? [] : [.init(speakerLocalID: "e1", speaker: "Chollet", text: "we will work together", cue: "said")],
            times: [.init(type: "DATE", value: "2023-02-13", text: "Monday")])
    }

    func add(_ index: ArticleIndex, _ records: IndexRecord...) throws -> [String] { try add(index, records) }

    func add(_ index: ArticleIndex, _ records: [IndexRecord]) throws -> [String] {
        var batch = ArticleIndex.Batch()
        var stories: [String] = []
        for var r in records {
            let signature = StorySignature.compute(text: r.text)
            r.storyID = try index.storyID(for: r, signature: signature)
            stories.append(r.storyID)
            batch.records.append((r, signature))
        }
        try index.apply(batch)
        return stories
    }

    func testEntitySearchMatchesAnySurfaceFormAndTheISOCode() throws {
        let index = try ArticleIndex(path: dir + "/index.sqlite")
        XCTAssertEqual(index.createdBecause, "there was no index")
        _ = try add(index, Self.record("a1"))
        let reader = try IndexReader(path: index.path)
        XCTAssertEqual(try reader.search(.init(entity: "chollet")).articles.map(\.id), ["a1"])
        XCTAssertEqual(try reader.search(.init(entity: "US")).articles.map(\.id), ["a1"])
        XCTAssertEqual(try reader.search(.init(entity: "the fo")).total, 0)
        XCTAssertEqual(try reader.search(.init(entity: "FO", type: "ORG")).total, 1)
        XCTAssertEqual(try reader.search(.init(entity: "FO", type: "PERSON")).total, 0)
        XCTAssertEqual(try reader.search(.init(text: "islamabad security")).total, 1)
        XCTAssertEqual(try reader.search(.init(text: "\"; DROP TABLE articles; --")).total, 0)
        XCTAssertEqual(try reader.search(.init(since: "2023-02-13")).total, 0)
        XCTAssertEqual(try reader.quotes(speaker: "derek chollet", since: nil, limit: 5).quotes.map(\.text), ["we will work together"])
    }

    /// `--type` alone reads the articles' type bits; each type lists exactly the articles naming one,
    /// and a type without a bit is still found through the mentions.
    func testTypeAloneListsTheArticlesThatNameAnEntityOfThatType() throws {
        let index = try ArticleIndex(path: dir + "/index.sqlite")
        var placeOnly = Self.record("b2", text: "Floods in Islamabad closed the roads on Monday.")
        placeOnly.entities = [.init(localID: "e1", type: "PLACE", name: "Islamabad", code: "PK-IS", forms: ["Islamabad"], mentions: 1, salience: 1)]
        placeOnly.quotes = []
        var other = Self.record("b3", text: "The gallery showed the Mona Lisa for a week.")
        other.entities = [.init(localID: "e1", type: "WORK_OF_ART", name: "Mona Lisa", code: nil, forms: ["Mona Lisa"], mentions: 1, salience: 1)]
        other.quotes = []
        var none = Self.record("b4", text: "It rained all day and nobody went out.")
        none.entities = []
        none.quotes = []
        _ = try add(index, Self.record("b1"), placeOnly, other, none)
        let reader = try IndexReader(path: index.path)
        func ids(_ type: String, limit: Int = 20) throws -> ([String], Int) {
            let r = try reader.search(.init(type: type, limit: limit))
            return (r.articles.map(\.id).sorted(), r.total)
        }
        XCTAssertEqual(try ids("PERSON").0, ["b1"])
        XCTAssertEqual(try ids("person").1, 1)
        XCTAssertEqual(try ids("PLACE").0, ["b1", "b2"])
        XCTAssertEqual(try ids("PLACE", limit: 1).1, 2)
        XCTAssertEqual(try ids("ORG").0, ["b1"])
        XCTAssertEqual(try ids("NORP").1, 0)
        XCTAssertEqual(try ids("WORK_OF_ART").0, ["b3"])
        XCTAssertEqual(try reader.search(.init(type: "PLACE", feed: "wire", text: "floods")).articles.map(\.id), ["b2"])
        // A withdrawn article drops out of the type's listing too.
        _ = try add(index, Self.record("b2-withdrawn", guid: "urn:sha256:b2", version: 2, tombstone: true))
        XCTAssertEqual(try ids("PLACE").0, ["b1"])
    }

    /// A statement left on a row across a batch's COMMIT kept the writer's read transaction open, so the
    /// automatic checkpoint never completed and the WAL took every batch: 2 GB at 19,000 articles. Here
    /// the checkpoint comes every 100 pages (the default is 1,000) so that 400 articles are many of them.
    func testTheWriteAheadLogIsCheckpointedAsBatchesCommit() throws {
        let index = try ArticleIndex(path: dir + "/index.sqlite")
        try index.db.execute("PRAGMA wal_autocheckpoint=100")
        let filler = String(repeating: "Talks on trade and energy went on in Islamabad all week. ", count: 30)
        for b in 0..<16 {
            _ = try add(index, (0..<25).map { n in Self.record("w\(b)-\(n)", text: "Batch \(b), article \(n). " + Self.body + "\n\n" + filler) })
        }
        let written = try IndexReader(path: index.path).sizes()["bytes"] ?? 0
        let wal = (try FileManager.default.attributesOfItem(atPath: index.path + "-wal")[.size] as? Int) ?? 0
        XCTAssertGreaterThan(written, 2 << 20, "the test must write many checkpoints' worth")
        XCTAssertLessThan(wal, 3 << 19, "a WAL of \(wal) bytes for an index of \(written): not checkpointed")
    }

    func testApplyingTheSameBatchTwiceLeavesTheSameRows() throws {
        let index = try ArticleIndex(path: dir + "/index.sqlite")
        _ = try add(index, Self.record("a1"), Self.record("b1", text: "Something else entirely about football and a match in Leeds."))
        let reader = try IndexReader(path: index.path)
        let before = try reader.sizes()
        _ = try add(index, Self.record("a1"), Self.record("b1", text: "Something else entirely about football and a match in Leeds."))
        var after = try reader.sizes()
        after["bytes"] = before["bytes"]
        XCTAssertEqual(before, after)
        XCTAssertEqual(try reader.search(.init(entity: "Chollet")).total, 2)
    }

    func testANewVersionReplacesTheOldAndATombstoneWithdrawsTheStory() throws {
        let index = try ArticleIndex(path: dir + "/index.sqlite")
        let reader = try IndexReader(path: index.path)
        _ = try add(index, Self.record("v1", guid: "urn:x:1", version: 1))
        let stories = try add(index, Self.record("v2", text: Self.body + "\n\nA late paragraph.", guid: "urn:x:1", version: 2, supersedes: "v1"))
        XCTAssertEqual(stories, ["v1"])
        XCTAssertEqual(try reader.search(.init(entity: "Chollet")).articles.map(\.id), ["v2"])
        XCTAssertEqual(try reader.story("v2")?.articles.map(\.status), ["current", "superseded"].reversed())
        _ = try add(index, Self.record("v3", guid: "urn:x:1", version: 3, tombstone: true))
        XCTAssertEqual(try reader.search(.init()).total, 0)
        XCTAssertEqual(try reader.story("v1")?.articles.count, 3)
    }

    func testATrimmedCopyJoinsTheStoryAndAnotherStoryOnTheSameTopicDoesNot() throws {
        let index = try ArticleIndex(path: dir + "/index.sqlite")
        let paragraphs = Self.body.components(separatedBy: "\n\n")
        let trimmed = "Washington's envoy began a visit to Pakistan on Monday.\n\n" + paragraphs.dropLast().joined(separator: "\n\n")
        let other = """
            The US State Department said on Monday that Derek Chollet would not travel to Kabul this month.

            A spokesman said the decision had been taken for reasons of scheduling and that no new date had been set for the trip.
            """
        let stories = try add(index, Self.record("orig"), Self.record("copy", text: trimmed, feed: "agency"), Self.record("other", text: other))
        XCTAssertEqual(stories, ["orig", "orig", "other"])
        // Across batches, from the LSH buckets in the tables.
        XCTAssertEqual(try add(index, Self.record("copy2", text: trimmed + "\n\nAn added line.")), ["orig"])
        XCTAssertEqual(try add(index, Self.record("late", date: "2023-03-30")), ["late"], "a copy three weeks later is another story")
    }

    func testAnIndexOfAnotherSchemaIsMovedAsideAndCreatedAgain() throws {
        let path = dir + "/index.sqlite"
        _ = try add(try ArticleIndex(path: path), Self.record("a1"))
        let sqlite = try SQLiteConnection(path: path)
        try sqlite.execute("UPDATE meta SET value = '0' WHERE key = 'schema_version'")
        let reopened = try ArticleIndex(path: path)
        XCTAssertEqual(reopened.createdBecause, "the index has schema version 0, this build needs \(IndexSchema.version)")
        XCTAssertEqual(try reopened.count(), 0)
        XCTAssertTrue(FileManager.default.fileExists(atPath: path + ".broken"))
        try Data("not a database at all, just text".utf8).write(to: URL(fileURLWithPath: path + ".2"))
        XCTAssertNotNil(try ArticleIndex(path: path + ".2").createdBecause)
    }

    func testTrendingComparesTheWindowWithTheOneBefore() throws {
        let index = try ArticleIndex(path: dir + "/index.sqlite")
        _ = try add(index, Self.record("old", date: "2023-02-01"), Self.record("new1", date: "2023-02-12"),
                    Self.record("new2", text: "Derek Chollet met officials in the United States capital.", date: "2023-02-11"))
        let now = IndexTime.parseDate("2023-02-13")!
        let t = try IndexReader(path: index.path).trending(window: 7 * 86_400, type: "PERSON", limit: 5, now: now)
        XCTAssertEqual(t.entities, [.init(name: "Derek Chollet", type: "PERSON", count: 2, previous: 1)])
    }

    /// `entity_days` (kept by triggers) always equals the counts recomputed from the mentions of the
    /// searchable articles, through new versions, tombstones, re-applied batches, deletions and an
    /// entity named twice in one article; and `trending` over windows that start and end mid-day gives
    /// exactly the counts of a plain count over the articles' times.
    func testTrendingDayCountsFollowEveryChangeAndWindowsMatchAPlainCount() throws {
        let index = try ArticleIndex(path: dir + "/index.sqlite")
        let reader = try IndexReader(path: index.path)
        var random = SplitMix(state: 16)
        let pool: [(type: String, name: String)] = [
            ("PERSON", "Derek Chollet"), ("PERSON", "Ann Li"), ("PERSON", "Omar Khan"), ("ORG", "Foreign Office"),
            ("ORG", "Acme Corp"), ("PLACE", "Leeds"), ("NORP", "Pakistani"), ("EVENT", "Cup Final"), ("MISC", "Oscar"),
        ]
        let base = IndexTime.parseDate("2023-02-01")!
        var ids: [String] = []
        for round in 0..<12 {
            var records: [IndexRecord] = []
            for n in 0..<15 {
                let id = "r\(round)-\(n)"
                let guid = Bool.random(using: &random) ? "urn:g:\(Int.random(in: 0..<20, using: &random))" : "urn:own:\(id)"
                var r = Self.record(id, text: "Article \(id) text.", guid: guid, version: Int.random(in: 1...3, using: &random),
                                    tombstone: Int.random(in: 0..<10, using: &random) == 0,
                                    date: Bool.random(using: &random) ? nil : "2023-02-\(10 + Int.random(in: 0..<19, using: &random))")
                let seconds = base + Int64.random(in: 0..<(30 * 86_400), using: &random)
                r.timestamp = Int.random(in: 0..<4, using: &random) == 0 ? nil
                    : ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
                if !r.tombstone {
                    let names = pool.shuffled(using: &random).prefix(Int.random(in: 1...4, using: &random))
                    r.entities = names.enumerated().map { i, e in
                        .init(localID: "e\(i)", type: e.type, name: e.name, code: nil, forms: [e.name], mentions: 1, salience: 0.5)
                    }
                    // The same entity twice in one article: one mention row, counted once.
                    if let again = names.first, Bool.random(using: &random) {
                        r.entities.append(.init(localID: "e9", type: again.type, name: again.name, code: nil, forms: [again.name], mentions: 2, salience: 0.1))
                    }
                    r.quotes = []
                }
                records.append(r)
            }
            _ = try add(index, records)
            ids += records.map(\.id)
            if round % 3 == 2 {  // a batch applied again, and some articles removed (their outputs gone)
                _ = try add(index, Array(records.prefix(5)))
                try index.delete(ids: ids.shuffled(using: &random).prefix(6))
            }
            let kept = try index.db.statement("SELECT type, day, entity, count FROM entity_days ORDER BY 1, 2, 3")
                .rows { "\($0.text(0)!) \($0.int(1)) \($0.int(2)) \($0.int(3))" }
            index.db.finish()
            let recomputed = try index.db.statement("""
                SELECT e.type, \(IndexSchema.day("a.time")) AS day, m.entity, count(*) FROM mentions m
                JOIN articles a ON a.rowid = m.article JOIN entities e ON e.rowid = m.entity
                WHERE a.current = 1 AND a.tombstone = 0 GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
                """).rows { "\($0.text(0)!) \($0.int(1)) \($0.int(2)) \($0.int(3))" }
            index.db.finish()
            XCTAssertEqual(kept, recomputed, "round \(round)")
            XCTAssertFalse(kept.isEmpty)
        }
        // Every entity's count in a window, counted plainly from the articles' times.
        let rows = try index.db.statement("""
            SELECT e.name, e.type, a.time FROM mentions m JOIN articles a ON a.rowid = m.article JOIN entities e ON e.rowid = m.entity
            WHERE a.current = 1 AND a.tombstone = 0
            """).rows { (name: $0.text(0)!, type: $0.text(1)!, time: $0.int(2)) }
        index.db.finish()
        for _ in 0..<40 {
            let window: Int64 = [3_600, 86_400, 7 * 86_400, 10 * 86_400 + 77][Int.random(in: 0..<4, using: &random)]
            let now = base + Int64.random(in: 0..<(40 * 86_400), using: &random)
            let type = [nil, "PERSON", "ORG", "MISC"][Int.random(in: 0..<4, using: &random)]
            var expected: [String: (type: String, now: Int, before: Int)] = [:]
            for r in rows where type == nil || r.type == type {
                if r.time > now - window && r.time <= now { expected[r.name, default: (r.type, 0, 0)].now += 1 }
                if r.time > now - 2 * window && r.time <= now - window { expected[r.name, default: (r.type, 0, 0)].before += 1 }
            }
            let want = expected.filter { $0.value.now > 0 }
                .map { TrendingReply.Entity(name: $0.key, type: $0.value.type, count: $0.value.now, previous: $0.value.before) }
                .sorted { ($0.count - $0.previous, $0.count, $1.name) > ($1.count - $1.previous, $1.count, $0.name) }
            let got = try reader.trending(window: window, type: type, limit: 100, now: now).entities
            XCTAssertEqual(got, want, "window \(window) s ending \(now), type \(type ?? "any")")
        }
    }

    func testSignatureStorageRoundTripsAndIsDeterministic() {
        let s = StorySignature.compute(text: Self.body)
        XCTAssertEqual(StorySignature(blob: s.blob), s)
        XCTAssertEqual(s.minimums.first, StorySignature.compute(text: Self.body).minimums.first)
        XCTAssertEqual(s.jaccard(s), 1)
        XCTAssertTrue(StorySignature.compute(text: "").isEmpty)
    }
}

/// A seeded generator, so a failing case repeats.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
