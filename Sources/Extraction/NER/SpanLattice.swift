import Glibc

/// Forward-backward over one sentence's tagger scores, read as a linear-chain CRF's potentials divided by
/// a temperature: the probability that a span of tokens is exactly one name of a given type (B-X, I-X...,
/// then anything but I-X). The perceptron was not trained as a probability model; the temperature (fitted
/// on held-out data, see `NERCalibration`) makes these numbers a usable raw score, and the calibration maps
/// them to probabilities.
///
/// Scaled forward-backward (Rabiner): every position's forward vector sums to one, so a sentence of any
/// length neither overflows nor underflows. Single precision: the scores it is read from are Float, and a
/// raw score only needs to be right to ~1e-6 (`NERCalibration.logit` clamps there).
package struct SpanLattice: Sendable {
    private let count: Int
    /// One buffer: `potentials`, `alpha`, `beta` (`count * L` each), then `scale` (`count`), then `moves`.
    /// potentials: exp((emission - the position's maximum) / temperature); alpha, beta: the scaled forward and
    /// backward vectors; scale: each position's forward normaliser; moves: exp((transition - the maximum) /
    /// temperature), 0 where BIO forbids it, `(L + 1) * L` with row L the start.
    private let storage: [Float]

    package init(emissions: UnsafeBufferPointer<Float>, count n: Int, transitions: UnsafeBufferPointer<Float>, temperature: Double) {
        let L = TagSet.count
        count = n
        let nL = n * L
        storage = [Float](unsafeUninitializedCapacity: 3 * nL + n + (L + 1) * L) { buffer, initialised in
            buffer.initialize(repeating: 0)
            initialised = buffer.count
            guard let base = buffer.baseAddress else { return }
            let potentials = base, alpha = base + nL, beta = base + 2 * nL, scale = base + 3 * nL, moves = base + 3 * nL + n
            let inverse = Float(1 / max(temperature, 1e-6))
            TagSet.allowed.withUnsafeBufferPointer { allowed in
                var topMove = -Float.infinity
                for i in 0..<((L + 1) * L) where allowed[i] { topMove = max(topMove, transitions[i]) }
                for i in 0..<((L + 1) * L) where allowed[i] { moves[i] = expf((transitions[i] - topMove) * inverse) }
            }
            for i in 0..<n {
                let row = i * L
                var top = -Float.infinity
                for y in 0..<L { top = max(top, emissions[row + y]) }
                // Below e^-30 of the position's best label a label adds nothing a confidence can show: no exp.
                for y in 0..<L {
                    let z = (emissions[row + y] - top) * inverse
                    potentials[row + y] = z > -30 ? expf(z) : 0
                }
            }
            guard n > 0 else { return }
            var sum: Float = 0
            for y in 0..<L { alpha[y] = moves[L * L + y] * potentials[y]; sum += alpha[y] }
            scale[0] = sum > 0 ? sum : 1
            for y in 0..<L { alpha[y] /= scale[0] }
            for i in 1..<n {
                let row = i * L, previous = row - L
                sum = 0
                // Most labels of a position have no weight left (see above): skip their sums.
                for y in 0..<L where potentials[row + y] != 0 {
                    var a: Float = 0
                    for x in 0..<L { a += alpha[previous + x] * moves[x * L + y] }
                    a *= potentials[row + y]
                    alpha[row + y] = a
                    sum += a
                }
                scale[i] = sum > 0 ? sum : 1
                let inverseScale = 1 / scale[i]
                for y in 0..<L { alpha[row + y] *= inverseScale }
            }
            for y in 0..<L { beta[(n - 1) * L + y] = 1 }
            withUnsafeTemporaryAllocation(of: Float.self, capacity: L) { ahead in
                withUnsafeTemporaryAllocation(of: Int.self, capacity: L) { live in
                    var i = n - 2
                    while i >= 0 {
                        let row = i * L, next = row + L
                        let inverseScale = 1 / scale[i + 1]
                        // The next position's potential times its backward value, for the labels that have any.
                        var k = 0
                        for y in 0..<L where potentials[next + y] != 0 {
                            ahead[k] = potentials[next + y] * beta[next + y]
                            live[k] = y
                            k += 1
                        }
                        for x in 0..<L {
                            var b: Float = 0
                            for j in 0..<k { b += moves[x * L + live[j]] * ahead[j] }
                            beta[row + x] = b * inverseScale
                        }
                        i -= 1
                    }
                }
            }
        }
    }

    /// The probability that tokens `span` (sentence-relative) are exactly one name of CoNLL type `type`
    /// (index into `TagSet.types`): B at the start, I inside, and the next token not I of that type.
    package func probability(_ span: Range<Int>, type: Int) -> Double {
        let L = TagSet.count
        guard !span.isEmpty, span.lowerBound >= 0, span.upperBound <= count, type >= 0, type < TagSet.types.count else { return 0 }
        let nL = count * L
        let potentials = 0, alpha = nL, beta = 2 * nL, scale = 3 * nL, moves = 3 * nL + count
        let b = 1 + 2 * type, inside = b + 1
        var p = Double(storage[alpha + span.lowerBound * L + b])
        var previous = b
        for i in (span.lowerBound + 1)..<span.upperBound {
            p *= Double(storage[moves + previous * L + inside] * storage[potentials + i * L + inside] / storage[scale + i])
            previous = inside
        }
        if span.upperBound < count {
            let e = span.upperBound
            var next: Float = 0
            for y in 0..<L where y != inside {
                next += storage[moves + previous * L + y] * storage[potentials + e * L + y] * storage[beta + e * L + y]
            }
            p *= Double(next / storage[scale + e])
        }
        return min(1, max(0, p))
    }
}
