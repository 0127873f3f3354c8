import Testing
@testable import Extraction

/// Resolution rules for names (issue 14): initials, first names, misspelt repeats, well-known aliases,
/// parents and subsidiaries kept apart, titles that are not names.
@Suite struct EntityNameRulesTests {
    @Test func nearMissesAreOneSlipInALongWord() {
        #expect(EntityNames.nearMiss("Christie", "Cristie"))
        #expect(EntityNames.nearMiss("Stevens", "Steevns"))
        #expect(EntityNames.nearMiss("Seifert", "Seyfert"))
        #expect(!EntityNames.nearMiss("Brown", "Brown"))
        #expect(!EntityNames.nearMiss("Smith", "Smyth" + "e"))
        #expect(!EntityNames.nearMiss("Bell", "Ball"))  // too short to tell a slip from another name
        #expect(!EntityNames.nearMiss("Robinson", "Dobinson"))  // first letters differ
    }

    @Test func anInitialAgreesOnlyWithFirstNamesItStarts() {
        #expect(EntityNames.firstNamesAgree("M", "Matt"))
        #expect(EntityNames.firstNamesAgree("M.", "Matt"))
        #expect(!EntityNames.firstNamesAgree("J", "Andy"))
        #expect(!EntityNames.firstNamesAgree("Matt", "Mark"))
        #expect(EntityNames.isInitial("O") && !EntityNames.isInitial("Ollie") && !EntityNames.isInitial("o"))
    }

    static func entities(_ text: String) throws -> [Entity] {
        let models = try #require(ShippedModels.models)
        return try Extractor(models: models).extract(Document(text: text)).entities
    }

    static func entity(_ entities: [Entity], holding form: String) -> Entity? {
        entities.first { $0.aliases.contains(form) }
    }

    @Test func initialsJoinTheirPersonAndNoOther() throws {
        let e = try Self.entities("""
            England coach Andy Robinson has named Matt Stevens in the side to face Ireland on Sunday.

            "I am confident Matt will take his chance," said Robinson. The team: J Robinson (Sale), M Stevens (Bath).
            """)
        let stevens = try #require(Self.entity(e, holding: "Matt Stevens"))
        #expect(stevens.aliases.contains("M Stevens"))
        #expect(stevens.aliases.contains("Matt"))
        let andy = try #require(Self.entity(e, holding: "Andy Robinson"))
        #expect(!andy.aliases.contains("J Robinson"))
        #expect(andy.aliases.contains("Robinson"))
        #expect(Self.entity(e, holding: "J Robinson")?.type == .person)
    }

    @Test func aMisspeltRepeatIsTheSamePerson() throws {
        let e = try Self.entities("""
            The actress Julie Christie will attend the ceremony in London on Saturday.

            Organisers said Julie Cristie had confirmed her place on Friday.
            """)
        let julie = try #require(Self.entity(e, holding: "Julie Christie"))
        #expect(julie.aliases.contains("Julie Cristie"))
    }

    @Test func aParentIsNotMergedWithItsSubsidiary() throws {
        let e = try Self.entities("""
            The BBC World Service will close ten language sections, the BBC said on Tuesday.

            A BBC spokesman said the World Service would keep its Arabic radio.
            """)
        let parent = try #require(Self.entity(e, holding: "BBC"))
        #expect(!parent.aliases.contains("BBC World Service"))
    }

    @Test func wellKnownPartyNamesAreOneOrganisation() throws {
        let e = try Self.entities("""
            The Conservatives say ministers must answer in Parliament, and the Tories want a vote.

            Tory leader Michael Howard said the Conservative Party would press the point.
            """)
        let party = try #require(Self.entity(e, holding: "Tories"))
        #expect(party.type == .org)
        #expect(party.aliases.contains("Conservatives"))
        #expect(party.aliases.contains("Conservative Party"))
    }

    @Test func titlesAndCommonAbbreviationsAloneAreNotEntities() throws {
        let e = try Self.entities("""
            The Attorney General, Lord Goldsmith, said the DVD of the hearing would be released.

            Sales of the DVD rose, the Attorney General said.
            """)
        #expect(Self.entity(e, holding: "DVD") == nil)
        #expect(Self.entity(e, holding: "Attorney General") == nil)
        #expect(Self.entity(e, holding: "Goldsmith")?.type == .person)
    }
}
