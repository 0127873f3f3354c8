import NewsIndex
import Testing

/// `EntityKey.fold` without ICU: what `search --entity` matches names by.
@Suite struct EntityKeyFoldTests {
    @Test func foldDropsCaseDiacriticsAndWidth() {
        #expect(EntityKey.fold("Zoë  Ça-Élysée") == "zoe ca-elysee")
        #expect(EntityKey.fold("Łódź") == "łodz")  // Ł has no decomposition: kept, as Foundation keeps it
        #expect(EntityKey.fold("Nguyễn Tấn Dũng") == "nguyen tan dung")
        #expect(EntityKey.fold("Ｃｈｏｌｌｅｔ") == "chollet")
        #expect(EntityKey.fold("Jose\u{301} Mourinho") == "jose mourinho")  // a combining accent on its own
        #expect(EntityKey.fold("Αθήνα") == "αθηνα")
        #expect(EntityKey.fold("  Derek\n Chollet ") == "derek chollet")
    }

    @Test func composedAndDecomposedFormsFoldAlike() {
        #expect(EntityKey.fold("Sa\u{0301}nchez") == EntityKey.fold("Sánchez"))
    }
}
