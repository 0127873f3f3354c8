/// From tagger output to the article's entities: mentions, types, merging within the article, codes,
/// roles and salience.
enum EntityStage {
    static func run(_ text: AnalysedText, models: ExtractionModels, deadline: Deadline) throws(DeadlineExceeded) -> [Entity] {
        guard let tagger = models.tagger, !text.tokens.isEmpty else { return [] }
        let scalars = text.document.scalars
        let document = TaggerDocument(
            words: text.tokens.map { WordInfo(scalars[$0.start..<$0.end]) },
            sentences: text.sentences.map(\.tokens))
        let features = tagger.extractor.features(document)
        var tags = [UInt8](repeating: 0, count: text.tokens.count)
        for sentence in document.sentences {
            for (k, t) in tagger.model.tag(sentence, features: features).enumerated() { tags[sentence.lowerBound + k] = t }
            try deadline.check("entities")
        }
        var resolver = EntityResolver(text: text, words: document.words, gazetteer: tagger.gazetteer)
        return resolver.resolve(tags: tags) { i in
            // The best reading of a lone word other than a person: nothing, an organisation or a place.
            // (Lone miscellaneous names are adjectives such as Afghan, which are not confused with names.)
            let scores = tagger.model.scores(token: i, features: features)
            let candidates: [UInt8] = [0, 3, 5]
            return candidates.max { scores[Int($0)] < scores[Int($1)] }.flatMap(TagSet.type).map { TagSet.types[$0] }
        }
    }
}

/// One tagged span of tokens.
struct Mention {
    var tokens: Range<Int>
    var type: Entity.Kind
    var sentence: Int
}

/// Merges mentions into entities within one article. General rules only: same name, a person's last
/// name, an acronym defined in brackets ("Tehreek-i-Taliban Pakistan (TTP)") or formed from the initials
/// of a name (FO, US), and a shared ISO 3166 code.
struct EntityResolver {
    let text: AnalysedText
    let words: [WordInfo]
    let gazetteer: Gazetteer
    private var sentenceOf: [Int]
    private var covered: [Bool] = []
    /// Lower-case forms of the words the article writes in lower case somewhere.
    private let lowercaseForms: Set<String>

    init(text: AnalysedText, words: [WordInfo], gazetteer: Gazetteer) {
        self.text = text
        self.words = words
        self.gazetteer = gazetteer
        var sentenceOf = [Int](repeating: 0, count: text.tokens.count)
        for (s, sentence) in text.sentences.enumerated() { for i in sentence.tokens { sentenceOf[i] = s } }
        self.sentenceOf = sentenceOf
        var lowercaseForms = Set<String>()
        for (i, w) in words.enumerated() where w.flags.contains(.initialLower) { lowercaseForms.insert(text.text(of: text.tokens[i])) }
        self.lowercaseForms = lowercaseForms
    }

    private final class Cluster {
        var mentions: [Mention] = []
        var acronyms: Set<String> = []
        init(_ m: Mention) { mentions = [m] }
    }

    func word(_ i: Int) -> String { text.text(of: text.tokens[i]) }
    func string(_ r: Range<Int>) -> String {
        guard let first = r.first else { return "" }
        return text.document.text(text.tokens[first].start, text.tokens[r.upperBound - 1].end)
    }

    /// `otherThanPerson` gives the tagger's best non-person reading of one token (nil for none).
    mutating func resolve(tags: [UInt8], otherThanPerson: (Int) -> String?) -> [Entity] {
        var mentions = spans(tags)
        mentions = loneNames(mentions, otherThanPerson)
        mentions = bracketedAcronyms(mentions)
        mentions = splitTitles(mentions)
        coordinate(&mentions)
        covered = [Bool](repeating: false, count: text.tokens.count)
        for m in mentions { for i in m.tokens { covered[i] = true } }

        var clusters: [Cluster] = []
        var byToken: [Int: Cluster] = [:]  // first token of a mention -> its cluster
        func attach(_ m: Mention) {
            let found = clusters.first { matches(m, $0) }
            if let c = found { c.mentions.append(m); byToken[m.tokens.lowerBound] = c } else {
                let c = Cluster(m)
                clusters.append(c)
                byToken[m.tokens.lowerBound] = c
            }
            // "Name (ACR)": the bracketed acronym names the same entity.
            let close = m.tokens.upperBound + 2
            if close < text.tokens.count, word(m.tokens.upperBound) == "(", word(close) == ")",
               EntityResolver.isAcronym(word(close - 1), of: m.tokens.map(word)) {
                byToken[m.tokens.lowerBound]!.acronyms.insert(word(close - 1))
            }
        }
        mentions.sort { $0.tokens.lowerBound < $1.tokens.lowerBound }
        for m in mentions { attach(m) }

        // Acronyms and last names the tagger left untagged still refer to their entity.
        var extra: [(Mention, Cluster)] = []
        for i in text.tokens.indices where !covered[i] && words[i].isCapitalised {
            let w = word(i)
            let form = EntityResolver.normalised(w)
            if let c = clusters.first(where: { c in
                c.acronyms.contains(form) || (words[i].flags.contains(.allUpper) && form.count >= 2 && isInitials(form, of: c))
                    || (c.mentions[0].type == .person && isLastName(w, of: c))
            }) {
                extra.append((Mention(tokens: i..<(i + 1), type: c.mentions[0].type, sentence: sentenceOf[i]), c))
            }
        }
        for (m, c) in extra { c.mentions.append(m) }

        var entities: [Entity] = []
        for c in clusters {
            c.mentions.sort { $0.tokens.lowerBound < $1.tokens.lowerBound }
            entities.append(entity(c))
        }
        entities.sort { $0.mentions[0] < $1.mentions[0] }
        let top = entities.map(\.salience).max() ?? 1
        for k in entities.indices {
            entities[k].id = "e\(k + 1)"
            entities[k].salience = top > 0 ? (entities[k].salience / top * 1000).rounded() / 1000 : 0
        }
        return entities
    }

    // MARK: - Mentions

    private func spans(_ tags: [UInt8]) -> [Mention] {
        var result: [Mention] = []
        var i = 0
        while i < tags.count {
            guard let type = TagSet.type(tags[i]) else { i += 1; continue }
            var end = i + 1
            while end < tags.count, tags[end] == tags[i] + (TagSet.isBegin(tags[i]) ? 1 : 0), TagSet.type(tags[end]) == type,
                  !TagSet.isBegin(tags[end]), sentenceOf[end] == sentenceOf[i] {
                end += 1
            }
            var range = i..<end
            // A possessive or stray punctuation at the edge is not part of the name.
            while range.count > 1, !words[range.upperBound - 1].flags.contains(.hasLetter) && !words[range.upperBound - 1].flags.contains(.hasDigit)
                || word(range.upperBound - 1).hasPrefix("'") || word(range.upperBound - 1).hasPrefix("\u{2019}") {
                range = range.lowerBound..<(range.upperBound - 1)
            }
            // "Ms Hewitt": the honorific is not part of the name.
            while range.count > 1, EntityResolver.honorifics.contains(word(range.lowerBound)) {
                range = (range.lowerBound + 1)..<range.upperBound
            }
            result.append(Mention(tokens: range, type: kind(TagSet.types[type], range), sentence: sentenceOf[i]))
            i = end
        }
        return result
    }

    private static let demonymEndings = ["an", "ans", "ese", "ish", "i", "is", "ic", "ch"]
    private static let eventWords: Set<String> = [
        "war", "olympics", "games", "cup", "championship", "championships", "summit", "conference", "festival",
        "election", "elections", "tournament", "revolution", "dialogue", "talks", "open", "marathon", "grand prix",
    ]

    private func kind(_ conll: String, _ r: Range<Int>) -> Entity.Kind {
        switch conll {
        case "PER": return .person
        case "ORG": return .org
        case "LOC": return .place
        default:
            let lowered = r.map { word($0).lowercased() }
            if lowered.contains(where: { EntityResolver.eventWords.contains($0) }) { return .event }
            if r.count == 1, let w = lowered.first, w.count > 3, EntityResolver.demonymEndings.contains(where: { w.hasSuffix($0) }) {
                return .norp
            }
            return .misc
        }
    }

    // MARK: - Corrections from the article's own evidence

    /// "Tehreek-i-Taliban Pakistan (TTP)": the capitalised words before a bracketed acronym whose initials
    /// spell it form one name, whatever pieces the tagger cut it into; it takes the acronym's type.
    private func bracketedAcronyms(_ mentions: [Mention]) -> [Mention] {
        var result = mentions
        for i in text.tokens.indices.dropFirst() where i + 2 < text.tokens.count {
            guard word(i) == "(", word(i + 2) == ")", words[i + 1].flags.contains(.allUpper),
                  sentenceOf[i - 1] == sentenceOf[i] else { continue }
            let acronym = word(i + 1)
            let sentenceStart = text.sentences[sentenceOf[i]].tokens.lowerBound
            var start = i
            while start > sentenceStart && i - start < 10 {
                if words[start - 1].isCapitalised { start -= 1; continue }
                if start - 2 >= sentenceStart, EntityResolver.roleConnectors.contains(word(start - 1)), words[start - 2].isCapitalised {
                    start -= 1; continue
                }
                break
            }
            guard let name = (start..<i).first(where: { s in
                words[s].isCapitalised && EntityResolver.isAcronym(acronym, of: (s..<i).map(word))
            }).map({ $0..<i }) else { continue }
            let inside = result.filter { $0.tokens.overlaps(name) }
            if inside.count == 1 && inside[0].tokens == name { continue }
            let tagged = result.first { $0.tokens == (i + 1)..<(i + 2) }?.type
            let largest = inside.max { $0.tokens.count < $1.tokens.count }?.type
            result.removeAll { $0.tokens.overlaps(name) }
            result.append(Mention(tokens: name, type: tagged ?? largest ?? .org, sentence: sentenceOf[name.lowerBound]))
        }
        return result.sorted { $0.tokens.lowerBound < $1.tokens.lowerBound }
    }

    /// News copy introduces a person by full name, title or honorific. A single word tagged as a person with
    /// none of these anywhere in the article ("an interview with Dawn") takes the tagger's next-best reading
    /// among organisation, place and no entity: a name used bare, unintroduced, is usually an organisation
    /// (a newspaper, a company, an agency) or a place.
    private func loneNames(_ mentions: [Mention], _ otherThanPerson: (Int) -> String?) -> [Mention] {
        var result: [Mention] = []
        for m in mentions {
            guard m.type == .person, m.tokens.count == 1 else { result.append(m); continue }
            let w = word(m.tokens.lowerBound)
            let named = mentions.contains { o in
                o.type == .person && o.tokens.count > 1 && o.tokens.contains { word($0) == w }
            }
            let titled = text.tokens.indices.contains { i in
                i > 0 && word(i) == w && (EntityResolver.honorifics.contains(word(i - 1))
                    || EntityResolver.titleWords.contains(word(i - 1).lowercased()))
            }
            if named || titled { result.append(m); continue }
            if let type = otherThanPerson(m.tokens.lowerBound) {
                result.append(Mention(tokens: m.tokens, type: kind(type, m.tokens), sentence: m.sentence))
            }
        }
        return result
    }

    /// Title words ending a name that runs straight into a person's name belong to the person's role:
    /// "US State Department Counsellor Derek Chollet" is the department, then a counsellor.
    private func splitTitles(_ mentions: [Mention]) -> [Mention] {
        var result = mentions
        for k in result.indices.dropLast() where result[k].type != .person {
            let next = result[k + 1]
            guard next.type == .person, next.tokens.lowerBound == result[k].tokens.upperBound else { continue }
            var end = result[k].tokens.upperBound
            while end > result[k].tokens.lowerBound + 1, EntityResolver.titleWords.contains(word(end - 1).lowercased()) { end -= 1 }
            result[k].tokens = result[k].tokens.lowerBound..<end
        }
        return result
    }

    /// A miscellaneous name listed with an organisation ("the TTP and Islamic State-Khorasan") is one too.
    private func coordinate(_ mentions: inout [Mention]) {
        for k in mentions.indices.dropFirst() where mentions[k].type == .misc || mentions[k].type == .norp {
            var j = mentions[k].tokens.lowerBound - 1
            guard j > 0, ["and", "or", ","].contains(word(j)) else { continue }
            j -= 1
            if word(j) == ")" && j >= 2 && word(j - 2) == "(" { j -= 3 }
            guard let before = mentions[..<k].last(where: { $0.tokens.upperBound - 1 == j }),
                  before.type == .org, before.sentence == mentions[k].sentence else { continue }
            mentions[k].type = .org
        }
    }

    /// Nouns of office and rank that may stand before a name.
    static let titleWords: Set<String> = [
        "counsellor", "counselor", "minister", "secretary", "spokesman", "spokeswoman", "spokesperson", "ambassador",
        "president", "director", "chief", "chairman", "chairwoman", "chair", "envoy", "adviser", "advisor",
        "commissioner", "general", "governor", "senator", "judge", "officer", "head", "leader", "commander",
        "representative", "deputy", "undersecretary", "consul", "attache", "premier", "mayor", "coach", "captain",
        "manager", "editor", "correspondent", "analyst", "economist", "official", "administrator", "inspector",
        "superintendent", "lieutenant", "colonel", "major", "admiral", "marshal", "sergeant", "prosecutor",
        "attorney", "justice", "chancellor", "president-elect", "vice-president", "founder", "executive",
    ]

    // MARK: - Merging

    static func normalised(_ s: String) -> String {
        String(String.UnicodeScalarView(s.unicodeScalars.compactMap { c -> Unicode.Scalar? in
            c == "." ? nil : c == "\u{2019}" ? "'" : c
        }))
    }

    private func name(_ m: Mention) -> String { EntityResolver.normalised(string(m.tokens)) }

    private func matches(_ m: Mention, _ c: Cluster) -> Bool {
        let form = name(m)
        for other in c.mentions where name(other) == form { return true }
        if c.acronyms.contains(form) { return true }
        if m.tokens.count == 1 && words[m.tokens.lowerBound].flags.contains(.allUpper) && form.count >= 2
            && isInitials(form, of: c) { return true }
        if m.tokens.count == 1 && c.mentions[0].type == .person && (m.type == .person || m.type == .org || m.type == .place)
            && isLastName(word(m.tokens.lowerBound), of: c) { return true }
        if m.type == .place, c.mentions[0].type == .place, let code = placeCode(m), c.mentions.contains(where: { placeCode($0) == code }) {
            return true
        }
        return false
    }

    private func isLastName(_ w: String, of c: Cluster) -> Bool {
        c.mentions.contains { $0.type == .person && $0.tokens.count > 1 && word($0.tokens.upperBound - 1) == w }
    }

    private func isInitials(_ acronym: String, of c: Cluster) -> Bool {
        c.mentions.contains { $0.tokens.count > 1 && EntityResolver.isAcronym(acronym, of: $0.tokens.map(word)) }
    }

    /// "TTP" for Tehreek-i-Taliban Pakistan, "FO" for Foreign Office, "MOFA" or "MFA" for Ministry of Foreign Affairs.
    static func isAcronym(_ acronym: String, of words: [String]) -> Bool {
        let letters = normalised(acronym)
        guard letters.count >= 2, letters.count <= 8, letters.unicodeScalars.allSatisfy({ Tokenizer.isUpper($0) }) else { return false }
        let parts = words.flatMap { $0.split(separator: "-").map(String.init) }.filter { !$0.isEmpty }
        guard parts.count >= 2 else { return false }
        let all = String(parts.compactMap { $0.unicodeScalars.first.map(Character.init) }).uppercased()
        let capitalised = String(parts.compactMap { p in
            p.unicodeScalars.first.flatMap { Tokenizer.isUpper($0) ? Character($0) : nil }
        })
        return letters == all || letters == capitalised
    }

    // MARK: - Entities

    private func placeCode(_ m: Mention) -> String? {
        guard let entry = gazetteer.lookup(words, m.tokens), entry.contains(.country) else { return nil }
        return entry.code
    }

    private func entity(_ c: Cluster) -> Entity {
        // The type most mentions carry; the first mention breaks ties.
        var votes: [Entity.Kind: Int] = [:]
        for m in c.mentions { votes[m.type, default: 0] += m.tokens.count > 1 ? 2 : 1 }
        let type = votes.max { $0.value < $1.value || ($0.value == $1.value && $0.key != c.mentions[0].type) }!.key
        let longest = c.mentions.max { a, b in
            (a.tokens.count, string(a.tokens).count) < (b.tokens.count, string(b.tokens).count)
        }!
        var e = Entity(id: "", type: type, name: string(longest.tokens), mentions: c.mentions.map { m in
            TextSpan(start: text.tokens[m.tokens.lowerBound].start, end: text.tokens[m.tokens.upperBound - 1].end)
        })
        var seen = Set<String>()
        e.aliases = c.mentions.map { string($0.tokens) }.filter { seen.insert($0).inserted }
        if type == .place {
            if let alpha2 = c.mentions.lazy.map({ EntityResolver.normalised(self.string($0.tokens)) })
                .first(where: { $0.count == 2 && self.gazetteer.countryCodes.contains($0) }) {
                e.code = alpha2; e.country = alpha2
            }
            for m in [longest] + c.mentions where e.code == nil {
                guard let entry = gazetteer.lookup(words, m.tokens) else { continue }
                if entry.contains(.country) {
                    e.code = entry.code; e.country = entry.code
                } else if entry.contains(.subdivision) && !entry.contains(.city) {
                    e.code = entry.code; e.country = String(entry.code.prefix(2))
                } else if entry.contains(.city) || entry.contains(.subdivision) {
                    e.country = String(entry.code.prefix(2))
                }
                break
            }
        }
        if type == .person {
            var roles: [String] = []
            for m in c.mentions { if let r = role(before: m), !roles.contains(r) { roles.append(r) } }
            e.roles = roles
        }
        // Salience: mentions count, early ones more (news puts the subject first).
        let sentences = max(1, text.sentences.count)
        e.salience = c.mentions.reduce(0) { sum, m in
            sum + 1 + (m.sentence == 0 ? 1 : 0) + 0.5 * (1 - Double(m.sentence) / Double(sentences))
        }
        return e
    }

    private static let honorifics: Set<String> = Set(Abbreviations.titles.flatMap { [$0, $0 + "."] } + [
        "Mister", "Miss", "Madam", "Sir", "Dame", "Lord", "Lady",
    ])
    private static let roleConnectors: Set<String> = ["of", "for", "and", "the", "on"]

    /// A title written before the name: "US State Department Counsellor Derek Chollet", "Prime Minister X".
    private func role(before m: Mention) -> String? {
        let sentenceStart = text.sentences[m.sentence].tokens.lowerBound
        var start = m.tokens.lowerBound
        while start > sentenceStart, EntityResolver.honorifics.contains(word(start - 1)) { start -= 1 }
        let end = start
        while start > sentenceStart {
            let w = words[start - 1]
            if w.isCapitalised && w.flags.contains(.hasLetter) && !EntityResolver.honorifics.contains(word(start - 1)) {
                start -= 1
            } else if start - 2 >= sentenceStart, EntityResolver.roleConnectors.contains(word(start - 1)), words[start - 2].isCapitalised, start < end {
                start -= 1
            } else {
                break
            }
        }
        // Words the article also writes in lower case ("But", "The") are not part of a title.
        while start < end, EntityResolver.roleConnectors.contains(word(start)) || lowercaseForms.contains(word(start).lowercased())
            && !EntityResolver.titleWords.contains(word(start).lowercased()) {
            start += 1
        }
        // A role needs its own title word next to the name, not just an organisation or place.
        guard start < end, !isTaggedName(end - 1) else { return nil }
        return string(start..<end)
    }

    private func isTaggedName(_ i: Int) -> Bool { covered[i] }
}
