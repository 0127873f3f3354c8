import Foundation
import Testing
@testable import Extraction

/// Regression tests of the neighbour-index audit (docs/reliability.md): each input once made an index
/// computed from a neighbour (`last + 1`, `k - 1`, ...) fall outside its array, a trap that kills the daemon.
@Suite struct NeighbourIndexTests {
    /// Resolves the given tags (CoNLL labels, one per token, "O" for none) into entities, so that a test
    /// does not depend on what the shipped model happens to tag.
    func entities(_ text: String, tags labels: [String]) throws -> [Entity] {
        let analysed = analysedText(text)
        try #require(analysed.tokens.count == labels.count, "\(analysed.tokens.map(analysed.text(of:)))")
        let words = analysed.tokens.map { WordInfo(analysed.document.scalars[$0.start..<$0.end]) }
        var resolver = EntityResolver(text: analysed, words: words, gazetteer: Gazetteer(tsv: ""))
        return try resolver.resolve(tags: labels.map { TagSet.index($0)! }) { _ in nil }
    }

    /// "groups X (ACR) and": the list after a category noun ran to the bracketed acronym, the last mention of
    /// the text, then looked at the mention after it (`mentions[last + 1]`, one past the end).
    @Test func aCategoryListEndingAtTheLastMentionsBracketedAcronymStops() throws {
        let found = try entities("He blamed groups Lashkar Taiba (LT) and.",
                                 tags: ["O", "O", "O", "B-ORG", "I-ORG", "O", "B-ORG", "O", "O", "O"])
        let lashkar = try #require(found.first { $0.name == "Lashkar Taiba" })
        #expect(lashkar.type == .org)
    }
}
