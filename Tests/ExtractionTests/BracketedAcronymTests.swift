import Testing
@testable import Extraction

/// "Name (ACR)" merging: the same mentions as the scan over every mention it replaced, and work that grows
/// with the text, not with its square (counted, not timed).
@Suite struct BracketedAcronymTests {
    static let pieces = ["Foreign Office (FO)", "Bank of England (BOE)", "World Trade Organisation (WTO)",
                         "Tehreek-i-Taliban Pakistan (TTP)", "Bank of England (BE)", "Foreign", "Office", "Bank", "of",
                         "England", "the", "and", "said", "Pakistan", "(", ")", "FO", "TTP", "."]
    static let kinds: [Entity.Kind] = [.person, .org, .place, .norp, .misc]

    /// A resolver over `text` and the sentence of each token, as `EntityResolver` computes it.
    static func resolver(_ text: String) -> (EntityResolver, [Int]) {
        let analysed = analysedText(text)
        let words = analysed.tokens.map { WordInfo(analysed.document.scalars[$0.start..<$0.end]) }
        var sentenceOf = [Int](repeating: 0, count: analysed.tokens.count)
        for (s, sentence) in analysed.sentences.enumerated() { for i in sentence.tokens { sentenceOf[i] = s } }
        return (EntityResolver(text: analysed, words: words, gazetteer: Gazetteer(tsv: "")), sentenceOf)
    }

    /// Disjoint mentions in text order, as the tagger's spans are.
    static func randomMentions(tokens: Int, sentenceOf: [Int], _ rng: inout SplitMix64) -> [Mention] {
        var mentions: [Mention] = []
        var i = 0
        while i < tokens {
            if Int.random(in: 0..<3, using: &rng) == 0 {
                let end = min(tokens, i + Int.random(in: 1...3, using: &rng))
                mentions.append(Mention(tokens: i..<end, type: kinds.randomElement(using: &rng)!, sentence: sentenceOf[i]))
                i = end
            } else {
                i += 1
            }
        }
        return mentions
    }

    /// The pass as it was before it kept to the mentions near each bracket (a scan of them all per acronym).
    static func reference(_ r: EntityResolver, _ mentions: [Mention], sentenceOf: [Int], scanned: inout Int) -> [Mention] {
        let text = r.text, connectors: Set<String> = ["of", "for", "and", "the", "on"]
        var result = mentions
        for i in text.tokens.indices.dropFirst() where i + 2 < text.tokens.count {
            guard r.word(i) == "(", r.word(i + 2) == ")", r.words[i + 1].flags.contains(.allUpper),
                  sentenceOf[i - 1] == sentenceOf[i] else { continue }
            let acronym = r.word(i + 1)
            let sentenceStart = text.sentences[sentenceOf[i]].tokens.lowerBound
            var start = i
            while start > sentenceStart && i - start < 10 {
                if r.words[start - 1].isCapitalised { start -= 1; continue }
                if start - 2 >= sentenceStart, connectors.contains(r.word(start - 1)), r.words[start - 2].isCapitalised {
                    start -= 1; continue
                }
                break
            }
            guard let name = (start..<i).first(where: { s in
                r.words[s].isCapitalised && EntityResolver.isAcronym(acronym, of: (s..<i).map(r.word))
            }).map({ $0..<i }) else { continue }
            scanned += 3 * result.count
            let inside = result.filter { $0.tokens.overlaps(name) }
            let tagged = result.first { $0.tokens == (i + 1)..<(i + 2) }?.type
            let pieces = Set(inside.map(\.type))
            var type = tagged ?? (pieces.count == 1 ? pieces.first! : .org)
            if type == .person { type = .org }
            if inside.count == 1 && inside[0].tokens == name && inside[0].type == type { continue }
            result.removeAll { $0.tokens.overlaps(name) }
            result.append(Mention(tokens: name, type: type, sentence: sentenceOf[name.lowerBound]))
        }
        return result.sorted { $0.tokens.lowerBound < $1.tokens.lowerBound }
    }

    static func same(_ a: [Mention], _ b: [Mention]) -> Bool {
        a.elementsEqual(b) { $0.tokens == $1.tokens && $0.type == $1.type && $0.sentence == $1.sentence }
    }

    @Test func mergesExactlyAsTheFullScanDid() {
        var rng = SplitMix64(seed: 21)
        var merged = 0
        for _ in 0..<400 {
            let text = (0..<Int.random(in: 1...60, using: &rng)).map { _ in Self.pieces.randomElement(using: &rng)! }
                .joined(separator: " ")
            let (resolver, sentenceOf) = Self.resolver(text)
            let mentions = Self.randomMentions(tokens: resolver.text.tokens.count, sentenceOf: sentenceOf, &rng)
            var steps = 0, scanned = 0
            let fast = resolver.bracketedAcronyms(mentions, steps: &steps)
            let slow = Self.reference(resolver, mentions, sentenceOf: sentenceOf, scanned: &scanned)
            #expect(Self.same(fast, slow), "\(text)")
            if !Self.same(slow, mentions) { merged += 1 }
        }
        #expect(merged > 50, "the random texts must exercise merging")
    }

    @Test func workGrowsLinearlyWithTheNumberOfAcronyms() {
        let sentence = "The Foreign Office (FO) said the Bank of England (BOE) and the World Trade Organisation (WTO) met. "
        func work(_ repeats: Int) -> (steps: Int, scanned: Int) {
            let (resolver, sentenceOf) = Self.resolver(String(repeating: sentence, count: repeats))
            // Every capitalised word tagged alone: the names are in pieces, as the tagger may leave them.
            let mentions = resolver.text.tokens.indices.filter { resolver.words[$0].isCapitalised && resolver.word($0) != "The" }
                .map { Mention(tokens: $0..<($0 + 1), type: .org, sentence: sentenceOf[$0]) }
            var steps = 0, scanned = 0
            let fast = resolver.bracketedAcronyms(mentions, steps: &steps)
            let slow = Self.reference(resolver, mentions, sentenceOf: sentenceOf, scanned: &scanned)
            #expect(Self.same(fast, slow))
            #expect(fast.filter { $0.tokens.count > 1 }.count == 3 * repeats, "each long name merged")
            return (steps, scanned)
        }
        let small = work(100), large = work(400)
        // Four times the text: four times the work when linear, sixteen when quadratic.
        #expect(Double(large.steps) / Double(small.steps) < 4.5, "steps \(small.steps) -> \(large.steps)")
        // The count tells the two apart: the full scan it replaced grows with the square.
        #expect(Double(large.scanned) / Double(small.scanned) > 12, "scanned \(small.scanned) -> \(large.scanned)")
    }
}
