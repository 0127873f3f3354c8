/// An entity's confidence, from the tagger's lattices over the article's sentences.
///
/// A mention's raw score is the lattice's probability that its exact tokens are one name of the entity's
/// type (PERSON -> PER, ORG -> ORG, PLACE -> LOC, NORP/EVENT/MISC -> MISC). That is defined for every
/// mention, including those the tagger did not produce as such (a bracketed acronym's name, a last name or
/// acronym found untagged, a span a rule retyped): the model's own probability for that reading. The
/// entity's raw score is the best of its mentions' (one mention the tagger is sure of makes the name real;
/// repeats of the same name are not independent evidence, so no noisy-OR). The entity-level Platt pair of
/// `NERCalibration` maps it to the probability that the entity's name, with its type, is a name: fitted on
/// entities of the real entity stage over half of CoNLL-2003 dev, checked on the other half.
///
/// A sentence's lattice is built the first time one of its mentions is scored (sentences without a name
/// cost nothing), from the tagger's scores kept from tagging.
final class EntityConfidence {
    private let scores: [NERTagger.SentenceScores]
    private let sentences: [Range<Int>]
    private let calibration: NERCalibration
    private var lattices: [SpanLattice?]

    init(scores: [NERTagger.SentenceScores], sentences: [Range<Int>], calibration: NERCalibration) {
        self.scores = scores
        self.sentences = sentences
        self.calibration = calibration
        lattices = [SpanLattice?](repeating: nil, count: sentences.count)
    }

    private func lattice(_ s: Int) -> SpanLattice {
        if let built = lattices[s] { return built }
        let built = scores[s].lattice(temperature: calibration.temperature)
        lattices[s] = built
        return built
    }

    /// The lattice's probability that `tokens` of sentence `sentence` are one name of `type`.
    func raw(_ tokens: Range<Int>, sentence: Int, type: Entity.Kind) -> Double {
        guard sentence >= 0, sentence < sentences.count else { return 0 }
        let start = sentences[sentence].lowerBound
        return lattice(sentence).probability((tokens.lowerBound - start)..<(tokens.upperBound - start), type: type.conllType)
    }

    /// The raw score and the calibrated confidence (three decimals) of an entity of `type` with these mentions.
    func entity(_ mentions: [(tokens: Range<Int>, sentence: Int)], type: Entity.Kind) -> (raw: Double, confidence: Double) {
        let best = mentions.reduce(0.0) { max($0, raw($1.tokens, sentence: $1.sentence, type: type)) }
        return (best, NERCalibration.rounded(calibration.entity(best)))
    }
}

extension Entity.Kind {
    /// The CoNLL type (index into `TagSet.types`) the tagger gives this kind as: PERSON -> PER, ORG -> ORG,
    /// PLACE -> LOC, NORP/EVENT/MISC -> MISC.
    package var conllType: Int {
        switch self {
        case .person: return 0
        case .org: return 1
        case .place: return 2
        case .norp, .event, .misc: return 3
        }
    }
}
