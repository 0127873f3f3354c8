import FoundationEssentials
import NewsCore

/// The tagger: a trained model plus the gazetteer its features read.
public struct NERTagger: Sendable {
    public let model: NERModel
    public let gazetteer: Gazetteer
    let clusters: WordClusters
    /// Maps span probabilities to calibrated confidences; the identity until `ExtractionModels.load`
    /// finds `ner.calibration` beside the model.
    public var calibration: NERCalibration = .identity

    package init(model: NERModel, gazetteer: Gazetteer, clusters: WordClusters) {
        self.model = model
        self.gazetteer = gazetteer
        self.clusters = clusters
    }

    /// One file: the weights, then the gazetteer and clusters the features were trained with.
    public func write(to path: String) throws {
        try Data(model.serialized() + gazetteer.serialized() + clusters.serialized()).write(to: URL(fileURLWithPath: path))
    }

    public static func load(path: String) throws -> NERTagger {
        let bytes: [UInt8]
        do { bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) } catch {
            throw ModelError(message: "cannot read \(path): \(ErrorText.of(error))")
        }
        let model = try NERModel(bytes: bytes, origin: path)
        var offset = NERModel.byteCount(bytes)
        let gazetteer = try Gazetteer(bytes: bytes, at: &offset)
        let clusters = try WordClusters(bytes: bytes, at: &offset)
        guard offset == bytes.count else { throw ModelError(message: "\(path): trailing bytes after the clusters") }
        return NERTagger(model: model, gazetteer: gazetteer, clusters: clusters)
    }

    var extractor: FeatureExtractor { FeatureExtractor(gazetteer: gazetteer, clusters: clusters) }

    func tag(_ document: TaggerDocument) -> [UInt8] {
        model.tag(document, features: extractor.features(document))
    }

    /// Tags one document and gives, per sentence (in `sentences` order), the lattice its span
    /// probabilities are read from, at the calibration's temperature unless `temperature` is given.
    package func tagWithLattices(words: [String], sentences: [Range<Int>], temperature: Double? = nil) -> (tags: [UInt8], lattices: [SpanLattice]) {
        let document = TaggerDocument(words: words.map(WordInfo.init), sentences: sentences)
        let features = extractor.features(document)
        var tags = [UInt8](repeating: 0, count: words.count)
        var lattices: [SpanLattice] = []
        for sentence in sentences {
            let (t, lattice) = model.tagWithLattice(sentence, features: features, temperature: temperature ?? calibration.temperature)
            for (k, y) in t.enumerated() { tags[sentence.lowerBound + k] = y }
            lattices.append(lattice)
        }
        return (tags, lattices)
    }

    /// The label scores of each sentence (`count * TagSet.count`), for refitting the lattice's temperature
    /// without extracting features again.
    package func emissions(words: [String], sentences: [Range<Int>]) -> [[Float]] {
        let document = TaggerDocument(words: words.map(WordInfo.init), sentences: sentences)
        let features = extractor.features(document)
        return sentences.map { model.emissions($0, features: features) }
    }

    /// Tags one document of words split into sentences; returns BIO tags.
    public func tag(words: [String], sentences: [Range<Int>]) -> [String] {
        let document = TaggerDocument(words: words.map(WordInfo.init), sentences: sentences)
        return tag(document).map { TagSet.labels[Int($0)] }
    }
}

/// A small seeded generator so training order is reproducible.
package struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    package init(seed: UInt64) { state = seed }
    package mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
