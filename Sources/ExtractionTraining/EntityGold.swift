import FoundationEssentials

/// Hand-annotated entities of one article (docs/annotation/bbc-entities.jsonl, written by
/// scripts/entity-gold-jsonl.py from docs/annotation/bbc-entities.txt; the guidelines are
/// docs/annotation/entities.md).
public struct EntityGoldArticle: Sendable, Decodable {
    public struct Entity: Sendable, Decodable {
        public var name: String
        public var type: String
        /// Every surface form the article uses for it, the canonical name first.
        public var forms: [String]
        /// Debatable as an entity or in its type: neither credited nor counted against.
        public var optional: Bool

        public init(name: String, type: String, forms: [String], optional: Bool = false) {
            self.name = name
            self.type = type
            self.forms = forms
            self.optional = optional
        }
    }

    /// Relative to the corpora root: "bbc/business/055.txt".
    public var article: String
    /// "dev" or "heldout".
    public var split: String
    public var entities: [Entity]

    /// One article per line; blank lines are skipped.
    public static func load(jsonl text: String) throws -> [EntityGoldArticle] {
        let decoder = JSONDecoder()
        return try text.split(separator: "\n").filter { !$0.allSatisfy(\.isWhitespace) }.map {
            try decoder.decode(EntityGoldArticle.self, from: Data($0.utf8))
        }
    }
}

/// What the extractor produced for one entity: its type and surface forms.
public struct ScoredEntity: Sendable {
    public var type: String
    public var forms: [String]

    public init(type: String, forms: [String]) {
        self.type = type
        self.forms = forms
    }
}

/// Entity-level scores of one article or a set of articles (see docs/annotation/entities.md, "Scoring").
public struct EntityScore: Sendable, Encodable {
    /// The types precision and recall are reported for; the others are annotated so that a person,
    /// organisation or place reading of them counts as wrongly typed.
    public static let scoredTypes = ["PERSON", "ORG", "PLACE"]

    public struct Counts: Sendable, Encodable, Equatable {
        public var truePositives = 0
        public var falsePositives = 0
        public var falseNegatives = 0

        public init(truePositives: Int = 0, falsePositives: Int = 0, falseNegatives: Int = 0) {
            self.truePositives = truePositives
            self.falsePositives = falsePositives
            self.falseNegatives = falseNegatives
        }

        public var precision: Double { ratio(truePositives, truePositives + falsePositives) }
        public var recall: Double { ratio(truePositives, truePositives + falseNegatives) }
        public var f1: Double { precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0 }

        private func ratio(_ a: Int, _ b: Int) -> Double { b > 0 ? Double(a) / Double(b) : 0 }

        static func + (a: Counts, b: Counts) -> Counts {
            Counts(truePositives: a.truePositives + b.truePositives, falsePositives: a.falsePositives + b.falsePositives,
                   falseNegatives: a.falseNegatives + b.falseNegatives)
        }

        enum CodingKeys: String, CodingKey { case truePositives = "tp", falsePositives = "fp", falseNegatives = "fn", precision, recall, f1 }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(truePositives, forKey: .truePositives)
            try c.encode(falsePositives, forKey: .falsePositives)
            try c.encode(falseNegatives, forKey: .falseNegatives)
            try c.encode((precision * 10000).rounded() / 10000, forKey: .precision)
            try c.encode((recall * 10000).rounded() / 10000, forKey: .recall)
            try c.encode((f1 * 10000).rounded() / 10000, forKey: .f1)
        }
    }

    public var articles = 0
    public var byType: [String: Counts] = [:]
    /// One gold entity produced as two or more entities.
    public var splits = 0
    /// One produced entity holding forms of two or more gold entities.
    public var overMerges = 0
    /// A gold entity found (its forms produced) but with none of the produced entities of its type.
    public var wronglyTyped = 0
    /// Readable lines, one per error, for `--verbose`.
    public var errors: [String] = []

    public init() {}

    public var overall: Counts { EntityScore.scoredTypes.compactMap { byType[$0] }.reduce(Counts(), +) }

    public static func + (a: EntityScore, b: EntityScore) -> EntityScore {
        var s = EntityScore()
        s.articles = a.articles + b.articles
        s.byType = a.byType.merging(b.byType, uniquingKeysWith: +)
        s.splits = a.splits + b.splits
        s.overMerges = a.overMerges + b.overMerges
        s.wronglyTyped = a.wronglyTyped + b.wronglyTyped
        s.errors = a.errors + b.errors
        return s
    }

    enum CodingKeys: String, CodingKey { case articles, overall, byType = "by_type", splits, overMerges = "over_merges", wronglyTyped = "wrongly_typed" }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(articles, forKey: .articles)
        try c.encode(overall, forKey: .overall)
        try c.encode(byType, forKey: .byType)
        try c.encode(splits, forKey: .splits)
        try c.encode(overMerges, forKey: .overMerges)
        try c.encode(wronglyTyped, forKey: .wronglyTyped)
    }

    /// Scores one article's produced entities against its gold.
    public static func score(gold: [EntityGoldArticle.Entity], produced: [ScoredEntity]) -> EntityScore {
        var score = EntityScore()
        score.articles = 1
        let goldForms = gold.map { Set($0.forms.map(EntityForm.normalised)) }
        let producedForms = produced.map { Set($0.forms.map(EntityForm.normalised)) }
        func describe(_ p: Int) -> String { "\(produced[p].type) \(producedForms[p].sorted().joined(separator: " | "))" }
        func bump(_ type: String, _ change: (inout Counts) -> Void) {
            guard scoredTypes.contains(type) else { return }
            change(&score.byType[type, default: Counts()])
        }
        for t in scoredTypes { score.byType[t] = Counts() }

        // Each produced entity aligns with the gold entity it shares most forms with (same type first on ties).
        var aligned: [Int?] = []
        for (p, forms) in producedForms.enumerated() {
            var best: (g: Int, shared: Int, sameType: Bool)?
            for (g, gf) in goldForms.enumerated() {
                let shared = forms.intersection(gf).count
                guard shared > 0 else { continue }
                let same = gold[g].type == produced[p].type
                if best == nil || (shared, same ? 1 : 0) > (best!.shared, best!.sameType ? 1 : 0) { best = (g, shared, same) }
            }
            aligned.append(best?.g)
            // Over-merge: forms that belong to one gold entity only, from two or more gold entities.
            let owners = Set(forms.compactMap { f -> Int? in
                let holders = goldForms.indices.filter { goldForms[$0].contains(f) }
                return holders.count == 1 && !gold[holders[0]].optional ? holders[0] : nil
            })
            if owners.count >= 2 {
                score.overMerges += 1
                score.errors.append("over-merge: \(describe(p)) holds " + owners.sorted().map { gold[$0].name }.joined(separator: " + "))
            }
        }

        var credited = Set<Int>()  // produced entities counted as a true positive
        for (g, entity) in gold.enumerated() {
            let pieces = produced.indices.filter { aligned[$0] == g }
            if entity.optional { credited.formUnion(pieces); continue }
            let sameType = pieces.filter { produced[$0].type == entity.type }
            if let hit = sameType.max(by: { producedForms[$0].intersection(goldForms[g]).count < producedForms[$1].intersection(goldForms[g]).count }) {
                credited.insert(hit)
                bump(entity.type) { $0.truePositives += 1 }
            } else {
                bump(entity.type) { $0.falseNegatives += 1 }
                if pieces.isEmpty {
                    if scoredTypes.contains(entity.type) { score.errors.append("missed: \(entity.type) \(entity.name)") }
                } else {
                    score.wronglyTyped += 1
                    score.errors.append("wrong type: \(entity.type) \(entity.name) produced as " + pieces.map(describe).joined(separator: ", "))
                }
            }
            if pieces.count >= 2 {
                score.splits += 1
                score.errors.append("split: \(entity.type) \(entity.name) produced as " + pieces.map(describe).joined(separator: ", "))
            }
        }
        for p in produced.indices where !credited.contains(p) && scoredTypes.contains(produced[p].type) {
            bump(produced[p].type) { $0.falsePositives += 1 }
            if aligned[p] == nil { score.errors.append("spurious: \(describe(p))") }
        }
        return score
    }
}

/// How a surface form is compared: periods, a possessive, a leading "the", honorifics and post-nominals
/// do not count ("Mr Blair's" = "Blair", "the U.N." = "UN").
public enum EntityForm {
    static let honorifics: Set<String> = [
        "Mr", "Mrs", "Ms", "Miss", "Dr", "Prof", "Professor", "Sir", "Dame", "Lord", "Lady", "Baroness", "Baron",
        "Captain", "Capt", "Lt", "Col", "Gen", "Rev", "Mister",
    ]
    static let postNominals: Set<String> = ["QC", "MP", "MEP"]

    public static func normalised(_ form: String) -> String {
        var s = String(form.unicodeScalars.compactMap { c -> Character? in
            c == "." ? nil : c == "\u{2019}" ? "'" : Character(c)
        })
        if s.hasSuffix("'s") { s.removeLast(2) } else if s.hasSuffix("s'") { s.removeLast() }
        var words = s.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }).map(String.init)
        if words.count > 1, words[0] == "the" || words[0] == "The" { words.removeFirst() }
        while words.count > 1, honorifics.contains(words[0]) { words.removeFirst() }
        while words.count > 1, postNominals.contains(words[words.count - 1]) { words.removeLast() }
        return words.joined(separator: " ")
    }
}
