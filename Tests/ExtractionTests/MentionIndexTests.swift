import Testing
@testable import Extraction

/// The mention index answers exactly what the scans over every mention it replaced answered, on random
/// articles' worth of entities (overlapping, nested and empty mentions, ties on start).
@Suite struct MentionIndexTests {
    static let kinds: [Entity.Kind] = [.person, .org, .place, .norp, .event, .misc]

    static func randomEntities(_ rng: inout SplitMix64) -> [Entity] {
        (0..<Int.random(in: 0...12, using: &rng)).map { e in
            let mentions = (0..<Int.random(in: 1...6, using: &rng)).map { _ -> TextSpan in
                let start = Int.random(in: 0...200, using: &rng)
                return TextSpan(start: start, end: start + Int.random(in: 0...15, using: &rng))
            }
            return Entity(id: "e\(e + 1)", type: kinds.randomElement(using: &rng)!, name: "E\(e)", mentions: mentions)
        }
    }

    /// The scan `QuoteFinder.resolve` did: the mentions a phrase contains or overlaps, in entity order.
    static func scanTouching(_ entities: [Entity], _ span: TextSpan) -> [(Int, Int)] {
        var found: [(Int, Int)] = []
        for (e, entity) in entities.enumerated() {
            for (m, mention) in entity.mentions.enumerated() where span.contains(mention) || span.overlaps(mention) { found.append((e, m)) }
        }
        return found
    }

    /// The scan `QuoteFinder.nearest` did.
    static func scanNearest(_ entities: [Entity], before offset: Int, types: Set<Entity.Kind>) -> Int? {
        var best: (Int, Int)?
        for (e, entity) in entities.enumerated() where types.contains(entity.type) {
            for mention in entity.mentions where mention.end <= offset {
                if best == nil || mention.start > best!.1 { best = (e, mention.start) }
            }
        }
        return best?.0
    }

    @Test func answersMatchTheFullScans() {
        var rng = SplitMix64(seed: 15)
        let typeSets: [Set<Entity.Kind>] = [[.person], [.org], [.org, .person, .norp]]
        for _ in 0..<300 {
            let entities = Self.randomEntities(&rng)
            let index = MentionIndex(entities)
            for _ in 0..<40 {
                let start = Int.random(in: -5...220, using: &rng)
                let span = TextSpan(start: start, end: start + Int.random(in: 0...30, using: &rng))
                let fromIndex = index.touching(span).map { ($0.entity, $0.mention) }
                let fromScan = Self.scanTouching(entities, span)
                #expect(fromIndex.elementsEqual(fromScan, by: ==), "touching \(span)")
                for types in typeSets {
                    #expect(index.lastEnding(atOrBefore: start, types: types) == Self.scanNearest(entities, before: start, types: types),
                            "nearest before \(start) of \(types)")
                }
            }
        }
    }
}
