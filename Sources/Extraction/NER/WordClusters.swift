/// Distributional word clusters built from unlabelled news text (`scripts/make-clusters.py`), at three
/// granularities. A form's exact spelling is tried first, then its lower-case form.
public struct WordClusters: Sendable {
    typealias IDs = (UInt16, UInt16, UInt16)
    static let unknown: UInt16 = .max

    private var exact: [UInt64: UInt64] = [:]
    private var lower: [UInt64: UInt64] = [:]

    public static let empty = WordClusters()

    @inline(__always) private static func pack(_ ids: IDs) -> UInt64 {
        UInt64(ids.0) | UInt64(ids.1) << 16 | UInt64(ids.2) << 32
    }

    @inline(__always) private static func unpack(_ v: UInt64) -> IDs {
        (UInt16(truncatingIfNeeded: v), UInt16(truncatingIfNeeded: v >> 16), UInt16(truncatingIfNeeded: v >> 32))
    }

    /// `form<TAB>c64<TAB>c256<TAB>c1024`, most frequent first.
    public init(tsv: String) {
        for line in tsv.split(separator: "\n") where !line.hasPrefix("#") {
            let f = line.split(separator: "\t")
            guard f.count == 4, let a = UInt16(f[1]), let b = UInt16(f[2]), let c = UInt16(f[3]) else { continue }
            let info = WordInfo(String(f[0]))
            let packed = WordClusters.pack((a, b, c))
            if exact[info.word] == nil { exact[info.word] = packed }
            if lower[info.lower] == nil { lower[info.lower] = packed }
        }
    }

    private init() {}

    func ids(_ w: WordInfo) -> IDs {
        if let v = exact[w.word] ?? lower[w.lower] { return WordClusters.unpack(v) }
        return (WordClusters.unknown, WordClusters.unknown, WordClusters.unknown)
    }

    var isEmpty: Bool { exact.isEmpty }

    // MARK: - Binary form: u32 count, (u64 key, u64 packed ids) pairs, for the exact then the lower table.

    func serialized() -> [UInt8] {
        var out: [UInt8] = []
        func put<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        for table in [exact, lower] {
            put(UInt32(table.count))
            for (k, v) in table.sorted(by: { $0.key < $1.key }) { put(k); put(v) }
        }
        return out
    }

    init(bytes: [UInt8], at start: inout Int) throws {
        var p = start
        var tables: [[UInt64: UInt64]] = []
        try bytes.withUnsafeBytes { raw in
            for _ in 0..<2 {
                guard p + 4 <= bytes.count else { throw ModelError(message: "cluster section truncated") }
                let count = Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: p, as: UInt32.self)))
                p += 4
                guard p + count * 16 <= bytes.count else { throw ModelError(message: "cluster section truncated") }
                var table: [UInt64: UInt64] = [:]
                table.reserveCapacity(count)
                for i in 0..<count {
                    table[UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: p + i * 16, as: UInt64.self))] =
                        UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: p + i * 16 + 8, as: UInt64.self))
                }
                p += count * 16
                tables.append(table)
            }
        }
        exact = tables[0]
        lower = tables[1]
        start = p
    }
}
