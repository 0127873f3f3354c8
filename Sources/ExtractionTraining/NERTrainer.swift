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
        /// Folds of the training documents for the second stage's jackknifed first-pass labels; below 2, no
        /// second stage is trained.
        public var secondStageFolds = 0
        public var secondStageEpochs = 10
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
        func document(_ d: CoNLLCorpus.Document) -> TaggerDocument {
            TaggerDocument(words: d.words.map(WordInfo.init), sentences: d.sentences)
        }
        let trainDocuments = train.documents.map(document)
        let devDocuments = dev?.documents.map(document) ?? []
        let trainMatrices = trainDocuments.map(extractor.features)
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
        let devSet = zip(dev?.documents ?? [], devDocuments.map(extractor.features)).map(prepare)

        let evaluate: (([Float], [Float]) -> Double)? = devSet.isEmpty ? nil : { w, t in
            f1(devSet) { p, sentence in decode(emissions(p, sentence, w), t) }
        }
        let best = perceptron(trainSet, documents: Array(trainSet.indices), rows: keys.count, epochs: options.epochs,
                              seed: options.seed, evaluate: evaluate, log: log)
        log("keeping epoch \(best.epoch)")
        let (keptKeys, keptWeights) = pruned(keys: keys, weights: best.w)
        log("rows kept: \(keptKeys.count) of \(keys.count)")
        let model = NERModel(keys: keptKeys, weights: keptWeights, transitions: best.t)
        var secondStage: NERModel?
        if options.secondStageFolds > 1 {
            secondStage = trainSecondStage(trainSet, trainDocuments, devSet, devDocuments, first: best, rows: keys.count,
                                           options: options, log: log)
        }
        return NERTagger(model: model, gazetteer: gazetteer, clusters: clusters, secondStage: secondStage)
    }

    /// The averaged perceptron over the sentences of some documents; with `evaluate`, keeps the epoch that
    /// scores best, else the last.
    private static func perceptron(_ set: [Prepared], documents: [Int], rows: Int, epochs: Int, seed: UInt64,
                                   evaluate: (([Float], [Float]) -> Double)?, log: (String) -> Void)
        -> (w: [Float], t: [Float], epoch: Int) {
        let L = TagSet.count
        var w = [Float](repeating: 0, count: rows * L)
        var u = [Float](repeating: 0, count: rows * L)
        var t = [Float](repeating: 0, count: (L + 1) * L)
        var tu = [Float](repeating: 0, count: (L + 1) * L)
        var c: Float = 1
        var order: [(Int, Int)] = []
        for d in documents { for s in set[d].sentences.indices { order.append((d, s)) } }
        var rng = SplitMix64(seed: seed)
        var best: (f1: Double, epoch: Int, w: [Float], t: [Float]) = (-1, 0, [], [])

        for epoch in 1...epochs {
            for i in stride(from: order.count - 1, to: 0, by: -1) {
                order.swapAt(i, Int(rng.next() % UInt64(i + 1)))
            }
            var mistakes = 0
            for (d, s) in order {
                let p = set[d]
                let sentence = p.sentences[s]
                let predicted = decode(emissions(p, sentence, w), t)
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
            if evaluate == nil && epoch < epochs { continue }
            let averaged = zip(w, u).map { $0 - $1 / c }
            let averagedT = zip(t, tu).map { $0 - $1 / c }
            var message = "epoch \(epoch): \(mistakes) sentences wrong of \(order.count)"
            if let evaluate {
                let score = evaluate(averaged, averagedT)
                message += "; dev F1 \((score * 10000).rounded() / 100)"
                if score > best.f1 { best = (score, epoch, averaged, averagedT) }
            } else {
                best = (0, epoch, averaged, averagedT)
            }
            log(message)
        }
        return (best.w, best.t, best.epoch)
    }

    /// Drops rows the averaged model leaves (almost) empty: they cost bytes and change nothing.
    private static func pruned(keys: [UInt64], weights: [Float]) -> ([UInt64], [Float]) {
        let L = TagSet.count
        var keptKeys: [UInt64] = []
        var keptWeights: [Float] = []
        let globalMax = weights.reduce(0) { max($0, abs($1)) }
        let threshold = globalMax * 1e-4
        for (r, key) in keys.enumerated() {
            let row = weights[r * L..<(r + 1) * L]
            if row.contains(where: { abs($0) > threshold }) {
                keptKeys.append(key)
                keptWeights.append(contentsOf: row)
            }
        }
        return (keptKeys, keptWeights)
    }

    /// Exact-span F1 of a decoder over prepared documents.
    private static func f1(_ set: [Prepared], decode: (Prepared, Range<Int>) -> [UInt8]) -> Double {
        var score = ChunkScore()
        for p in set {
            var predicted = [String](repeating: "O", count: p.gold.count)
            for sentence in p.sentences {
                for (k, y) in decode(p, sentence).enumerated() { predicted[sentence.lowerBound + k] = TagSet.labels[Int(y)] }
            }
            score.add(gold: p.gold.map { TagSet.labels[Int($0)] }, predicted: predicted, sentences: p.sentences)
        }
        return score.overall.f1
    }

    /// The second stage (non-local features over first-pass labels). Its training documents get their
    /// first-pass emissions and labels from a model trained on the other folds (jackknifing), so that the
    /// labels it learns from are as wrong as they will be on unseen text; the development documents get
    /// them from the full first-stage model, as at run time.
    private static func trainSecondStage(_ trainSet: [Prepared], _ trainDocuments: [TaggerDocument], _ devSet: [Prepared],
                                         _ devDocuments: [TaggerDocument], first: (w: [Float], t: [Float], epoch: Int),
                                         rows: Int, options: Options, log: (String) -> Void) -> NERModel? {
        let L = TagSet.count
        let folds = options.secondStageFolds
        struct FirstPass { var emissions: [[Float]]; var labels: [UInt8]; var transitions: [Float] }
        func firstPass(_ p: Prepared, _ w: [Float], _ t: [Float]) -> FirstPass {
            var labels = [UInt8](repeating: 0, count: p.gold.count)
            var all: [[Float]] = []
            for sentence in p.sentences {
                let e = emissions(p, sentence, w)
                for (k, y) in decode(e, t).enumerated() { labels[sentence.lowerBound + k] = y }
                all.append(e)
            }
            return FirstPass(emissions: all, labels: labels, transitions: t)
        }
        var trainPass = [FirstPass?](repeating: nil, count: trainSet.count)
        for fold in 0..<folds {
            let model = perceptron(trainSet, documents: trainSet.indices.filter { $0 % folds != fold }, rows: rows,
                                   epochs: first.epoch, seed: options.seed &+ UInt64(fold + 1), evaluate: nil) { _ in }
            var score = ChunkScore()
            for d in trainSet.indices where d % folds == fold {
                let pass = firstPass(trainSet[d], model.w, model.t)
                trainPass[d] = pass
                score.add(gold: trainSet[d].gold.map { TagSet.labels[Int($0)] }, predicted: pass.labels.map { TagSet.labels[Int($0)] },
                          sentences: trainSet[d].sentences)
            }
            log("second stage: first-pass labels of fold \(fold + 1) of \(folds) from the other folds: F1 \((score.overall.f1 * 10000).rounded() / 100)")
        }
        let devPass = devSet.map { firstPass($0, first.w, first.t) }
        let trainNonLocal = zip(trainDocuments, trainPass).map { NonLocalFeatures.features($0, firstPass: $1!.labels) }
        let devNonLocal = zip(devDocuments, devPass).map { NonLocalFeatures.features($0, firstPass: $1.labels) }
        var index: [UInt64: Int32] = [:]
        var keys: [UInt64] = []
        for m in trainNonLocal { for k in m.keys where index[k] == nil { index[k] = Int32(keys.count); keys.append(k) } }
        log("second stage: \(keys.count) features")
        func rowsOf(_ m: FeatureMatrix) -> [Int32] { m.keys.map { index[$0] ?? -1 } }
        let trainRows = trainNonLocal.map(rowsOf)
        let devRows = devNonLocal.map(rowsOf)

        func secondEmissions(_ pass: FirstPass, _ m: FeatureMatrix, _ r: [Int32], _ s: Int, _ sentence: Range<Int>,
                             _ w: [Float]) -> [Float]? {
            guard sentence.contains(where: { !m[$0].isEmpty }) else { return nil }
            var e = pass.emissions[s]
            for (k, i) in sentence.enumerated() {
                for f in m[i] where r[f] >= 0 {
                    let row = Int(r[f])
                    for y in 0..<L { e[k * L + y] += w[row * L + y] }
                }
            }
            return e
        }
        func devF1(_ w: [Float]) -> Double {
            var score = ChunkScore()
            for (d, p) in devSet.enumerated() {
                var predicted = devPass[d].labels
                for (s, sentence) in p.sentences.enumerated() {
                    guard let e = secondEmissions(devPass[d], devNonLocal[d], devRows[d], s, sentence, w) else { continue }
                    for (k, y) in decode(e, first.t).enumerated() { predicted[sentence.lowerBound + k] = y }
                }
                score.add(gold: p.gold.map { TagSet.labels[Int($0)] }, predicted: predicted.map { TagSet.labels[Int($0)] },
                          sentences: p.sentences)
            }
            return score.overall.f1
        }
        let zero = [Float](repeating: 0, count: keys.count * L)
        var best = (f1: devSet.isEmpty ? -1 : devF1(zero), epoch: 0, w: zero)
        log("second stage: epoch 0 (first pass alone): dev F1 \((best.f1 * 10000).rounded() / 100)")
        var w = zero, u = zero
        var c: Float = 1
        var order: [(Int, Int)] = []
        for (d, p) in trainSet.enumerated() {
            for (s, sentence) in p.sentences.enumerated() where sentence.contains(where: { !trainNonLocal[d][$0].isEmpty }) {
                order.append((d, s))
            }
        }
        var rng = SplitMix64(seed: options.seed)
        for epoch in 1...options.secondStageEpochs {
            for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
            var mistakes = 0
            for (d, s) in order {
                let p = trainSet[d], pass = trainPass[d]!, m = trainNonLocal[d], r = trainRows[d]
                let sentence = p.sentences[s]
                let e = secondEmissions(pass, m, r, s, sentence, w)!
                let predicted = decode(e, pass.transitions)
                var wrong = false
                for (k, i) in sentence.enumerated() where predicted[k] != p.gold[i] {
                    wrong = true
                    let g = Int(p.gold[i]), y = Int(predicted[k])
                    for f in m[i] where r[f] >= 0 {
                        let row = Int(r[f])
                        w[row * L + g] += 1; u[row * L + g] += c
                        w[row * L + y] -= 1; u[row * L + y] -= c
                    }
                }
                if wrong { mistakes += 1 }
                c += 1
            }
            let averaged = zip(w, u).map { $0 - $1 / c }
            var message = "second stage: epoch \(epoch): \(mistakes) sentences wrong of \(order.count)"
            if !devSet.isEmpty {
                let score = devF1(averaged)
                message += "; dev F1 \((score * 10000).rounded() / 100)"
                if score > best.f1 { best = (score, epoch, averaged) }
            } else {
                best = (0, epoch, averaged)
            }
            log(message)
        }
        guard best.epoch > 0 else {
            log("second stage: no epoch beats the first pass alone; none kept")
            return nil
        }
        log("second stage: keeping epoch \(best.epoch)")
        let (keptKeys, keptWeights) = pruned(keys: keys, weights: best.w)
        return NERModel(keys: keptKeys, weights: keptWeights, transitions: first.t)
    }

    private static func emissions(_ p: Prepared, _ sentence: Range<Int>, _ w: [Float]) -> [Float] {
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
        return emissions
    }

    private static func decode(_ emissions: [Float], _ t: [Float]) -> [UInt8] {
        emissions.withUnsafeBufferPointer { e in
            t.withUnsafeBufferPointer { t in Viterbi.decode(emissions: e, count: e.count / TagSet.count, transitions: t) }
        }
    }
}

extension NERTagger {
    /// Tags a CoNLL document.
    public func tag(_ document: CoNLLCorpus.Document) -> [String] {
        tag(words: document.words, sentences: document.sentences)
    }
}
