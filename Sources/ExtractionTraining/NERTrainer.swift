public import Extraction

/// Trains the entity tagger: the averaged structured perceptron (Collins 2002) with Viterbi decoding,
/// over Extraction's features. The offline tool's side (`newsinbox train ner`): the daemon links
/// Extraction without it.
public enum NERTrainer {
    public struct Options: Sendable {
        public var epochs = 15
        public var seed: UInt64 = 20_230_212
        /// Features seen fewer times than this in training are dropped.
        public var minCount = 1
        public init() {}
    }

    private struct Prepared {
        var rows: [Int32]      // feature rows per token, flattened; -1 for features unknown to training
        var offsets: [Int32]
        var gold: [UInt8]
        var sentences: [Range<Int>]
    }

    public static func train(train: CoNLLCorpus, dev: CoNLLCorpus?, gazetteer: Gazetteer, clusters: WordClusters,
                             options: Options = Options(), log: (String) -> Void) -> NERTagger {
        let extractor = FeatureExtractor(gazetteer: gazetteer, clusters: clusters)
        let L = TagSet.count
        func matrix(_ d: CoNLLCorpus.Document) -> FeatureMatrix {
            extractor.features(TaggerDocument(words: d.words.map(WordInfo.init), sentences: d.sentences))
        }
        let trainMatrices = train.documents.map(matrix)
        var counts: [UInt64: Int32] = [:]
        for m in trainMatrices { for k in m.keys { counts[k, default: 0] += 1 } }
        var index: [UInt64: Int32] = [:]
        var keys: [UInt64] = []
        for m in trainMatrices {
            for k in m.keys where index[k] == nil && counts[k, default: 0] >= Int32(options.minCount) {
                index[k] = Int32(keys.count)
                keys.append(k)
            }
        }
        counts = [:]
        log("features: \(keys.count)")
        func prepare(_ d: CoNLLCorpus.Document, _ m: FeatureMatrix) -> Prepared {
            Prepared(rows: m.keys.map { index[$0] ?? -1 }, offsets: m.offsets,
                     gold: d.gold.map { TagSet.index($0) ?? 0 }, sentences: d.sentences)
        }
        let trainSet = zip(train.documents, trainMatrices).map(prepare)
        let devSet = dev.map { corpus in corpus.documents.map { prepare($0, matrix($0)) } } ?? []

        var w = [Float](repeating: 0, count: keys.count * L)
        var u = [Float](repeating: 0, count: keys.count * L)
        var t = [Float](repeating: 0, count: (L + 1) * L)
        var tu = [Float](repeating: 0, count: (L + 1) * L)
        var c: Float = 1
        var order: [(Int, Int)] = []
        for (d, p) in trainSet.enumerated() { for s in p.sentences.indices { order.append((d, s)) } }
        var rng = SplitMix64(seed: options.seed)
        var best: (f1: Double, epoch: Int, w: [Float], t: [Float]) = (-1, 0, [], [])

        for epoch in 1...options.epochs {
            for i in stride(from: order.count - 1, to: 0, by: -1) {
                order.swapAt(i, Int(rng.next() % UInt64(i + 1)))
            }
            var mistakes = 0
            for (d, s) in order {
                let p = trainSet[d]
                let sentence = p.sentences[s]
                let predicted = decode(p, sentence, w, t)
                var differs = false
                for (k, i) in sentence.enumerated() where predicted[k] != p.gold[i] { differs = true; break }
                if differs {
                    mistakes += 1
                    for (k, i) in sentence.enumerated() {
                        let g = Int(p.gold[i]), y = Int(predicted[k])
                        let prevG = k == 0 ? L : Int(p.gold[i - 1])
                        let prevY = k == 0 ? L : Int(predicted[k - 1])
                        if g != y {
                            for f in Int(p.offsets[i])..<Int(p.offsets[i + 1]) {
                                let r = Int(p.rows[f])
                                if r < 0 { continue }
                                w[r * L + g] += 1; u[r * L + g] += c
                                w[r * L + y] -= 1; u[r * L + y] -= c
                            }
                        }
                        if g != y || prevG != prevY {
                            t[prevG * L + g] += 1; tu[prevG * L + g] += c
                            t[prevY * L + y] -= 1; tu[prevY * L + y] -= c
                        }
                    }
                }
                c += 1
            }
            let averaged = zip(w, u).map { $0 - $1 / c }
            let averagedT = zip(t, tu).map { $0 - $1 / c }
            var message = "epoch \(epoch): \(mistakes) sentences wrong of \(order.count)"
            if let dev, !devSet.isEmpty {
                var score = ChunkScore()
                for (doc, p) in zip(dev.documents, devSet) {
                    var predicted = [String](repeating: "O", count: doc.words.count)
                    for sentence in p.sentences {
                        for (k, y) in decode(p, sentence, averaged, averagedT).enumerated() {
                            predicted[sentence.lowerBound + k] = TagSet.labels[Int(y)]
                        }
                    }
                    score.add(gold: doc.gold, predicted: predicted, sentences: doc.sentences)
                }
                message += "; dev F1 \((score.overall.f1 * 10000).rounded() / 100)"
                if score.overall.f1 > best.f1 { best = (score.overall.f1, epoch, averaged, averagedT) }
            } else {
                best = (0, epoch, averaged, averagedT)
            }
            log(message)
        }
        log("keeping epoch \(best.epoch)")
        // Drop rows the averaged model leaves (almost) empty: they cost bytes and change nothing.
        var keptKeys: [UInt64] = []
        var keptWeights: [Float] = []
        let globalMax = best.w.reduce(0) { max($0, abs($1)) }
        let threshold = globalMax * 1e-4
        for (r, key) in keys.enumerated() {
            let row = best.w[r * L..<(r + 1) * L]
            if row.contains(where: { abs($0) > threshold }) {
                keptKeys.append(key)
                keptWeights.append(contentsOf: row)
            }
        }
        log("rows kept: \(keptKeys.count) of \(keys.count)")
        let model = NERModel(keys: keptKeys, weights: keptWeights, transitions: best.t)
        return NERTagger(model: model, gazetteer: gazetteer, clusters: clusters)
    }

    private static func decode(_ p: Prepared, _ sentence: Range<Int>, _ w: [Float], _ t: [Float]) -> [UInt8] {
        let L = TagSet.count
        var emissions = [Float](repeating: 0, count: sentence.count * L)
        w.withUnsafeBufferPointer { w in
            for (k, i) in sentence.enumerated() {
                for f in Int(p.offsets[i])..<Int(p.offsets[i + 1]) {
                    let r = Int(p.rows[f])
                    if r < 0 { continue }
                    for y in 0..<L { emissions[k * L + y] += w[r * L + y] }
                }
            }
        }
        return emissions.withUnsafeBufferPointer { e in
            t.withUnsafeBufferPointer { t in Viterbi.decode(emissions: e, count: sentence.count, transitions: t) }
        }
    }
}

extension NERTagger {
    /// Tags a CoNLL document.
    public func tag(_ document: CoNLLCorpus.Document) -> [String] {
        tag(words: document.words, sentences: document.sentences)
    }
}
