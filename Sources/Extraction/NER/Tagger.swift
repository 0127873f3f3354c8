import FoundationEssentials
import NewsCore

/// The tagger: a trained model plus the gazetteer its features read.
public struct NERTagger: Sendable {
    public let model: NERModel
    public let gazetteer: Gazetteer
    let clusters: WordClusters
    /// The second pass over the document (non-local features from the first pass's labels), when trained.
    package let secondStage: NERModel?

    package init(model: NERModel, gazetteer: Gazetteer, clusters: WordClusters, secondStage: NERModel? = nil) {
        self.model = model
        self.gazetteer = gazetteer
        self.clusters = clusters
        self.secondStage = secondStage
    }

    /// One file: the weights, then the gazetteer and clusters the features were trained with, then the
    /// second stage's weights (same form as the first's) when there is one.
    public func write(to path: String) throws {
        let bytes = model.serialized() + gazetteer.serialized() + clusters.serialized() + (secondStage?.serialized() ?? [])
        try Data(bytes).write(to: URL(fileURLWithPath: path))
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
        var secondStage: NERModel?
        if offset < bytes.count {
            let rest = Array(bytes[offset...])
            secondStage = try NERModel(bytes: rest, origin: path + " (second stage)")
            offset += NERModel.byteCount(rest)
        }
        guard offset == bytes.count else { throw ModelError(message: "\(path): trailing bytes after the model") }
        return NERTagger(model: model, gazetteer: gazetteer, clusters: clusters, secondStage: secondStage)
    }

    var extractor: FeatureExtractor { FeatureExtractor(gazetteer: gazetteer, clusters: clusters) }

    func tag(_ document: TaggerDocument) -> [UInt8] {
        tag(document, features: extractor.features(document), check: {})
    }

    /// Both passes over a document; `check` runs after each sentence of each pass (the deadline).
    func tag<E: Error>(_ document: TaggerDocument, features: FeatureMatrix, check: () throws(E) -> Void) throws(E) -> [UInt8] {
        var tags = [UInt8](repeating: 0, count: document.words.count)
        var emissions: [[Float]] = []
        if secondStage != nil { emissions.reserveCapacity(document.sentences.count) }
        for sentence in document.sentences {
            let e = model.emissions(sentence, features: features)
            for (k, t) in model.decode(e, count: sentence.count).enumerated() { tags[sentence.lowerBound + k] = t }
            if secondStage != nil { emissions.append(e) }
            try check()
        }
        guard let secondStage else { return tags }
        let nonLocal = NonLocalFeatures.features(document, firstPass: tags)
        var second = tags
        for (s, sentence) in document.sentences.enumerated() {
            guard sentence.contains(where: { !nonLocal[$0].isEmpty }) else { continue }
            var e = emissions[s]
            secondStage.addEmissions(sentence, features: nonLocal, to: &e)
            for (k, t) in secondStage.decode(e, count: sentence.count).enumerated() { second[sentence.lowerBound + k] = t }
            try check()
        }
        return second
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
