/// A MinHash signature of an article's text, for finding copies of the same story.
///
/// Shingles are five consecutive words (letters and digits, lower-cased) inside one paragraph, so
/// reordered paragraphs keep their shingles. Each shingle is hashed once (FNV-1a, then the SplitMix64
/// finaliser); `hashCount` permutations `a·h + b` keep their minimum's high 32 bits. The fraction of
/// equal minimums estimates the Jaccard similarity of two shingle sets; with the set sizes that gives
/// how much of the shorter text the longer one contains, which is what a trimmed or extended copy
/// shares. Deterministic across runs and machines (no seeded `Hasher`).
public struct StorySignature: Sendable, Equatable {
    public static let hashCount = 64
    /// LSH: the first `bands * rows` minimums, `rows` per band (see `StoryMatcher`). Chosen on the dev
    /// half of the labelled set (benchmarks/stories/GUIDELINES.md): 32×1 recall 0.990, 16×1 0.979,
    /// 16×2 0.934, all with precision 1.
    public static let bands = 32
    public static let rows = 1
    static let shingleWords = 5

    public var minimums: [UInt32]
    /// Distinct shingles in the text.
    public var shingleCount: Int

    public var isEmpty: Bool { shingleCount == 0 }

    public init(minimums: [UInt32], shingleCount: Int) {
        self.minimums = minimums
        self.shingleCount = shingleCount
    }

    public static func compute(text: String) -> StorySignature {
        var shingles = Set<UInt64>()
        for paragraph in paragraphWords(text) {
            guard !paragraph.isEmpty else { continue }
            if paragraph.count < shingleWords {
                shingles.insert(combine(paragraph[...]))
                continue
            }
            for start in 0...(paragraph.count - shingleWords) {
                shingles.insert(combine(paragraph[start..<start + shingleWords]))
            }
        }
        var minimums = [UInt32](repeating: .max, count: hashCount)
        for shingle in shingles {
            for i in 0..<hashCount {
                let v = UInt32(truncatingIfNeeded: (permutations[i].a &* shingle &+ permutations[i].b) >> 32)
                if v < minimums[i] { minimums[i] = v }
            }
        }
        return StorySignature(minimums: minimums, shingleCount: shingles.count)
    }

    /// The fraction of equal minimums: an estimate of the Jaccard similarity of the shingle sets.
    public func jaccard(_ other: StorySignature) -> Double {
        guard !isEmpty, !other.isEmpty else { return 0 }
        var equal = 0
        for i in 0..<Self.hashCount where minimums[i] == other.minimums[i] { equal += 1 }
        return Double(equal) / Double(Self.hashCount)
    }

    /// The share of the shorter text's shingles the other text has too: |A∩B| / min(|A|,|B|), from
    /// J = |A∩B| / |A∪B| and |A∪B| = |A| + |B| - |A∩B|.
    public func containment(_ other: StorySignature) -> Double {
        let j = jaccard(other)
        guard j > 0 else { return 0 }
        let shared = j * Double(shingleCount + other.shingleCount) / (1 + j)
        return min(1, shared / Double(min(shingleCount, other.shingleCount)))
    }

    /// One 63-bit key per LSH band; two texts are candidates when any band key is equal.
    public var bandKeys: [Int64] {
        guard !isEmpty else { return [] }
        return (0..<Self.bands).map { band in
            var h: UInt64 = 0xcbf2_9ce4_8422_2325 ^ UInt64(band)
            for r in 0..<Self.rows { h = Self.mix(h ^ UInt64(minimums[band * Self.rows + r])) }
            return Int64(bitPattern: h >> 1)
        }
    }

    // MARK: - Storage: shingle count, then the minimums, little-endian 32-bit words

    public var blob: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(4 * (Self.hashCount + 1))
        for word in [UInt32(clamping: shingleCount)] + minimums { withUnsafeBytes(of: word.littleEndian) { out.append(contentsOf: $0) } }
        return out
    }

    public init?(blob: [UInt8]) {
        guard blob.count == 4 * (Self.hashCount + 1) else { return nil }
        var words: [UInt32] = []
        for i in stride(from: 0, to: blob.count, by: 4) {
            words.append(UInt32(blob[i]) | UInt32(blob[i + 1]) << 8 | UInt32(blob[i + 2]) << 16 | UInt32(blob[i + 3]) << 24)
        }
        self.init(minimums: Array(words.dropFirst()), shingleCount: Int(words[0]))
    }

    // MARK: - Hashing

    /// Each paragraph (split at line breaks) as its words' FNV-1a hashes.
    static func paragraphWords(_ text: String) -> [[UInt64]] {
        var paragraphs: [[UInt64]] = [[]]
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        var inWord = false
        func endWord() {
            if inWord { paragraphs[paragraphs.count - 1].append(h) }
            h = 0xcbf2_9ce4_8422_2325
            inWord = false
        }
        for scalar in text.unicodeScalars {
            // ASCII without the Unicode property lookups (the same answers: letters are alphabetic,
            // digits numeric, nothing else either); they were the top symbol of the daemon's profile.
            if scalar.isASCII, scalar != "\n" {
                let v = scalar.value
                if (v >= 97 && v <= 122) || (v >= 48 && v <= 57) {
                    h = (h ^ UInt64(v)) &* 0x0000_0100_0000_01b3
                    inWord = true
                } else if v >= 65 && v <= 90 {
                    h = (h ^ UInt64(v + 32)) &* 0x0000_0100_0000_01b3
                    inWord = true
                } else {
                    endWord()
                }
            } else if scalar == "\n" {
                endWord()
                if !paragraphs[paragraphs.count - 1].isEmpty { paragraphs.append([]) }
            } else if scalar.properties.isAlphabetic || scalar.properties.numericType != nil {
                let lower = scalar.isASCII ? (scalar.value >= 65 && scalar.value <= 90 ? scalar.value + 32 : scalar.value)
                    : (scalar.properties.lowercaseMapping.unicodeScalars.first?.value ?? scalar.value)
                h = (h ^ UInt64(lower)) &* 0x0000_0100_0000_01b3
                inWord = true
            } else {
                endWord()
            }
        }
        endWord()
        return paragraphs
    }

    static func combine(_ words: ArraySlice<UInt64>) -> UInt64 {
        var h: UInt64 = 0x9e37_79b9_7f4a_7c15
        for w in words { h = mix(h ^ w) }
        return h
    }

    /// SplitMix64's finaliser: a cheap, well-spread 64-bit mix.
    static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9e37_79b9_7f4a_7c15
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    /// Fixed permutation constants (odd multipliers), drawn once from SplitMix64 seeded with 1.
    static let permutations: [(a: UInt64, b: UInt64)] = {
        var state: UInt64 = 1
        func next() -> UInt64 { state = state &+ 0x9e37_79b9_7f4a_7c15; return mix(state) }
        return (0..<hashCount).map { _ in (next() | 1, next()) }
    }()
}
