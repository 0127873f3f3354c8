public import Extraction
import FoundationEssentials
import Glibc
public import NewsCore

/// Fits and measures `NERCalibration` on CoNLL-2003 dev, split by document: the documents in odd places
/// (the 1st, 3rd, 5th ... `-DOCSTART-`) fit it, the even ones (2nd, 4th ...) are held out and only measured.
///
/// Two levels, each scored as right or wrong:
/// - mention: each name the tagger finds (Viterbi), right when its exact span and type are a gold name;
/// - entity: each entity the real entity stage makes of the document (its text rebuilt from the tokens,
///   one paragraph per sentence), right when its name's span, with its type mapped back to CoNLL's
///   (PERSON -> PER, ORG, PLACE -> LOC, NORP/EVENT/MISC -> MISC), is a gold name.
public enum CalibrationFit {
    public struct Sample: Sendable {
        public var raw: Double
        public var right: Bool
        public init(raw: Double, right: Bool) { self.raw = raw; self.right = right }
    }

    /// One reliability bin of ten equal-width bins over [0, 1].
    public struct Bin: Sendable, Encodable {
        public var lower: Double, upper: Double
        public var count: Int
        public var meanConfidence: Double
        public var accuracy: Double
        enum CodingKeys: String, CodingKey { case lower, upper, count, meanConfidence = "mean_confidence", accuracy }
    }

    public struct Reliability: Sendable, Encodable {
        public var count: Int
        public var accuracy: Double
        public var meanConfidence: Double
        /// Expected calibration error: the bins' |accuracy - mean confidence|, weighted by their share.
        public var ece: Double
        /// Mean squared error of the confidences against 0/1.
        public var brier: Double
        public var bins: [Bin]
        enum CodingKeys: String, CodingKey { case count, accuracy, meanConfidence = "mean_confidence", ece, brier, bins }

        public init(_ pairs: [(confidence: Double, right: Bool)]) {
            count = pairs.count
            var bins = (0..<10).map { Bin(lower: Double($0) / 10, upper: Double($0 + 1) / 10, count: 0, meanConfidence: 0, accuracy: 0) }
            var brier = 0.0
            for (c, right) in pairs {
                let k = min(9, max(0, Int(c * 10)))
                bins[k].count += 1
                bins[k].meanConfidence += c
                bins[k].accuracy += right ? 1 : 0
                brier += (c - (right ? 1 : 0)) * (c - (right ? 1 : 0))
            }
            var ece = 0.0
            for k in bins.indices where bins[k].count > 0 {
                bins[k].meanConfidence /= Double(bins[k].count)
                bins[k].accuracy /= Double(bins[k].count)
                ece += Double(bins[k].count) * abs(bins[k].accuracy - bins[k].meanConfidence)
            }
            let n = Double(max(1, pairs.count))
            self.ece = ece / n
            self.brier = brier / n
            self.bins = bins
            accuracy = Double(pairs.filter(\.right).count) / n
            meanConfidence = pairs.reduce(0) { $0 + $1.confidence } / n
        }

        public var table: String {
            var out = "    bin        n   confidence  accuracy\n"
            for b in bins where b.count > 0 {
                out += String(cFormat: "    %.1f-%.1f %6d      %.3f     %.3f\n", b.lower, b.upper, b.count, b.meanConfidence, b.accuracy)
            }
            out += String(cFormat: "    all     %6d      %.3f     %.3f   ECE %.4f  Brier %.4f\n", count, meanConfidence, accuracy, ece, brier)
            return out
        }
    }

    /// Which half a document (0-based index in the file) belongs to.
    public static func isCalibrationDocument(_ index: Int) -> Bool { index % 2 == 0 }

    // MARK: - Mentions

    /// Each document's per-sentence scores, computed once: the temperature search re-reads them.
    public struct Scored: Sendable {
        var scores: [[NERTagger.SentenceScores]]   // document -> sentence -> final scores
        var documents: [CoNLLCorpus.Document]
    }

    public static func score(_ corpus: CoNLLCorpus, tagger: NERTagger) -> Scored {
        Scored(scores: corpus.documents.map { tagger.scoredTag(words: $0.words, sentences: $0.sentences).scores },
               documents: corpus.documents)
    }

    /// The tagger's names in the chosen documents with their raw probability at `temperature`.
    public static func mentions(_ scored: Scored, tagger: NERTagger, temperature: Double, calibrationHalf: Bool) -> [Sample] {
        var samples: [Sample] = []
        for (d, document) in scored.documents.enumerated() where isCalibrationDocument(d) == calibrationHalf {
            for (s, sentence) in document.sentences.enumerated() {
                let sentenceScores = scored.scores[d][s]
                let tags = sentenceScores.emissions.withUnsafeBufferPointer { e in
                    sentenceScores.transitions.withUnsafeBufferPointer { t in Viterbi.decode(emissions: e, count: sentence.count, transitions: t) }
                }
                let lattice = sentenceScores.lattice(temperature: temperature)
                let predicted = ChunkScore.chunks(ArraySlice(tags.map { TagSet.labels[Int($0)] }))
                let gold = Set(ChunkScore.chunks(document.gold[sentence]).map {
                    ChunkScore.Chunk(type: $0.type, start: $0.start - sentence.lowerBound, end: $0.end - sentence.lowerBound)
                })
                for chunk in predicted {
                    guard let type = ["PER", "ORG", "LOC", "MISC"].firstIndex(of: chunk.type) else { continue }
                    samples.append(Sample(raw: lattice.probability(chunk.start..<chunk.end, type: type), right: gold.contains(chunk)))
                }
            }
        }
        return samples
    }

    // MARK: - Entities

    /// The entity stage's entities of the chosen documents, with their raw score, right or wrong.
    public static func entities(_ corpus: CoNLLCorpus, tagger: NERTagger, calibrationHalf: Bool) -> [Sample] {
        let extractor = Extractor(models: ExtractionModels(tagger: tagger, directory: nil))
        var samples: [Sample] = []
        for (d, document) in corpus.documents.enumerated() where isCalibrationDocument(d) == calibrationHalf {
            // The text: words joined by spaces, one paragraph per sentence; offsets in scalars.
            var text = ""
            var offset = 0
            var starts = [Int](repeating: 0, count: document.words.count)
            var ends = starts
            for (s, sentence) in document.sentences.enumerated() {
                if s > 0 { text += "\n\n"; offset += 2 }
                for i in sentence {
                    if i > sentence.lowerBound { text += " "; offset += 1 }
                    starts[i] = offset
                    text += document.words[i]
                    offset += document.words[i].unicodeScalars.count
                    ends[i] = offset
                }
            }
            struct Name: Hashable { var start: Int; var end: Int; var type: String }
            var gold = Set<Name>()
            for sentence in document.sentences {
                for c in ChunkScore.chunks(document.gold[sentence]) {
                    gold.insert(Name(start: starts[c.start], end: ends[c.end - 1], type: c.type))
                }
            }
            let scalars = Array(text.unicodeScalars)
            guard let extraction = try? extractor.extract(Document(text: text)) else { continue }
            for entity in extraction.entities {
                let type = ["PER", "ORG", "LOC", "MISC"][entity.type.conllType]
                let right = entity.mentions.contains { m in
                    String(String.UnicodeScalarView(scalars[m.start..<m.end])) == entity.name
                        && gold.contains(Name(start: m.start, end: m.end, type: type))
                }
                samples.append(Sample(raw: entity.rawConfidence, right: right))
            }
        }
        return samples
    }

    // MARK: - Fitting

    /// Platt scaling on the log-odds of the raw scores: logistic regression of right on logit(raw),
    /// by Newton's method from the identity (deterministic), with a tiny ridge so that it cannot diverge
    /// on separable data.
    public static func platt(_ samples: [Sample]) -> NERCalibration.Platt {
        let xs = samples.map { NERCalibration.logit($0.raw) }
        let ys = samples.map { $0.right ? 1.0 : 0.0 }
        var a = 1.0, b = 0.0
        for _ in 0..<100 {
            var ga = 0.0, gb = 0.0, haa = 1e-6, hab = 0.0, hbb = 1e-6
            for (x, y) in zip(xs, ys) {
                let p = 1 / (1 + exp(-(a * x + b)))
                let w = max(p * (1 - p), 1e-12)
                ga += (p - y) * x; gb += p - y
                haa += w * x * x; hab += w * x; hbb += w
            }
            ga += 1e-6 * (a - 1); gb += 1e-6 * b
            let det = haa * hbb - hab * hab
            guard det > 0 else { break }
            let da = (hbb * ga - hab * gb) / det
            let db = (haa * gb - hab * ga) / det
            a -= da; b -= db
            if abs(da) < 1e-10 && abs(db) < 1e-10 { break }
        }
        return NERCalibration.Platt(a: a, b: b)
    }

    /// Mean negative log-likelihood of the samples under `platt`.
    public static func logLoss(_ samples: [Sample], _ platt: NERCalibration.Platt) -> Double {
        var total = 0.0
        for s in samples {
            let p = min(1 - 1e-12, max(1e-12, platt(s.raw)))
            total -= s.right ? log(p) : log(1 - p)
        }
        return total / Double(max(1, samples.count))
    }

    /// The temperature (on a log grid from 0.25 to 64) whose Platt-scaled mention scores have the least
    /// log loss on the calibration half, that Platt pair, and the log loss of each temperature tried.
    public static func fitMentions(_ scored: Scored, tagger: NERTagger) -> (temperature: Double, platt: NERCalibration.Platt, tried: [(Double, Double)]) {
        var best = (temperature: 1.0, platt: NERCalibration.Platt.identity, loss: Double.infinity)
        var tried: [(Double, Double)] = []
        for k in 0...32 {
            let t = 0.25 * pow(2, Double(k) / 4)
            let samples = mentions(scored, tagger: tagger, temperature: t, calibrationHalf: true)
            let platt = platt(samples)
            let loss = logLoss(samples, platt)
            tried.append((t, loss))
            if loss < best.loss { best = (t, platt, loss) }
        }
        return (best.temperature, best.platt, tried)
    }
}
