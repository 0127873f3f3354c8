import Foundation
import TestSupport
import Testing
@testable import Extraction
import ExtractionTraining
import NewsCore

@Suite struct ConfidenceTests {
    /// The scaled forward-backward gives the same span probabilities as summing exp(score / T) over every
    /// BIO-allowed path of a short sentence (to single precision, which the lattice computes in).
    @Test func spanProbabilitiesMatchEnumeratingEveryPath() {
        let L = TagSet.count, n = 4
        var rng = SplitMix64(seed: 7)
        func uniform() -> Float { Float(rng.next() % 10_000) / 10_000 * 8 - 4 }
        let emissions = (0..<(n * L)).map { _ in uniform() }
        let transitions = (0..<((L + 1) * L)).map { _ in uniform() }
        for temperature in [0.5, 1.0, 3.0] {
            let lattice = emissions.withUnsafeBufferPointer { e in
                transitions.withUnsafeBufferPointer { t in SpanLattice(emissions: e, count: n, transitions: t, temperature: temperature) }
            }
            var total = 0.0
            var bySpan: [String: Double] = [:]
            var path = [Int](repeating: 0, count: n)
            func visit(_ i: Int, _ score: Double) {
                if i == n {
                    let w = exp(score / temperature)
                    total += w
                    var s = 0
                    while s < n {
                        guard path[s] % 2 == 1 else { s += 1; continue }
                        var e = s + 1
                        while e < n && path[e] == path[s] + 1 { e += 1 }
                        bySpan["\(s)-\(e)-\((path[s] - 1) / 2)", default: 0] += w
                        s = e
                    }
                    return
                }
                let from = i == 0 ? L : path[i - 1]
                for y in 0..<L where TagSet.allowed[from * L + y] {
                    path[i] = y
                    visit(i + 1, score + Double(transitions[from * L + y]) + Double(emissions[i * L + y]))
                }
            }
            visit(0, 0)
            for s in 0..<n {
                for e in (s + 1)...n {
                    for type in 0..<4 {
                        let expected = (bySpan["\(s)-\(e)-\(type)"] ?? 0) / total
                        #expect(abs(lattice.probability(s..<e, type: type) - expected) < 1e-6, "span \(s)..<\(e) type \(type) at T \(temperature)")
                    }
                }
            }
        }
    }

    @Test func calibrationFileRoundTripsAndRejectsBadOnes() throws {
        let c = NERCalibration(temperature: 2.378, mention: .init(a: 0.91, b: 1.25), entity: .init(a: 0.7, b: -0.125), modelFeatures: 91_736)
        #expect(try NERCalibration(text: c.serialized(comment: ["a comment"]), origin: "x") == c)
        #expect(throws: ModelError.self) { try NERCalibration(text: "temperature 2\nmention 1 0\nentity 1 0\nfeatures 1.5\n", origin: "x") }
        #expect(throws: ModelError.self) { try NERCalibration(text: "temperature 2\nmention 1\nentity 1 0\n", origin: "x") }
        #expect(throws: ModelError.self) { try NERCalibration(text: "temperature -1\nmention 1 0\nentity 1 0\n", origin: "x") }
        #expect(throws: ModelError.self) { try NERCalibration(text: "temperature x\nmention 1 0\nentity 1 0\n", origin: "x") }
        // The identity maps a raw probability to itself.
        #expect(abs(NERCalibration.identity.entity(0.8) - 0.8) < 1e-9)
    }

    /// A calibration fitted for another model (a retrained ner.model, calibration not refitted) is not applied.
    @Test func aCalibrationForAnotherModelIsNotApplied() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("confidence-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.copyItem(atPath: ShippedModels.directory + "/ner.model", toPath: directory.path + "/ner.model")
        let features = try #require(ShippedModels.models?.tagger?.model.featureCount)
        for (count, applied) in [(features, true), (features + 1, false)] {
            let c = NERCalibration(temperature: 3, mention: .identity, entity: .init(a: 2, b: 0), modelFeatures: count)
            try c.serialized().write(toFile: directory.path + "/ner.calibration", atomically: true, encoding: .utf8)
            let loaded = try #require(try ExtractionModels.load(directory: directory.path).tagger)
            #expect((loaded.calibration == c) == applied)
            #expect((loaded.calibration == .identity) != applied)
        }
    }

    @Test func expectedCalibrationErrorWeighsEachBinByItsShare() {
        // Bin 0.9-1.0: four at 0.95, three right (0.75): gap 0.2. Bin 0.2-0.3: one at 0.25, wrong: gap 0.25.
        let pairs: [(confidence: Double, right: Bool)] = [(0.95, true), (0.95, true), (0.95, true), (0.95, false), (0.25, false)]
        let r = CalibrationFit.Reliability(pairs)
        #expect(abs(r.ece - (4 * 0.2 + 1 * 0.25) / 5) < 1e-12)
        #expect(r.bins[9].count == 4 && r.bins[2].count == 1)
        #expect(abs(r.accuracy - 0.6) < 1e-12)
    }

    @Test func plattScalingRecoversAKnownMapping() {
        // Outcomes drawn with p = sigmoid(0.5 * logit(raw) - 0.3): the fit comes back near (0.5, -0.3).
        var rng = SplitMix64(seed: 11)
        var samples: [CalibrationFit.Sample] = []
        for _ in 0..<20_000 {
            let raw = Double(rng.next() % 1_000_000) / 1_000_000
            let p = NERCalibration.Platt(a: 0.5, b: -0.3)(raw)
            samples.append(.init(raw: raw, right: Double(rng.next() % 1_000_000) / 1_000_000 < p))
        }
        let fit = CalibrationFit.platt(samples)
        #expect(abs(fit.a - 0.5) < 0.05 && abs(fit.b + 0.3) < 0.08, "\(fit)")
    }

    /// The shipped calibration, measured on the held-out half of CoNLL-2003 dev (the documents in even places,
    /// which the calibration was not fitted on): expected calibration error within 0.05 for mentions and entities.
    @Test func shippedCalibrationHoldsOnTheHeldOutHalf() throws {
        let text = try Requirement.value(EntityCorpora.text("conll2003/dev.txt"), Corpora.absent("conll2003/dev.txt"))
        let tagger = try #require(ShippedModels.models?.tagger, "models/ner.model did not load")
        #expect(tagger.calibration != .identity,
                "models/ner.calibration is missing or was fitted for another ner.model: run newsinbox train calibration (models/README.md)")
        let corpus = CoNLLCorpus(text: text)
        let scored = CalibrationFit.score(corpus, tagger: tagger)
        let c = tagger.calibration
        let mentions = CalibrationFit.mentions(scored, tagger: tagger, temperature: c.temperature, calibrationHalf: false)
            .map { (confidence: NERCalibration.rounded(c.mention($0.raw)), right: $0.right) }
        let entities = CalibrationFit.entities(corpus, tagger: tagger, calibrationHalf: false)
            .map { (confidence: NERCalibration.rounded(c.entity($0.raw)), right: $0.right) }
        let m = CalibrationFit.Reliability(mentions), e = CalibrationFit.Reliability(entities)
        print("held out: mentions", m.count, "ECE", m.ece, "; entities", e.count, "ECE", e.ece)
        #expect(m.count > 2500 && e.count > 1500)
        #expect(m.ece <= 0.05)
        #expect(e.ece <= 0.05)
    }

    /// Every entity of the seed carries a confidence in [0, 1]; the names the tagger is sure of score high.
    @Test func seedEntitiesCarryConfidences() throws {
        let document = try SharedCorpora.seed()
        let models = try #require(ShippedModels.models, "models/ner.model did not load")
        let entities = try Extractor(models: models).extract(document).entities
        #expect(!entities.isEmpty)
        for e in entities { #expect(e.confidence >= 0 && e.confidence <= 1 && e.confidence == NERCalibration.rounded(e.confidence), "\(e.name)") }
        let chollet = try #require(entities.first { $0.name == "Derek Chollet" })
        #expect(chollet.confidence >= 0.8)
        #expect(Set(entities.map(\.confidence)).count > 1)
    }
}
