/// Distributional word clusters built from unlabelled news text (`scripts/make-clusters.py`), at three
/// granularities. A form's exact spelling is tried first, then its lower-case form. Optionally a second,
/// larger table keyed by lower-case form: clusters of pretrained word vectors (`scripts/make-vector-clusters.py`).
public struct WordClusters: Sendable {
    typealias IDs = (UInt16, UInt16, UInt16)
    static let unknown: UInt16 = .max

    private var exact = PackedTable<UInt64, UInt64>()
    private var lower = PackedTable<UInt64, UInt64>()
    /// Lower-case form (the low 32 bits of its hash: with 200,000 forms a stray match is a 1-in-20,000 event
    /// per unknown word) -> three vector-cluster ids packed 10/10/12 bits (coarse to fine).
    private var vectors = PackedTable<UInt32, UInt32>()
    static let vectorMagic: [UInt8] = Array("NIVEC001".utf8)

    public static let empty = WordClusters()

    @inline(__always) private static func pack(_ ids: IDs) -> UInt64 {
        UInt64(ids.0) | UInt64(ids.1) << 16 | UInt64(ids.2) << 32
    }

    @inline(__always) private static func unpack(_ v: UInt64) -> IDs {
        (UInt16(truncatingIfNeeded: v), UInt16(truncatingIfNeeded: v >> 16), UInt16(truncatingIfNeeded: v >> 32))
    }

    /// `form<TAB>c64<TAB>c256<TAB>c1024`, most frequent first.
    public init(tsv: String) {
        var exact: [UInt64: UInt64] = [:]
        var lower: [UInt64: UInt64] = [:]
        for line in tsv.split(separator: "\n") where !line.hasPrefix("#") {
            let f = line.split(separator: "\t")
            guard f.count == 4, let a = UInt16(f[1]), let b = UInt16(f[2]), let c = UInt16(f[3]) else { continue }
            let info = WordInfo(String(f[0]))
            let packed = WordClusters.pack((a, b, c))
            if exact[info.word] == nil { exact[info.word] = packed }
            if lower[info.lower] == nil { lower[info.lower] = packed }
        }
        self.exact = PackedTable(exact.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
        self.lower = PackedTable(lower.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
    }

    private init() {}

    /// Adds the vector-cluster table: `form<TAB>coarse<TAB>middle<TAB>fine`, most frequent first.
    public mutating func addVectorClusters(tsv: String) {
        var table: [UInt32: UInt32] = [:]
        for line in tsv.split(separator: "\n") where !line.hasPrefix("#") {
            let f = line.split(separator: "\t")
            guard f.count == 4, let a = UInt32(f[1]), let b = UInt32(f[2]), let c = UInt32(f[3]),
                  a < 1 << 10, b < 1 << 10, c < 1 << 12 else { continue }
            let key = UInt32(truncatingIfNeeded: WordInfo(String(f[0])).lower)
            if table[key] == nil { table[key] = a | b << 10 | c << 20 }
        }
        vectors = PackedTable(table.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
    }

    /// The vector-cluster ids of a word's lower-case form (coarse, middle, fine), nil when it has none.
    @inline(__always) func vectorIDs(_ w: WordInfo) -> (UInt64, UInt64, UInt64)? {
        guard let v = vectors.value(UInt32(truncatingIfNeeded: w.lower)) else { return nil }
        return (UInt64(v & 0x3FF), UInt64(v >> 10 & 0x3FF), UInt64(v >> 20))
    }

    public var hasVectorClusters: Bool { !vectors.isEmpty }

    func ids(_ w: WordInfo) -> IDs {
        if let v = exact.value(w.word) ?? lower.value(w.lower) { return WordClusters.unpack(v) }
        return (WordClusters.unknown, WordClusters.unknown, WordClusters.unknown)
    }

    public var isEmpty: Bool { exact.isEmpty }

    // MARK: - Binary form: u32 count, (u64 key, u64 packed ids) pairs, for the exact then the lower table;
    // then, when there are vector clusters, "NIVEC001", u32 count, (u32 key, u32 packed ids) pairs.

    func serialized() -> [UInt8] {
        var out: [UInt8] = []
        func put<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        for table in [exact, lower] {
            put(UInt32(table.count))
            for (k, v) in table.pairs { put(k); put(v) }
        }
        if !vectors.isEmpty {
            out.append(contentsOf: WordClusters.vectorMagic)
            put(UInt32(vectors.count))
            for (k, v) in vectors.pairs { put(k); put(v) }
        }
        return out
    }

    init(bytes: [UInt8], at start: inout Int) throws {
        var p = start
        var tables: [PackedTable<UInt64, UInt64>] = []
        try bytes.withUnsafeBytes { raw in
            for _ in 0..<2 {
                guard p + 4 <= bytes.count else { throw ModelError(message: "cluster section truncated") }
                let count = Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: p, as: UInt32.self)))
                p += 4
                guard p + count * 16 <= bytes.count else { throw ModelError(message: "cluster section truncated") }
                let table = PackedTable((0..<count).map { i in
                    (UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: p + i * 16, as: UInt64.self)),
                     UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: p + i * 16 + 8, as: UInt64.self)))
                })
                p += count * 16
                tables.append(table)
            }
            let magic = WordClusters.vectorMagic
            if p + magic.count + 4 <= bytes.count, Array(bytes[p..<p + magic.count]) == magic {
                p += magic.count
                let count = Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: p, as: UInt32.self)))
                p += 4
                guard p + count * 8 <= bytes.count else { throw ModelError(message: "vector-cluster section truncated") }
                vectors = PackedTable((0..<count).map { i in
                    (UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: p + i * 8, as: UInt32.self)),
                     UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: p + i * 8 + 4, as: UInt32.self)))
                })
                p += count * 8
            }
        }
        exact = tables[0]
        lower = tables[1]
        start = p
    }
}

/// A read-only open-addressed map of hashed keys: one multiply and (mostly) one cache line per lookup, where
/// a Dictionary hashes with SipHash. Key 0 is stored as 1 (0 marks an empty slot).
struct PackedTable<Key: FixedWidthInteger & UnsignedInteger & Sendable, Value: FixedWidthInteger & Sendable>: Sendable {
    private var keys: [Key] = []
    private var values: [Value] = []
    private var shift: UInt64 = 64
    /// The pairs in the order given (sorted by key when built for a file), for writing back.
    private(set) var pairs: [(Key, Value)] = []

    init() {}

    /// The first value of a key wins.
    init(_ pairs: [(Key, Value)]) {
        guard !pairs.isEmpty else { return }
        var bits: UInt64 = 4
        while 1 << bits < pairs.count * 2 { bits += 1 }
        keys = [Key](repeating: 0, count: 1 << bits)
        values = [Value](repeating: 0, count: 1 << bits)
        shift = 64 - bits
        self.pairs = []
        self.pairs.reserveCapacity(pairs.count)
        for (key, value) in pairs {
            let k = key == 0 ? 1 : key
            var s = slot(k)
            while keys[s] != 0 && keys[s] != k { s = (s + 1) & (keys.count - 1) }
            guard keys[s] == 0 else { continue }
            keys[s] = k
            values[s] = value
            self.pairs.append((key, value))
        }
    }

    var isEmpty: Bool { pairs.isEmpty }
    var count: Int { pairs.count }

    @inline(__always) private func slot(_ k: Key) -> Int {
        Int((UInt64(truncatingIfNeeded: k) &* 0x9E37_79B9_7F4A_7C15) >> shift)
    }

    @inline(__always) func value(_ key: Key) -> Value? {
        guard !keys.isEmpty else { return nil }
        let k = key == 0 ? 1 : key
        var s = slot(k)
        while true {
            let found = keys[s]
            if found == k { return values[s] }
            if found == 0 { return nil }
            s = (s + 1) & (keys.count - 1)
        }
    }
}
