import Foundation
import Testing
import TestSupport
@testable import NewsInbox

/// The seed article through the real daemon: everything an editor wants from it, in the JSON and the journal.
@Suite(.serialized) struct SeedEndToEndTests {
    @Test func theSeedArticleComesOutRightInTheJSONAndTheJournal() throws {
        let seed = try Requirement.value(Corpora.bytes("seed/dawn-2023-02-12.txt"), Corpora.absent("seed"))
        // Without journald the JSON is still checked (outside CI); in CI journald must run.
        let journal = Journal.isAvailable()
        if !journal { try JournalTests.requireJournal() }
        let d = try DaemonHarness()
        try d.start(foreground: !journal)
        let name = "dawn/seed-\(UUID().uuidString.prefix(8)).txt"
        try d.dropByRename(name, seed)
        try d.waitUntil("the seed is processed") { d.files(in: d.done).count == 1 }
        let doc = try #require(try d.document(forSource: name))
        let text = (doc["article"] as! [String: Any])["text"] as! String
        let scalars = Array(text.unicodeScalars)
        func slice(_ span: Any?) -> String {
            guard let s = span as? [String: Any], let a = s["start"] as? Int, let b = s["end"] as? Int else { return "" }
            return String(String.UnicodeScalarView(scalars[a..<b]))
        }
        let x = doc["extraction"] as! [String: Any]

        // Entities: types, ISO codes, merged mentions, the role.
        let entities = x["entities"] as! [[String: Any]]
        func entity(_ name: String) -> [String: Any]? { entities.first { $0["name"] as? String == name } }
        for (name, type) in [("Derek Chollet", "PERSON"), ("Pakistan", "PLACE"), ("United States", "PLACE"), ("Washington", "PLACE"),
                             ("Islamabad", "PLACE"), ("Peshawar", "PLACE"), ("Kabul", "PLACE"), ("Foreign Office", "ORG"),
                             ("Ministry of Foreign Affairs", "ORG"), ("Joint Staff Headquarters", "ORG"), ("Dawn", "ORG"),
                             ("US State Department", "ORG"), ("Tehreek-i-Taliban Pakistan", "ORG"), ("Islamic State-Khorasan", "ORG")] {
            #expect(entity(name)?["type"] as? String == type, "\(name) should be \(type)")
        }
        #expect(entity("Pakistan")?["code"] as? String == "PK")
        #expect(entity("United States")?["code"] as? String == "US")
        let chollet = try #require(entity("Derek Chollet"))
        let cholletMentions = Set((chollet["mentions"] as! [Any]).map(slice))
        #expect(cholletMentions == ["Derek Chollet", "Chollet"])
        #expect((chollet["roles"] as? [String])?.contains("US State Department Counsellor") == true)
        #expect(Set((entity("Foreign Office")?["mentions"] as? [Any] ?? []).map(slice)) == ["Foreign Office", "FO"])
        #expect(Set((entity("Tehreek-i-Taliban Pakistan")?["mentions"] as? [Any] ?? []).map(slice)) == ["Tehreek-i-Taliban Pakistan", "TTP"])
        let usMentions = Set((entity("United States")?["mentions"] as? [Any] ?? []).map(slice))
        #expect(usMentions.contains("United States") && usMentions.contains("US"))

        // Time expressions with their values against 2023-02-12.
        let times = (x["times"] as! [[String: Any]]).map { ($0["text"] as! String, $0["value"] as! String) }
        for expected in [("February 13 (Monday)", "2023-02-13"), ("16 (Thursday)", "2023-02-16"), ("today (Sunday)", "2023-02-12"),
                         ("January 2021", "2021-01"), ("next month", "2023-03"), ("the coming week", "2023-W07"), ("Recently", "PAST_REF")] {
            #expect(times.contains { $0 == expected }, "time \(expected)")
        }

        // Quotes: the first direct one is the FO's, the next three (with the partial quote) Chollet's.
        let quotes = (x["quotes"] as! [[String: Any]]).filter { $0["kind"] as? String != "reported" }
        #expect(quotes.count == 4)
        #expect(quotes.first?["speaker_id"] as? String == entity("Foreign Office")?["id"] as? String)
        for quote in quotes.dropFirst() { #expect(quote["speaker_id"] as? String == chollet["id"] as? String) }
        #expect(quotes.contains { $0["kind"] as? String == "partial" && $0["text"] as? String == "emerging counterterrorism threat" })

        // Figures and acronyms.
        let figures = x["figures"] as! [[String: Any]]
        #expect(figures.contains { $0["text"] as? String == "over 80 people" && $0["value"] as? Int == 80 && $0["qualifier"] as? String == "over" })
        let acronyms = (x["acronyms"] as! [[String: Any]]).map { ($0["short"] as! String, $0["long"] as! String) }
        #expect(acronyms.contains { $0 == ("TIFA", "Trade and Investment Framework Agreement") })
        #expect(acronyms.contains { $0 == ("TTP", "Tehreek-i-Taliban Pakistan") })
        #expect((x["summary"] as! [Int]).count >= 2)
        #expect(!(x["keywords"] as! [Any]).isEmpty)

        // The journal entry carries the entities as repeated fields.
        if journal {
            let entries = try JournalTests.journalEntries("ARTICLE_FILE=\(name)")
            let entry = try #require(entries.first)
            #expect(entry["ENTITY_PERSON"] as? String == "Derek Chollet" || (entry["ENTITY_PERSON"] as? [String])?.contains("Derek Chollet") == true)
            let places = entry["ENTITY_PLACE"] as? [String] ?? []
            let expectedPlaces: Set<String> = ["Pakistan", "United States", "Washington", "Islamabad", "Peshawar", "Kabul"]
            #expect(expectedPlaces.subtracting(places).isEmpty)
            let byPerson = try JournalTests.journalEntries("ENTITY_PERSON=Derek Chollet")
            #expect(byPerson.contains { $0["ARTICLE_FILE"] as? String == name })
        }
        d.stop()
    }
}
