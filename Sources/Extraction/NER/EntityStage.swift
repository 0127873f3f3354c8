import NewsCore

/// From tagger output to the article's entities: mentions, types, merging within the article, codes,
/// roles and salience.
enum EntityStage {
    static func run(_ text: AnalysedText, models: ExtractionModels, deadline: Deadline) throws(DeadlineExceeded) -> [Entity] {
        guard let tagger = models.tagger, !text.tokens.isEmpty, !text.sentences.isEmpty else { return [] }
        let scalars = text.document.scalars
        let document = TaggerDocument(
            words: text.tokens.map { WordInfo(scalars[$0.start..<$0.end]) },
            sentences: text.sentences.map(\.tokens))
        let features = tagger.extractor.features(document)
        let (tags, scores) = try tagger.scoredTag(document, features: features) { () throws(DeadlineExceeded) in try deadline.check("entities") }
        var resolver = EntityResolver(text: text, words: document.words, gazetteer: tagger.gazetteer)
        resolver.confidence = EntityConfidence(scores: scores, sentences: document.sentences, calibration: tagger.calibration)
        return try resolver.resolve(tags: tags, deadline: deadline) { i in
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
    /// Scores the entities; without it (tests of the merging rules alone) every confidence is 0.
    var confidence: EntityConfidence?
    private var sentenceOf: [Int]
    private var covered: [Bool] = []
    private var personToken: [Bool] = []
    /// Lower-case forms of the words the article writes in lower case somewhere.
    private let lowercaseForms: Set<String>
    /// Each token's text, built once: resolution compares names many times.
    private let tokenText: [String]

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
        self.tokenText = text.tokens.map { text.text(of: $0) }
    }

    private struct Cluster {
        var mentions: [Mention]
        init(_ m: Mention) { mentions = [m] }
    }

    /// Keys to clusters (indexes), so that merging stays linear in the number of mentions.
    private struct ClusterIndex {
        var byForm: [String: Int] = [:]       // a mention's text, periods dropped (U.S. = US)
        var byAcronym: [String: Int] = [:]    // acronyms defined in brackets after the name
        var byInitials: [String: Int] = [:]   // initials of multi-word names (FO, US)
        var byLastName: [String: Int] = [:]   // last word of a multi-word person's name
        var byOrgWord: [String: Int] = [:]    // first and last word of a multi-word organisation's name
        var byCode: [String: Int] = [:]       // ISO 3166 code of a country
        var byFirstName: [String: Int] = [:]  // first word of a multi-word person's name; -1 when two share it
        var persons: [(first: String, last: String, cluster: Int)] = []  // multi-word people, in order
        var byEnds: [String: [(words: [String], cluster: Int)]] = [:]  // other multi-word names by first and last word

        /// The first cluster to claim a key keeps it: "Blair" stays Tony Blair's after a "Cherie Blair".
        static func claim(_ table: inout [String: Int], _ key: String, _ k: Int) {
            if table[key] == nil { table[key] = k }
        }
    }

    func word(_ i: Int) -> String { tokenText[i] }
    func string(_ r: Range<Int>) -> String {
        guard let first = r.first else { return "" }
        if r.count == 1 { return tokenText[first] }
        return text.document.text(text.tokens[first].start, text.tokens[r.upperBound - 1].end)
    }

    /// `otherThanPerson` gives the tagger's best non-person reading of one token (nil for none).
    /// Merging compares mentions pairwise, so the deadline is checked as it goes.
    mutating func resolve(tags: [UInt8], deadline: Deadline = .never,
                          otherThanPerson: (Int) -> String?) throws(DeadlineExceeded) -> [Entity] {
        var mentions = spans(tags)
        mentions = retype(mentions)
        mentions = institutions(mentions)
        mentions = loneNames(mentions, otherThanPerson)
        mentions = bracketedAcronyms(mentions)
        mentions = splitTitles(mentions)
        coordinate(&mentions)
        categorise(&mentions)
        covered = [Bool](repeating: false, count: text.tokens.count)
        personToken = covered
        for m in mentions { for i in m.tokens { covered[i] = true; personToken[i] = m.type == .person } }

        var clusters: [Cluster] = []
        var index = ClusterIndex()
        func attach(_ m: Mention) {
            let k: Int
            if let found = match(m, index, clusters) {
                k = found
                clusters[k].mentions.append(m)
            } else {
                k = clusters.count
                clusters.append(Cluster(m))
            }
            register(m, in: k, &index)
            // "Name (ACR)": the bracketed acronym names the same entity.
            let close = m.tokens.upperBound + 2
            if close < text.tokens.count, word(m.tokens.upperBound) == "(", word(close) == ")",
               EntityResolver.isAcronym(word(close - 1), of: m.tokens.map(word)) {
                ClusterIndex.claim(&index.byAcronym, EntityResolver.normalised(word(close - 1)), k)
            } else if close < text.tokens.count, m.type == .org, m.tokens.count > 1, word(m.tokens.upperBound) == "(",
                      word(close) == ")", isBracketedShortName(close - 1, of: m) {
                ClusterIndex.claim(&index.byAcronym, word(close - 1), k)
            }
        }
        // Full names first, so that a headline's "Dibaba" joins the "Tirunesh Dibaba" of the text below it.
        mentions.sort { ($1.tokens.count, $0.tokens.lowerBound) < ($0.tokens.count, $1.tokens.lowerBound) }
        for (k, m) in mentions.enumerated() {
            attach(m)
            if k % 64 == 63 { try deadline.check("entities") }
        }

        // Acronyms and last names the tagger left untagged still refer to their entity.
        for i in text.tokens.indices where !covered[i] && words[i].isCapitalised {
            if i % 256 == 0 { try deadline.check("entities") }
            let w = word(i)
            let form = EntityResolver.normalised(w)
            let found = index.byAcronym[form] ?? (words[i].flags.contains(.allUpper) ? index.byInitials[form] : nil)
                ?? index.byLastName[w] ?? EntityNames.aliases[form].flatMap { index.byForm[$0] }
            if let k = found {
                clusters[k].mentions.append(Mention(tokens: i..<(i + 1), type: clusters[k].mentions[0].type, sentence: sentenceOf[i]))
            }
        }

        var entities: [Entity] = []
        for var c in clusters {
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
            // "Ms Hewitt", "Treasurer Lord Ashcroft": honorifics and titles are not part of the name.
            while range.count > 1, TagSet.types[type] == "PER", EntityResolver.honorifics.contains(word(range.lowerBound))
                    || EntityResolver.titleWords.contains(word(range.lowerBound).lowercased()) {
                range = (range.lowerBound + 1)..<range.upperBound
            }
            result.append(Mention(tokens: range, type: kind(TagSet.types[type], range), sentence: sentenceOf[i]))
            i = end
        }
        return result
    }

    /// Corrections of the tagger's spans and types from what names look like, whatever the article
    /// (each rule below says what it does; EntityNames holds the word lists):
    /// - titles, honorifics and common abbreviations alone are not names ("Lord", "Attorney General", "DVD");
    /// - an initial and a surname ("O Smith") are a person's name; a name's last word can make it a place
    ///   (street, stadium, church), an organisation (police, council, party) or an event (awards, run);
    /// - pieces the tagger cut apart are joined ("Health and Safety Executive", "UK Film Council",
    ///   "Norwich Union Grand Prix", "OneStat.com"), and words that are not the name are cut off
    ///   ("Swansea's" before "Muslim", "Often" opening the sentence).
    private func retype(_ mentions: [Mention]) -> [Mention] {
        var result: [Mention] = []
        result.reserveCapacity(mentions.count)
        for var m in mentions {
            // "Swansea's Muslim community": a place's possessive opening a name is not part of it.
            if let p = m.tokens.dropFirst().first(where: { word($0) == "'s" || word($0) == "\u{2019}s" }), p + 1 < m.tokens.upperBound,
               gazetteer.lookup(words, m.tokens.lowerBound..<p) != nil {
                result.append(Mention(tokens: m.tokens.lowerBound..<p, type: .place, sentence: m.sentence))
                m.tokens = (p + 1)..<m.tokens.upperBound
            }
            let names = m.tokens.map(word)
            // ("Mr Major" keeps "Major": a word after an honorific is a name.)
            let afterHonorific = m.tokens.lowerBound > 0 && EntityResolver.honorifics.contains(word(m.tokens.lowerBound - 1))
            if !afterHonorific && names.allSatisfy({ EntityResolver.honorifics.contains($0) || EntityResolver.titleWords.contains($0.lowercased()) })
                || names.count <= 3 && EntityNames.notNames.contains(string(m.tokens)) {
                continue
            }
            if names.count == 2, EntityNames.isInitial(names[0]), names[0] != "A", names[0] != "I", words[m.tokens.upperBound - 1].isCapitalised {
                m.type = .person
            } else if names.count > 1, EntityNames.facilityHeads.contains(names[names.count - 1].lowercased()) {
                m.type = .place
            } else if m.type != .person, names.count > 1, EntityNames.organisationHeads.contains(names[names.count - 1].lowercased()) {
                m.type = .org
            } else if EntityNames.aliases[EntityResolver.normalised(string(m.tokens))] != nil {
                m.type = .org
            } else if m.type != .place, isAfterWorkNoun(m.tokens.lowerBound) {
                m.type = .misc
            } else if m.type != .person, names.count > 1, EntityNames.eventHeads.contains(names[names.count - 1].lowercased()) {
                m.type = .event
            } else if names.count == 1, EntityNames.faiths.contains(names[0]) {
                m.type = .norp
            } else if m.type == .misc || m.type == .place, gazetteer.lookup(words, m.tokens) == nil,
                      !gazetteer.countryCodes.contains(names[0]),
                      m.tokens.upperBound < text.tokens.count, EntityNames.organisationNouns.contains(word(m.tokens.upperBound).lowercased()) {
                // "the Guardian newspaper", "Hazards magazine": named by what it is.
                m.type = .org
            }
            // "OneStat.com": a web address is one name, a site's or its company's.
            var end = m.tokens.upperBound
            while end + 1 < text.tokens.count, word(end) == ".", EntityNames.domains.contains(word(end + 1)),
                  text.tokens[end].start == text.tokens[end - 1].end, text.tokens[end + 1].start == text.tokens[end].end {
                end += 2
            }
            if end > m.tokens.upperBound {
                m.tokens = m.tokens.lowerBound..<end
                m.type = .org
            }
            // "J Noon (Newcastle)", "Tony Banks (Labour)": one word in brackets after a person is a team or party.
            if m.tokens.count == 1, m.type == .place || m.type == .misc, let last = result.last, last.type == .person,
               last.tokens.upperBound + 1 == m.tokens.lowerBound, word(last.tokens.upperBound) == "(",
               m.tokens.upperBound < text.tokens.count, word(m.tokens.upperBound) == ")", !isCountry(m) {
                m.type = .org
            }
            // "Cuban artist Papo Record": a name right after a noun for a person is a person's.
            if m.type != .person, m.tokens.count <= 3, m.tokens.lowerBound > 0, words[m.tokens.lowerBound].isCapitalised,
               EntityNames.occupations.contains(word(m.tokens.lowerBound - 1)) {
                m.type = .person
            }
            // "Norwich Union Grand Prix": a sponsor's name run straight into an event's is part of it.
            if m.type == .event, let last = result.last, last.type == .org, last.tokens.upperBound == m.tokens.lowerBound {
                result[result.count - 1] = Mention(tokens: last.tokens.lowerBound..<m.tokens.upperBound, type: .event, sentence: last.sentence)
                continue
            }
            // "UK Film Council": a country's name or code run straight into an organisation's name is part of it.
            if m.type == .org, let last = result.last, last.type == .place, last.tokens.count == 1,
               last.tokens.upperBound == m.tokens.lowerBound, isCountry(last) {
                result[result.count - 1] = Mention(tokens: last.tokens.lowerBound..<m.tokens.upperBound, type: .org, sentence: last.sentence)
                continue
            }
            // "Often Pipex": a function word opening the sentence is not part of the name.
            if m.tokens.count > 1, m.tokens.lowerBound == text.sentences[m.sentence].tokens.lowerBound, !EntityNames.isInitial(names[0]),
               EntityResolver.sentenceWords.contains(names[0].lowercased()) || EntityNames.sentenceAdverbs.contains(names[0].lowercased()) {
                m.tokens = (m.tokens.lowerBound + 1)..<m.tokens.upperBound
            }
            if let last = result.last, last.type != .person, last.tokens.count == 1, m.type == .org,
               last.tokens.upperBound + 1 == m.tokens.lowerBound, word(last.tokens.upperBound) == "and",
               lowercaseForms.contains(word(last.tokens.lowerBound).lowercased()),
               EntityNames.organisationHeads.contains(names[names.count - 1].lowercased()) {
                result[result.count - 1] = Mention(tokens: last.tokens.lowerBound..<m.tokens.upperBound, type: .org, sentence: last.sentence)
                continue
            }
            result.append(m)
        }
        return result
    }

    /// "the film Spirited Away", "his album Confessions": a name right after a noun for a work is the work's.
    private func isAfterWorkNoun(_ start: Int) -> Bool {
        var p = start - 1
        if p >= 0, ["new", "latest", "debut", "hit", "first", "second", "third", "last"].contains(word(p).lowercased()) { p -= 1 }
        return p >= 0 && EntityNames.workNouns.contains(word(p).lowercased())
    }

    /// Institutions named with common words ("Parliament", "the Treasury", "the Home Office") that the tagger
    /// leaves untagged: found where no mention covers them.
    private func institutions(_ mentions: [Mention]) -> [Mention] {
        var taken = [Bool](repeating: false, count: text.tokens.count)
        for m in mentions { for i in m.tokens { taken[i] = true } }
        var found: [Mention] = []
        var i = 0
        while i < text.tokens.count {
            defer { i += 1 }
            guard !taken[i], words[i].isCapitalised, EntityNames.institutionFirstWords.contains(word(i)) else { continue }
            for n in stride(from: min(EntityNames.institutionLength, text.tokens.count - i), through: 1, by: -1) {
                let r = i..<(i + n)
                guard r.allSatisfy({ !taken[$0] && sentenceOf[$0] == sentenceOf[i] }), EntityNames.institutions.contains(string(r)) else { continue }
                found.append(Mention(tokens: r, type: .org, sentence: sentenceOf[i]))
                i += n - 1
                break
            }
        }
        guard !found.isEmpty else { return mentions }
        return (mentions + found).sorted { $0.tokens.lowerBound < $1.tokens.lowerBound }
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
        var steps = 0
        return bracketedAcronyms(mentions, steps: &steps)
    }

    /// `mentions` are in text order and disjoint (as tagged), and so is the result. A name ends at its
    /// bracket, which only moves forward, so only the last few mentions passed can overlap it: the scan
    /// of every mention per acronym this replaced made articles full of acronyms quadratic. `steps`
    /// counts the mentions looked at, so a test can tell linear from quadratic without a clock.
    func bracketedAcronyms(_ mentions: [Mention], steps: inout Int) -> [Mention] {
        assert(zip(mentions, mentions.dropFirst()).allSatisfy { $0.tokens.upperBound <= $1.tokens.lowerBound }
               && mentions.allSatisfy { !$0.tokens.isEmpty }, "mentions out of order or overlapping")
        var result: [Mention] = []  // every mention starting before the bracket last looked at, in order
        result.reserveCapacity(mentions.count)
        var next = 0  // mentions[next...] start at or after that bracket, and no name has touched them
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
            while next < mentions.count && mentions[next].tokens.lowerBound < i {
                result.append(mentions[next]); next += 1; steps += 1
            }
            // Those overlapping the name end after its start: a suffix of `result`, as mentions are disjoint.
            var first = result.count
            while first > 0 && result[first - 1].tokens.upperBound > name.lowerBound { first -= 1; steps += 1 }
            let inside = result[first...].filter { $0.tokens.overlaps(name) }
            // The acronym's own mention, if tagged, starts after the bracket: not passed yet.
            var tagged: Entity.Kind?
            for k in next..<min(next + 2, mentions.count) {
                steps += 1
                if mentions[k].tokens == (i + 1)..<(i + 2) { tagged = mentions[k].type }
            }
            // People are rarely given bracketed acronyms, and a name whose pieces the tagger typed differently
            // (a person's name next to a country's) is an organisation's.
            let pieces = Set(inside.map(\.type))
            var type = tagged ?? (pieces.count == 1 ? pieces.first! : .org)
            if type == .person { type = .org }
            if inside.count == 1 && inside[0].tokens == name && inside[0].type == type { continue }
            result.removeSubrange(first...)
            result.append(Mention(tokens: name, type: type, sentence: sentenceOf[name.lowerBound]))
        }
        result.append(contentsOf: mentions[next...])
        return result
    }

    /// News copy introduces a person by full name, title or honorific. A single word tagged as a person with
    /// none of these anywhere in the article ("an interview with Dawn") takes the tagger's next-best reading
    /// among organisation, place and no entity: a name used bare, unintroduced, is usually an organisation
    /// (a newspaper, a company, an agency) or a place.
    private func loneNames(_ mentions: [Mention], _ otherThanPerson: (Int) -> String?) -> [Mention] {
        var introduced = Set<String>()  // words of full names, and words after an honorific or title
        for m in mentions where m.type == .person && m.tokens.count > 1 { for i in m.tokens { introduced.insert(word(i)) } }
        for i in text.tokens.indices.dropFirst() where words[i].isCapitalised {
            let before = word(i - 1)
            if EntityResolver.honorifics.contains(before) { introduced.insert(word(i)); continue }
            let lowered = before.lowercased()
            if EntityResolver.titleWords.contains(lowered) || EntityNames.personNouns.contains(lowered) {
                introduced.insert(word(i))
            }
        }
        var result: [Mention] = []
        for m in mentions {
            guard m.type == .person, m.tokens.count == 1, !introduced.contains(word(m.tokens.lowerBound)) else {
                result.append(m); continue
            }
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

    /// A miscellaneous name, or a place the gazetteer does not know, listed with an organisation ("the TTP
    /// and Islamic State-Khorasan") is one too.
    private func coordinate(_ mentions: inout [Mention]) {
        var endingAt: [Int: Int] = [:]  // last token -> mention
        for (k, m) in mentions.enumerated() { endingAt[m.tokens.upperBound - 1] = k }
        for k in mentions.indices.dropFirst() {
            let m = mentions[k]
            guard m.type == .misc || m.type == .norp || m.type == .place && gazetteer.lookup(words, m.tokens) == nil else { continue }
            var j = mentions[k].tokens.lowerBound - 1
            guard j > 0, ["and", "or", ","].contains(word(j)) else { continue }
            j -= 1
            if word(j) == ")" && j >= 2 && word(j - 2) == "(" { j -= 3 }
            guard let b = endingAt[j], b < k, case let before = mentions[b], before.type == .org, before.sentence == mentions[k].sentence else { continue }
            mentions[k].type = .org
        }
    }

    /// A list of names introduced by a category noun takes the category's type: "militant groups X (ACR)
    /// and Y", "groups such as X", "countries like X and Y" (Hearst's patterns).
    private func categorise(_ mentions: inout [Mention]) {
        var k = 0
        while k < mentions.count {
            guard let type = category(before: mentions[k].tokens.lowerBound) else { k += 1; continue }
            var last = k
            mentions[k].type = type
            while last + 1 < mentions.count {
                var j = mentions[last].tokens.upperBound
                if j + 2 < text.tokens.count && word(j) == "(" && word(j + 2) == ")" {
                    j += 3
                    // The bracketed acronym, if tagged, is the same name.
                    while last + 1 < mentions.count && mentions[last + 1].tokens.upperBound <= j {
                        last += 1
                        mentions[last].type = type
                    }
                }
                guard j < text.tokens.count, [",", "and", "or"].contains(word(j)) else { break }
                j += 1
                if j < text.tokens.count && word(j) == "and" { j += 1 }
                if j < text.tokens.count && word(j).lowercased() == "the" { j += 1 }
                // The bracketed acronym may have been the last mention: then no name follows the comma.
                guard last + 1 < mentions.count, mentions[last + 1].tokens.lowerBound == j else { break }
                last += 1
                mentions[last].type = type
            }
            k = last + 1
        }
    }

    private func category(before start: Int) -> Entity.Kind? {
        var p = start - 1
        if p >= 0 && word(p).lowercased() == "the" { p -= 1 }
        guard p >= 0 else { return nil }
        if let type = EntityResolver.categoryNouns[word(p).lowercased()] { return type }
        let w = word(p).lowercased()
        guard w == "like" || w == "including" || (w == "as" && p > 0 && word(p - 1).lowercased() == "such") else { return nil }
        let sentenceStart = text.sentences[sentenceOf[start]].tokens.lowerBound
        for q in stride(from: p - 1, through: max(sentenceStart, p - 6), by: -1) {
            if let type = EntityResolver.categoryNouns[word(q).lowercased()] { return type }
        }
        return nil
    }

    static let categoryNouns: [String: Entity.Kind] = [
        "groups": .org, "organisations": .org, "organizations": .org, "companies": .org, "firms": .org,
        "parties": .org, "agencies": .org, "banks": .org, "outfits": .org, "factions": .org, "movements": .org,
        "militias": .org, "clubs": .org, "broadcasters": .org, "newspapers": .org, "institutions": .org,
        "countries": .place, "nations": .place, "cities": .place, "provinces": .place, "regions": .place,
        "towns": .place, "capitals": .place,
    ]

    /// Nouns of office and rank that may stand before a name.
    static let titleWords: Set<String> = [
        "counsellor", "counselor", "minister", "secretary", "spokesman", "spokeswoman", "spokesperson", "ambassador",
        "president", "director", "chief", "chairman", "chairwoman", "chair", "envoy", "adviser", "advisor",
        "commissioner", "general", "governor", "senator", "judge", "officer", "head", "leader", "commander",
        "representative", "deputy", "undersecretary", "consul", "attache", "premier", "mayor", "coach", "captain",
        "manager", "editor", "correspondent", "analyst", "economist", "official", "administrator", "inspector",
        "superintendent", "lieutenant", "colonel", "major", "admiral", "marshal", "sergeant", "prosecutor",
        "attorney", "justice", "chancellor", "president-elect", "vice-president", "founder", "executive",
        "diplomat", "treasurer", "mp", "mep", "chief executive", "director-general", "secretary-general", "pope", "qc",
    ]

    // MARK: - Merging

    static func normalised(_ s: String) -> String {
        String(String.UnicodeScalarView(s.unicodeScalars.compactMap { c -> Unicode.Scalar? in
            c == "." ? nil : c == "\u{2019}" ? "'" : c
        }))
    }

    /// The key a mention is filed under: its text without periods, or the name a well-known alias stands for.
    private func name(_ m: Mention) -> String {
        var r = m.tokens
        // "The Da Vinci Code" opening a sentence and "the Da Vinci Code" inside one are one name.
        if r.count > 1, word(r.lowerBound) == "The" || word(r.lowerBound) == "the" { r = (r.lowerBound + 1)..<r.upperBound }
        let n = EntityResolver.normalised(string(r))
        return EntityNames.aliases[n] ?? n
    }

    /// "Chilean Copper Commission (Cochilco)": one capitalised word in brackets after an organisation's name,
    /// starting with the name's first letter, is its short name even when not made of its initials.
    private func isBracketedShortName(_ i: Int, of m: Mention) -> Bool {
        let w = word(i)
        guard words[i].isCapitalised, w.unicodeScalars.count >= 3, !lowercaseForms.contains(w.lowercased()),
              gazetteer.lookup(words, i..<(i + 1)) == nil else { return false }
        return w.unicodeScalars.first == word(m.tokens.lowerBound).unicodeScalars.first
    }

    /// What a mention can be found by once it belongs to cluster `k`.
    private func register(_ m: Mention, in k: Int, _ index: inout ClusterIndex) {
        ClusterIndex.claim(&index.byForm, name(m), k)
        if m.tokens.count > 1 {
            let names = m.tokens.map(word)
            for initials in EntityResolver.initials(of: names) { ClusterIndex.claim(&index.byInitials, initials, k) }
            if m.type == .person {
                let (first, last) = (names[0], names[names.count - 1])
                ClusterIndex.claim(&index.byLastName, last, k)
                if !EntityNames.isInitial(first) {
                    if let other = index.byFirstName[first], other != k { index.byFirstName[first] = -1 } else { index.byFirstName[first] = k }
                }
                if !index.persons.contains(where: { $0.cluster == k && $0.first == first && $0.last == last }) {
                    index.persons.append((first, last, k))
                }
            }
            // One word of a part of an organisation ("Harvard" of "Harvard School of Public Health") names the
            // whole or another part, not this one: only names of capitalised words and no unit word register.
            if m.type == .org, m.tokens.allSatisfy({ words[$0].isCapitalised }),
               !names.contains(where: { EntityNames.unitWords.contains($0.lowercased()) }) {
                ClusterIndex.claim(&index.byOrgWord, names[0], k)
                ClusterIndex.claim(&index.byOrgWord, names[names.count - 1], k)
            }
        }
        if m.type == .place, let code = placeCode(m) { ClusterIndex.claim(&index.byCode, code, k) }
        if m.type != .person, m.tokens.count > 2 {
            let names = m.tokens.map(word)
            index.byEnds[names[0] + " " + names[names.count - 1], default: []].append((names, k))
        }
    }

    /// "Soul Train Awards" in "Soul Train Music Awards": the same first and last word, the words in order.
    private func shortened(_ m: Mention, _ index: ClusterIndex) -> Int? {
        guard m.type != .person, m.tokens.count >= 2 else { return nil }
        let names = m.tokens.map(word)
        return index.byEnds[names[0] + " " + names[names.count - 1]]?.first { longer in
            var j = 0
            for w in longer.words where j < names.count && w == names[j] { j += 1 }
            return j == names.count && longer.words.count > names.count
        }?.cluster
    }

    /// The cluster a mention belongs to, by the first rule that finds one.
    private func match(_ m: Mention, _ index: ClusterIndex, _ clusters: [Cluster]) -> Int? {
        let form = name(m)
        if let k = index.byForm[form] ?? index.byAcronym[form] { return k }
        if m.tokens.count == 1 {
            let w = word(m.tokens.lowerBound)
            if words[m.tokens.lowerBound].flags.contains(.allUpper), form.count >= 2, let k = index.byInitials[form] { return k }
            if m.type == .person || m.type == .org || m.type == .place, let k = index.byLastName[w] { return k }
            // "Domecq" or "Pernod" after "Allied Domecq" and "Pernod Ricard": one word of an organisation's name.
            if m.type == .org, let k = index.byOrgWord[w] { return k }
            // "Nato", "Opec": an acronym written as a word, the initials of an organisation named in the article.
            if m.type == .org, w.unicodeScalars.count >= 3, w.unicodeScalars.count <= 6, let k = index.byInitials[w.uppercased()],
               clusters[k].mentions[0].type == .org { return k }
            // "Matt" after "Matt Stevens": a first name alone, when one person of the article has it.
            if m.type == .person, let k = index.byFirstName[w], k >= 0 { return k }
        }
        if m.type == .person {
            let names = m.tokens.map(word)
            let (first, last) = (names[0], names[names.count - 1])
            // "M Stevens" and "Matt Stevens"; "J Robinson" is not "Andy Robinson".
            if names.count > 1, let p = index.persons.first(where: { $0.last == last && EntityNames.firstNamesAgree($0.first, first) }) {
                return p.cluster
            }
            // A misspelt repeat: "Julie Cristie" after "Julie Christie", "Cristie" alone.
            if let p = index.persons.first(where: { (names.count == 1 || $0.first == first) && EntityNames.nearMiss($0.last, last) }) {
                return p.cluster
            }
        }
        // "Liberal Democrat" and "Liberal Democrats", "Muslim" and "Muslims": one name, singular and plural.
        if m.type != .person, form.unicodeScalars.count >= 4 {
            let other = form.hasSuffix("s") ? String(form.dropLast()) : form + "s"
            if let k = index.byForm[other], clusters[k].mentions[0].type == m.type { return k }
        }
        if m.type == .place, let code = placeCode(m), let k = index.byCode[code] { return k }
        return shortened(m, index)
    }

    /// Initials of a multi-word name: of every part, and of the capitalised parts only.
    static func initials(of words: [String]) -> [String] {
        let parts = words.flatMap { $0.split(separator: "-").map(String.init) }.filter { !$0.isEmpty }
        guard parts.count >= 2 else { return [] }
        let all = String(parts.compactMap { $0.unicodeScalars.first.map(Character.init) }).uppercased()
        let capitalised = String(parts.compactMap { p in
            p.unicodeScalars.first.flatMap { Tokenizer.isUpper($0) ? Character($0) : nil }
        })
        return all == capitalised ? [all] : [all, capitalised]
    }

    /// "TTP" for Tehreek-i-Taliban Pakistan, "FO" for Foreign Office, "MOFA" or "MFA" for Ministry of Foreign Affairs.
    static func isAcronym(_ acronym: String, of words: [String]) -> Bool {
        let letters = normalised(acronym)
        guard letters.count >= 2, letters.count <= 8, letters.unicodeScalars.allSatisfy({ Tokenizer.isUpper($0) }) else { return false }
        return initials(of: words).contains(letters)
    }

    // MARK: - Entities

    /// A country's name, or its ISO code written in capitals ("US").
    private func isCountry(_ m: Mention) -> Bool {
        placeCode(m) != nil || m.tokens.count == 1 && words[m.tokens.lowerBound].flags.contains(.allUpper)
            && gazetteer.countryCodes.contains(word(m.tokens.lowerBound))
    }

    private func placeCode(_ m: Mention) -> String? {
        guard let entry = gazetteer.lookup(words, m.tokens), entry.contains(.country) else { return nil }
        return entry.code
    }

    private func entity(_ c: Cluster) -> Entity {
        // The full name's type: "US" in "US troops" may be tagged MISC, "United States" is a place.
        let longest = c.mentions.max { a, b in
            (a.tokens.count, string(a.tokens).count) < (b.tokens.count, string(b.tokens).count)
        }!
        var type = longest.type
        if longest.tokens.count == 1 {
            // Only short forms: the type most mentions carry, the longest mention breaking ties, then the
            // type met first (not `Dictionary` order: Swift seeds it per process, so outputs varied by run).
            var votes: [Entity.Kind: Int] = [:]
            var met: [Entity.Kind] = []
            for m in c.mentions {
                if votes[m.type] == nil { met.append(m.type) }
                votes[m.type, default: 0] += 1
            }
            func rank(_ kind: Entity.Kind) -> (Int, Int) { (votes[kind]!, kind == longest.type ? 1 : 0) }
            type = met.max { rank($0) < rank($1) }!  // the first of equals
        }
        // "US author", "the US alone": a country's name or code read as a modifier is still the country.
        if type == .misc || type == .norp || type == .org, isCountry(longest) || type != .org && c.mentions.contains(where: isCountry) {
            type = .place
        }
        // A one-word "place" no gazetteer knows and the article never puts after "in", "to" or "near"
        // ("an architect at Cisco", "Energis took a similar approach") is an organisation; codes in
        // capitals (US, UAE) are left alone.
        if type == .place, c.mentions.allSatisfy({ m in
            var m = m
            if m.tokens.count == 2, word(m.tokens.lowerBound) == "The" { m.tokens = (m.tokens.lowerBound + 1)..<m.tokens.upperBound }
            return m.tokens.count == 1 && gazetteer.lookup(words, m.tokens) == nil && !words[m.tokens.lowerBound].flags.contains(.allUpper)
                && !(m.tokens.lowerBound > 0 && EntityResolver.placePrepositions.contains(word(m.tokens.lowerBound - 1).lowercased()))
        }) {
            type = .org
        }
        var e = Entity(id: "", type: type, name: string(longest.tokens), mentions: c.mentions.map { m in
            TextSpan(start: text.tokens[m.tokens.lowerBound].start, end: text.tokens[m.tokens.upperBound - 1].end)
        })
        if let scored = confidence?.entity(c.mentions.map { ($0.tokens, $0.sentence) }, type: type) {
            e.confidence = scored.confidence
            e.rawConfidence = scored.raw
        }
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
            for m in c.mentions {
                for r in [role(before: m), role(after: m)].compactMap({ $0 }) where !roles.contains(r) { roles.append(r) }
            }
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
            if personToken[start - 1] { break }  // another person's name: "... Silvio Berlusconi and German Chancellor X"
            if w.isCapitalised && w.flags.contains(.hasLetter) && !EntityResolver.honorifics.contains(word(start - 1)) {
                start -= 1
            } else if start - 2 >= sentenceStart, EntityResolver.roleConnectors.contains(word(start - 1)), words[start - 2].isCapitalised, start < end {
                start -= 1
            } else {
                break
            }
        }
        // Words the article also writes in lower case ("But", "The") are not part of a title.
        while start < end, EntityResolver.roleConnectors.contains(word(start))
            || EntityResolver.sentenceWords.contains(word(start).lowercased())
            || lowercaseForms.contains(word(start).lowercased()) && !EntityResolver.titleWords.contains(word(start).lowercased()) {
            start += 1
        }
        // A role needs its own title word next to the name, not just an organisation or place.
        guard start < end, !isTaggedName(end - 1) else { return nil }
        return string(start..<end)
    }

    private func isTaggedName(_ i: Int) -> Bool { covered[i] }

    /// Function words that are capitalised only because a sentence starts with them.
    static let sentenceWords: Set<String> = [
        "but", "and", "the", "a", "an", "in", "on", "at", "as", "when", "while", "after", "before", "if", "so", "yet",
        "now", "then", "also", "however", "meanwhile", "both", "even", "under", "with", "from", "for", "by", "yesterday",
        "today", "last", "next", "this", "that", "because", "although", "since", "until", "during", "among", "like",
    ]

    static let placePrepositions: Set<String> = ["in", "to", "near", "into", "across", "throughout", "outside", "around", "from", "towards", "via"]

    private static let determiners: Set<String> = ["the", "a", "an", "its", "his", "her", "their"]

    /// An apposition after the name: "Digby Jones, the CBI's director general," -> "CBI's director general".
    private func role(after m: Mention) -> String? {
        let sentenceEnd = text.sentences[m.sentence].tokens.upperBound
        var start = m.tokens.upperBound
        guard start + 1 < sentenceEnd, word(start) == "," else { return nil }
        start += 1
        if EntityResolver.determiners.contains(word(start).lowercased()) { start += 1 }
        var end = start
        var hasTitle = false
        while end < sentenceEnd && end - start < 8 {
            let w = word(end)
            if w == "," || w == "." || w == ")" || w == ";" { break }
            guard words[end].flags.contains(.hasLetter) || w == "-" else { return nil }
            if EntityResolver.titleWords.contains(w.lowercased()) { hasTitle = true }
            end += 1
        }
        // Only a phrase that ends at punctuation and names an office; "who ..." or "said ..." are not roles.
        guard hasTitle, end < sentenceEnd, end > start, [",", ".", ")", ";"].contains(word(end)),
              EntityResolver.titleWords.contains(word(end - 1).lowercased()) || EntityResolver.titleWords.contains(
                  word(end - 1).lowercased().split(separator: "-").first.map(String.init) ?? "") else { return nil }
        return string(start..<end)
    }
}
