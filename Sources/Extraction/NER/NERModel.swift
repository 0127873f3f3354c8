import FoundationEssentials

/// The trained tagger: averaged perceptron weights, quantised to one byte per (feature, label).
///
/// Immutable after loading and shared by all workers.
public struct NERModel: Sendable {
    let transitions: [Float]
    /// Open-addressed table: feature key -> row (0 marks an empty slot).
    let slots: [UInt64]
    let slotRows: [Int32]
    let mask: Int
    /// Row-major dequantised weights, `TagSet.count` per row.
    let weights: [Float]
    public var featureCount: Int { weights.count / TagSet.count }

    static let magic: [UInt8] = Array("NINER001".utf8)

    package init(keys: [UInt64], weights: [Float], transitions: [Float]) {
        self.transitions = transitions
        self.weights = weights
        var capacity = 16
        while capacity < keys.count * 2 { capacity <<= 1 }
        var slots = [UInt64](repeating: 0, count: capacity)
        var rows = [Int32](repeating: -1, count: capacity)
        for (row, key) in keys.enumerated() {
            var s = Int(truncatingIfNeeded: key) & (capacity - 1)
            while slots[s] != 0 { s = (s + 1) & (capacity - 1) }
            slots[s] = NERModel.nonZero(key)
            rows[s] = Int32(row)
        }
        self.slots = slots
        self.slotRows = rows
        self.mask = capacity - 1
    }

    @inline(__always) static func nonZero(_ key: UInt64) -> UInt64 { key == 0 ? 1 : key }

    @inline(__always) func row(_ key: UInt64) -> Int {
        let k = NERModel.nonZero(key)
        var s = Int(truncatingIfNeeded: key) & mask
        while true {
            let found = slots[s]
            if found == k { return Int(slotRows[s]) }
            if found == 0 { return -1 }
            s = (s + 1) & mask
        }
    }

    /// Tags every sentence of the document; labels index `TagSet.labels`.
    func tag(_ document: TaggerDocument, features: FeatureMatrix) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: document.words.count)
        for sentence in document.sentences {
            let tags = tag(sentence, features: features)
            for (k, t) in tags.enumerated() { result[sentence.lowerBound + k] = t }
        }
        return result
    }

    /// The label scores of one token, ignoring its neighbours' labels.
    func scores(token i: Int, features: FeatureMatrix) -> [Float] {
        let L = TagSet.count
        var result = [Float](repeating: 0, count: L)
        for f in features[i] {
            let r = row(features.keys[f])
            if r >= 0 { for y in 0..<L { result[y] += weights[r * L + y] } }
        }
        return result
    }

    func tag(_ sentence: Range<Int>, features: FeatureMatrix) -> [UInt8] {
        decode(emissions(sentence, features: features), count: sentence.count)
    }

    /// The label scores of each token of one sentence (`count * L`), before transitions.
    func emissions(_ sentence: Range<Int>, features: FeatureMatrix) -> [Float] {
        var emissions = [Float](repeating: 0, count: sentence.count * TagSet.count)
        addEmissions(sentence, features: features, to: &emissions)
        return emissions
    }

    /// Adds this model's feature weights for the tokens of `sentence` to `emissions` (`count * L`).
    func addEmissions(_ sentence: Range<Int>, features: FeatureMatrix, to emissions: inout [Float]) {
        let L = TagSet.count
        weights.withUnsafeBufferPointer { w in
            features.keys.withUnsafeBufferPointer { keys in
                for (k, i) in sentence.enumerated() {
                    let base = k * L
                    for f in features[i] {
                        let r = row(keys[f])
                        if r < 0 { continue }
                        let rb = r * L
                        for y in 0..<L { emissions[base + y] += w[rb + y] }
                    }
                }
            }
        }
    }

    /// Viterbi over emission scores with this model's transitions.
    func decode(_ emissions: [Float], count: Int) -> [UInt8] {
        emissions.withUnsafeBufferPointer { e in
            transitions.withUnsafeBufferPointer { t in Viterbi.decode(emissions: e, count: count, transitions: t) }
        }
    }

    // MARK: - Binary form
    //
    // "NINER001", u32 labels, u32 rows, f32 transitions[(L+1)*L], u64 keys[rows], f32 scales[rows],
    // i8 weights[rows*L]; little-endian. The gazetteer section follows (see Gazetteer.serialized).

    func serialized() -> [UInt8] {
        let L = TagSet.count
        let rows = featureCount
        var out = NERModel.magic
        func put<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        put(UInt32(L)); put(UInt32(rows))
        for t in transitions { put(t.bitPattern) }
        var keys = [UInt64](repeating: 0, count: rows)
        for (s, key) in slots.enumerated() where key != 0 { keys[Int(slotRows[s])] = key }
        for k in keys { put(k) }
        var quantised = [Int8]()
        quantised.reserveCapacity(rows * L)
        for r in 0..<rows {
            let row = weights[r * L..<(r + 1) * L]
            let scale = (row.map { abs($0) }.max() ?? 0) / 127
            put(scale.bitPattern)
            for v in row { quantised.append(scale == 0 ? 0 : Int8((v / scale).rounded())) }
        }
        out.append(contentsOf: quantised.map { UInt8(bitPattern: $0) })
        return out
    }

    init(bytes: [UInt8], origin: String) throws {
        let L = TagSet.count
        var p = 0
        func fail(_ why: String) -> ModelError { ModelError(message: "\(origin): \(why)") }
        guard bytes.count >= 16, Array(bytes[0..<8]) == NERModel.magic else { throw fail("not a NewsInbox NER model") }
        p = 8
        func u32() -> UInt32 {
            defer { p += 4 }
            return bytes.withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: p, as: UInt32.self)) }
        }
        guard Int(u32()) == L else { throw fail("label set differs from this build") }
        let rows = Int(u32())
        let needed = 16 + (L + 1) * L * 4 + rows * (8 + 4 + L)
        guard bytes.count >= needed else { throw fail("truncated or corrupt (\(bytes.count) bytes, expected \(needed))") }
        var transitions = [Float](repeating: 0, count: (L + 1) * L)
        for i in transitions.indices { transitions[i] = Float(bitPattern: u32()) }
        var keys = [UInt64](repeating: 0, count: rows)
        bytes.withUnsafeBytes { raw in
            for i in 0..<rows { keys[i] = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: p + i * 8, as: UInt64.self)) }
        }
        p += rows * 8
        var scales = [Float](repeating: 0, count: rows)
        for i in 0..<rows { scales[i] = Float(bitPattern: u32()) }
        var weights = [Float](repeating: 0, count: rows * L)
        for r in 0..<rows {
            let scale = scales[r]
            for y in 0..<L { weights[r * L + y] = Float(Int8(bitPattern: bytes[p + r * L + y])) * scale }
        }
        self.init(keys: keys, weights: weights, transitions: transitions)
    }

    /// Bytes of the weights section, for a reader that continues after it.
    static func byteCount(_ bytes: [UInt8]) -> Int {
        guard bytes.count >= 16 else { return bytes.count }
        let rows = bytes.withUnsafeBytes { Int(UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: 12, as: UInt32.self))) }
        return 16 + (TagSet.count + 1) * TagSet.count * 4 + rows * (8 + 4 + TagSet.count)
    }
}

public struct ModelError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public var description: String { message }
}
