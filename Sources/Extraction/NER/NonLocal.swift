/// The second pass's features (Ratinov & Roth 2009, "non-local features"): what the first pass said about the
/// other occurrences of the same capitalised word in the document. A name the first pass tags as a person in
/// three places is likely a person in the fourth, where a sentence-initial position or a headline hid it.
///
/// The second stage adds the weights of these features to the first pass's emission scores and decodes again;
/// it is trained on first-pass labels of documents the first-pass model did not see (jackknifed), so that it
/// learns how far to trust them.
package enum NonLocalFeatures {
    // Template numbers (a namespace of their own; changing one invalidates trained models).
    private enum T: UInt64 {
        case aggregateType = 101, aggregatePosition, history, historyLast, selfAndMajority, majorityShape
    }

    @inline(__always) private static func f(_ t: T, _ a: UInt64, _ b: UInt64) -> UInt64 {
        FeatureHash.mix(t.rawValue &+ 0x4E4C_0000, a, b)
    }

    /// The features of each token given the first pass's labels; tokens that are not capitalised words, or
    /// whose word occurs nowhere else in the document, have none.
    package static func features(_ document: TaggerDocument, firstPass labels: [UInt8]) -> FeatureMatrix {
        let words = document.words
        var occurrences: [UInt64: [Int32]] = [:]
        for i in words.indices where words[i].isCapitalised && words[i].flags.contains(.hasLetter) {
            occurrences[words[i].lower, default: []].append(Int32(i))
        }
        var sentenceStart = [Bool](repeating: false, count: words.count)
        for s in document.sentences where !s.isEmpty { sentenceStart[s.lowerBound] = true }
        var m = FeatureMatrix()
        m.offsets.reserveCapacity(words.count + 1)
        for i in words.indices {
            defer { m.offsets.append(Int32(m.keys.count)) }
            guard words[i].isCapitalised, let others = occurrences[words[i].lower], others.count > 1 else { continue }
            let first: UInt64 = sentenceStart[i] ? 1 : 0
            // Per type (0 = outside, 1-4 = PER, ORG, LOC, MISC): how many other occurrences carry it.
            var counts: (UInt32, UInt32, UInt32, UInt32, UInt32) = (0, 0, 0, 0, 0)
            var seenPositions: UInt64 = 0
            var earlierTypes: UInt64 = 0
            var lastEarlier: UInt8?
            for j32 in others where Int(j32) != i {
                let j = Int(j32)
                let label = labels[j]
                let type = TagSet.type(label).map { $0 + 1 } ?? 0
                switch type {
                case 0: counts.0 += 1
                case 1: counts.1 += 1
                case 2: counts.2 += 1
                case 3: counts.3 += 1
                default: counts.4 += 1
                }
                // Where the word stands in its entity there: alone, first, inside, last (outside: 0).
                let inside = TagSet.isBegin(label) ? label + 1 : label
                let continues = label != 0 && j + 1 < words.count && !sentenceStart[j + 1] && labels[j + 1] == inside
                let position: Int = label == 0 ? 0 : TagSet.isBegin(label) ? (continues ? 2 : 1) : (continues ? 3 : 4)
                seenPositions |= 1 << UInt64(type * 5 + position)
                if j < i {
                    earlierTypes |= 1 << UInt64(type)
                    lastEarlier = label
                }
            }
            let byType = [counts.0, counts.1, counts.2, counts.3, counts.4]
            let total = byType.reduce(0, +)
            var majority = 0
            for t in 1..<5 where byType[t] > byType[majority] { majority = t }
            for t in 0..<5 where byType[t] > 0 {
                // The share of the other occurrences with this type, in quarters.
                let share = UInt64(min(3, byType[t] * 4 / max(total, 1)))
                m.keys.append(f(.aggregateType, UInt64(t), share * 2 + first))
            }
            var positions = seenPositions
            while positions != 0 {
                let bit = UInt64(positions.trailingZeroBitCount)
                positions &= positions - 1
                m.keys.append(f(.aggregatePosition, bit, first))
            }
            var earlier = earlierTypes
            while earlier != 0 {
                let bit = UInt64(earlier.trailingZeroBitCount)
                earlier &= earlier - 1
                m.keys.append(f(.history, bit, first))
            }
            if let lastEarlier { m.keys.append(f(.historyLast, UInt64(lastEarlier), first)) }
            let own = TagSet.type(labels[i]).map { $0 + 1 } ?? 0
            m.keys.append(f(.selfAndMajority, UInt64(own * 5 + majority), first))
            m.keys.append(f(.majorityShape, UInt64(majority), words[i].shortShape))
        }
        return m
    }
}
