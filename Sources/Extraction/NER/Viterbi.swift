/// The tag set: BIO over the four CoNLL types. Index 0 is O; B-X is odd, I-X the even index after it.
package enum TagSet {
    package static let labels = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC"]
    package static let count = labels.count
    static let types = ["PER", "ORG", "LOC", "MISC"]

    package static func index(_ tag: String) -> UInt8? { labels.firstIndex(of: tag).map(UInt8.init) }

    /// I-X may only follow B-X or I-X (and never starts a sentence); the rest is allowed.
    static let allowed: [Bool] = {
        var a = [Bool](repeating: true, count: (count + 1) * count)
        for to in 0..<count where to % 2 == 0 && to > 0 {
            for from in 0...count where !(from == to || from == to - 1) { a[from * count + to] = false }
        }
        return a
    }()

    static func type(_ label: UInt8) -> Int? { label == 0 ? nil : (Int(label) - 1) / 2 }
    static func isBegin(_ label: UInt8) -> Bool { label % 2 == 1 }
}

/// First-order Viterbi over emission scores (`n * L`) and transition scores (`(L + 1) * L`, row L = start).
package enum Viterbi {
    package static func decode(emissions: UnsafeBufferPointer<Float>, count n: Int, transitions: UnsafeBufferPointer<Float>) -> [UInt8] {
        let L = TagSet.count
        guard n > 0 else { return [] }
        let allowed = TagSet.allowed
        var score = [Float](repeating: 0, count: n * L)
        var back = [UInt8](repeating: 0, count: n * L)
        for y in 0..<L {
            score[y] = allowed[L * L + y] ? transitions[L * L + y] + emissions[y] : -.infinity
        }
        if n > 1 {
            for i in 1..<n {
                let base = i * L
                let prev = base - L
                for y in 0..<L {
                    var best: Float = -.infinity
                    var arg = 0
                    for x in 0..<L where allowed[x * L + y] {
                        let s = score[prev + x] + transitions[x * L + y]
                        if s > best { best = s; arg = x }
                    }
                    score[base + y] = best + emissions[base + y]
                    back[base + y] = UInt8(arg)
                }
            }
        }
        var result = [UInt8](repeating: 0, count: n)
        var best: Float = -.infinity
        var arg = 0
        for y in 0..<L where score[(n - 1) * L + y] > best { best = score[(n - 1) * L + y]; arg = y }
        result[n - 1] = UInt8(arg)
        var i = n - 1
        while i > 0 {
            arg = Int(back[i * L + arg])
            result[i - 1] = UInt8(arg)
            i -= 1
        }
        return result
    }
}
