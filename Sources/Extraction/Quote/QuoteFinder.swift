import NewsCore

/// Finds quotations, their cue verbs and their speakers.
///
/// Direct and partial quotes come from quotation marks (a quote may run over several paragraphs when
/// each opens with a mark); reported speech from sentences built around a cue verb. The speaker is the
/// noun phrase next to the cue, resolved to an entity: a mention it overlaps, the nearest person before it
/// for a pronoun or a role ("the senior US diplomat"), or an organisation whose initials it spells ("the FO").
struct QuoteFinder {
    let text: AnalysedText
    let entities: [Entity]
    let s: [Unicode.Scalar]
    /// Lower-cased token words, computed once.
    let words: [String]
    /// The mentions by position: speakers are looked up once per quote, and must not cost a scan each.
    let mentions: MentionIndex
    /// The first organisation or place (in entity order) whose name's initials spell each acronym.
    let organisationByInitials: [String: Int]
    /// Every span in quotation marks, in text order: cue verbs and subjects inside them are the quoted
    /// speaker's words, not the writer's attribution.
    let marked: [QuoteMarks.Span]

    init(text: AnalysedText, entities: [Entity]) {
        self.text = text
        self.entities = entities
        self.s = text.document.scalars
        self.words = text.tokens.map { QuoteFinder.lower(text.document.scalars, $0.start, $0.end) }
        self.mentions = MentionIndex(entities)
        var byInitials: [String: Int] = [:]
        for (k, entity) in entities.enumerated() where entity.type == .org || entity.type == .place {
            let initials = QuoteFinder.initials(of: entity.name)
            if byInitials[initials] == nil { byInitials[initials] = k }
        }
        self.organisationByInitials = byInitials
        self.marked = QuoteMarks.spans(s, paragraphs: QuoteMarks.paragraphs(s))
    }

    static func lower(_ s: [Unicode.Scalar], _ start: Int, _ end: Int) -> String {
        LowerCased.word(s, start, end)
    }

    func find(deadline: Deadline) throws(DeadlineExceeded) -> [Quote] {
        var quotes: [Quote] = []
        var quotedSentences = Set<Int>()
        var previous: Quote?
        for (n, span) in marked.enumerated() {
            if n % 64 == 63 { try deadline.check("quotes") }
            guard var quote = attribute(span, previous: previous) else { continue }
            if quote.speaker == nil && quote.cue == nil, let said = reportedSpeaker(before: span) {
                // “We aim to ...” right after "Lord Moynihan said the policy would ...": the speaker of the
                // sentence before, which reports the same person's words.
                quote.speaker = said.speaker; quote.speakerId = said.speakerId; quote.speakerSpan = said.speakerSpan
            } else if quote.speaker == nil, let p = previous, isContinuation(span, of: p) {
                quote.speaker = p.speaker; quote.speakerId = p.speakerId; quote.cue = p.cue
            }
            for k in sentenceRange(span.open, span.close) { quotedSentences.insert(k) }
            quotes.append(quote)
            previous = quote
        }
        try deadline.check("quotes")
        // Reported speech: cue verbs in sentences without quotation marks.
        for (index, sentence) in text.sentences.enumerated() where !quotedSentences.contains(index) {
            if let quote = reported(in: sentence) { quotes.append(quote) }
            if index % 64 == 0 { try deadline.check("quotes") }
        }
        quotes.sort { $0.start < $1.start }
        return quotes
    }

    // MARK: - Marked quotes

    /// Decides whether a marked span is a quote and attributes it.
    func attribute(_ span: QuoteMarks.Span, previous: Quote?) -> Quote? {
        let first = tokenIndex(atOrAfter: span.open + 1)
        let last = tokenIndex(before: span.close)
        guard first <= last else { return nil }
        let wordCount = (first...last).reduce(0) { $0 + (text.tokens[$1].kind == .word || text.tokens[$1].kind == .number ? 1 : 0) }
        let endsWithPunctuation = (first...last).suffix(2).contains { [",", ".", "?", "!", "…", ":", "..."].contains(words[$0]) }
        let sentence = sentenceIndex(ofToken: first)
        let sentenceSpan = text.sentences[sentence].span
        let startsSentence = tokenIndex(atOrAfter: sentenceSpan.start) >= first - 1
        let kind: Quote.Kind = endsWithPunctuation || (startsSentence && wordCount >= 6) ? .direct : .partial
        // "He said: “...”": a colon hands the quote to the cue before it. A quote that ends its sentence takes
        // no cue from elsewhere in the sentence (a cue there belongs to another quote or to the writer).
        let afterColon = tokenIndex(before: span.open) >= 0 && words[tokenIndex(before: span.open)] == ":"
        let endsSentence = [".", "!", "?", "…", "..."].contains(words[last])
        let cueMatch = afterColon ? (cueBefore(opening: span.open) ?? cueAfter(closing: span.close, quoteLast: last))
            : (cueAfter(closing: span.close, quoteLast: last) ?? cueBefore(opening: span.open) ?? (endsSentence ? nil : cueInSentences(of: span)))
        if kind == .partial {
            // Scare quotes and titles: short, or title-like, and no cue verb to attribute them to.
            if cueMatch == nil { return nil }
            if wordCount == 0 { return nil }
            if first >= 2 && QuoteFinder.titleCues.contains(words[first - 2]) { return nil }
            if isTitle(first: first, last: last) && cueMatch?.adjacent != true { return nil }
        } else if cueMatch == nil && wordCount < 4 {
            return nil
        }
        var quote = Quote(start: span.open + 1, end: span.close, text: text.document.text(span.open + 1, span.close),
                          kind: kind, speakerId: nil, speaker: nil, speakerSpan: nil, cue: nil)
        // Trim the white space a multi-paragraph quote may end with.
        while quote.end > quote.start && Tokenizer.isSpace(s[quote.end - 1]) { quote.end -= 1 }
        quote.text = text.document.text(quote.start, quote.end)
        if let cue = cueMatch {
            quote.cue = cue.cue
            if let phrase = cue.speaker { resolve(phrase, before: span.open, into: &quote, quoted: span) }
        }
        return quote
    }

    /// "Title Case Words" preceded by a naming word ("the film", "called", "titled") read as a title.
    func isTitle(first: Int, last: Int) -> Bool {
        let before = first >= 2 ? words[first - 2] : ""
        if QuoteFinder.titleCues.contains(before) { return true }
        var capitalised = 0, total = 0
        for k in first...last where text.tokens[k].kind == .word {
            total += 1
            if Tokenizer.isUpper(s[text.tokens[k].start]) { capitalised += 1 }
        }
        return total > 0 && total <= 8 && capitalised * 2 > total + 1
    }

    static let titleCues: Set<String> = [
        "titled", "entitled", "called", "named", "dubbed", "book", "film", "movie", "song", "album", "novel",
        "headlined", "show", "programme", "program", "series", "campaign", "operation", "slogan", "so-called", "banner",
    ]

    /// The resolved speaker of reported speech in the sentence right before a quote that opens its own
    /// sentence, when that sentence holds no quotation marks.
    func reportedSpeaker(before span: QuoteMarks.Span) -> Quote? {
        let first = tokenIndex(atOrAfter: span.open + 1)
        guard first < words.count else { return nil }
        let index = sentenceIndex(ofToken: first)
        guard index > 0, tokenIndex(atOrAfter: text.sentences[index].span.start) >= first - 1 else { return nil }
        let sentence = text.sentences[index - 1]
        // (The splitter may end that sentence with this quote's opening straight mark.)
        guard !sentence.tokens.contains(where: { text.tokens[$0].start < span.open && (text.tokens[$0].kind == .quote || isQuoted(text.tokens[$0].start)) }),
              let said = reported(in: sentence), said.speakerId != nil else { return nil }
        return said
    }

    func isContinuation(_ span: QuoteMarks.Span, of previous: Quote) -> Bool {
        // A quote right after an attributed one, with only its attribution between them ("“A,” he said.
        // “B.”") or a paragraph break, continues the same speaker.
        guard previous.speaker != nil else { return false }
        let gap = text.document.text(previous.end, span.open)
        return gap.unicodeScalars.filter { Tokenizer.isLetter($0) }.count < 60
    }

    // MARK: - Cues

    struct CueMatch {
        var cue: String
        /// Token range of the speaker phrase.
        var speaker: Range<Int>?
        var inSentence = false
        /// The cue touches the quote: “...,” he said / he said: “...”.
        var adjacent = false
    }

    /// ”, the FO said. / ”, said the senior US diplomat / ” he had said.
    func cueAfter(closing: Int, quoteLast: Int) -> CueMatch? {
        var k = tokenIndex(atOrAfter: closing + 1)
        guard k < words.count else { return nil }
        while k < words.count && (words[k] == "," || text.tokens[k].kind == .quote) && text.tokens[k].start - closing < 4 { k += 1 }
        // “... rush me.” Asked if he would ... / “... will.” Data out on Thursday underlined ...: after a full
        // stop inside the marks, a capitalised word starts the next sentence, whose cue is not this quote's.
        if words[quoteLast] == "." && k < words.count && text.tokens[k].kind == .word && Tokenizer.isUpper(s[text.tokens[k].start]) {
            return nil
        }
        // Room for a name and its apposition: “...,” William Lerach, the lawyer leading the suit, said.
        let limit = min(words.count, k + 16)
        var j = k
        while j < limit {
            if let (cue, end) = cueVerb(at: j) {
                if j == k {
                    // Inverted: said the senior US diplomat.
                    let phrase = nounPhrase(after: end)
                    return CueMatch(cue: cue, speaker: phrase, adjacent: true)
                }
                let phrase = trimAuxiliaries(k..<j)
                return CueMatch(cue: cue, speaker: phrase.isEmpty ? nil : phrase, adjacent: j - k <= 4)
            }
            if QuoteFinder.clauseStops.contains(words[j]) || text.tokens[j].kind == .quote || words[j] == "." { return nil }
            j += 1
        }
        return nil
    }

    /// Chollet said: “... / He told reporters, “...
    func cueBefore(opening: Int) -> CueMatch? {
        var k = tokenIndex(before: opening)
        guard k >= 0 else { return nil }
        // After a full stop the quote starts a new sentence: the cue before it belongs to the last quote.
        if [".", "!", "?"].contains(words[k]) || text.tokens[k].kind == .quote { return nil }
        if words[k] == ":" || words[k] == "," { k -= 1 }
        let sentenceStart = text.sentences[sentenceIndex(ofToken: max(k, 0))].tokens.lowerBound
        var j = k
        while j >= max(sentenceStart, k - 6) {
            if let (cue, _) = cueVerb(at: j) {
                let phrase = nounPhrase(before: j) ?? sharedSubject(ofCueAt: j)
                return CueMatch(cue: cue, speaker: phrase, adjacent: j >= k - 1)
            }
            if text.tokens[j].kind == .quote { return nil }
            j -= 1
        }
        return nil
    }

    /// Pakistan, he noted, was dealing with an “emerging counterterrorism threat”.
    func cueInSentences(of span: QuoteMarks.Span) -> CueMatch? {
        let first = sentenceIndex(ofToken: tokenIndex(atOrAfter: span.open))
        let last = sentenceIndex(ofToken: max(0, tokenIndex(before: span.close)))
        // Only the words near the quote: a run-on "sentence" of many quotes must not cost quadratic time.
        let near = max(0, tokenIndex(atOrAfter: span.open) - 60)..<min(words.count, tokenIndex(before: span.close) + 60)
        for index in first...last {
            let range = text.sentences[index].tokens.clamped(to: near)
            var j = range.lowerBound
            while j < range.upperBound {
                let inside = (text.tokens[j].start > span.open && text.tokens[j].start < span.close) || isQuoted(text.tokens[j].start)
                if !inside, let (cue, end) = cueVerb(at: j) {
                    var phrase = nounPhrase(before: j)
                    if phrase == nil || phrase!.isEmpty { phrase = sharedSubject(ofCueAt: j) }
                    if phrase == nil || phrase!.isEmpty { phrase = nounPhrase(after: end) }
                    return CueMatch(cue: cue, speaker: phrase, inSentence: true)
                }
                j += 1
            }
        }
        return nil
    }

    /// "The EC says ... but said it would review “...”": a cue after "and"/"but" has no subject of its own;
    /// it shares the subject of the sentence's earlier cue verb.
    func sharedSubject(ofCueAt j: Int) -> Range<Int>? {
        guard j >= 1, words[j - 1] == "and" || words[j - 1] == "but" else { return nil }
        let sentenceStart = text.sentences[sentenceIndex(ofToken: j)].tokens.lowerBound
        var k = j - 2
        while k >= max(sentenceStart, j - 80) {
            if !isQuoted(text.tokens[k].start), cueVerb(at: k) != nil, let phrase = nounPhrase(before: k), !phrase.isEmpty { return phrase }
            k -= 1
        }
        return nil
    }

    /// A cue verb (or "according to", "pointed out") at token `j`: the cue and the token after it.
    func cueVerb(at j: Int) -> (String, Int)? {
        let word = words[j]
        if word == "according" && j + 1 < words.count && words[j + 1] == "to" { return ("according to", j + 2) }
        if (word == "pointed" || word == "points" || word == "point") && j + 1 < words.count && words[j + 1] == "out" {
            return (text.document.text(text.tokens[j].start, text.tokens[j + 1].end), j + 2)
        }
        guard QuoteFinder.cueVerbs.contains(word) else { return nil }
        return (text.document.text(text.tokens[j].start, text.tokens[j].end), j + 1)
    }

    static let cueVerbs: Set<String> = [
        "said", "says", "told", "tells", "noted", "notes", "emphasised", "emphasized", "emphasises",
        "emphasizes", "stressed", "stresses", "added", "adds", "stated", "states", "declared", "announced",
        "explained", "explains", "asked", "replied", "remarked", "insisted", "insists", "warned", "warns", "argued",
        "argues", "claimed", "claims", "maintained", "observed", "acknowledged", "admitted", "conceded",
        "confirmed", "denied", "suggested", "wrote", "writes", "recalled", "urged", "commented", "quipped",
        "tweeted", "assured", "asserted", "underlined", "highlighted", "reiterated", "affirmed", "alleged",
        "contended", "announces", "responded", "testified", "vowed", "pledged", "predicted", "concluded",
        "complained", "continued", "criticised", "criticized", "insisting", "saying", "telling", "adding",
        "criticise", "criticize",
    ]

    static let notSubject: Set<String> = ["to", "were", "was", "is", "are", "be", "been", "being", "refused", "declined", "would", "could", "should", "might", "not", "n't"]

    static let clauseOnlyCues: Set<String> = [
        "wrote", "writes", "recalled", "maintained", "observed", "asked", "replied", "responded", "testified",
        "vowed", "pledged", "predicted", "concluded", "admitted", "acknowledged", "conceded", "tweeted", "alleged",
        "claimed", "claims", "argued", "argues", "explained", "explains", "states", "stated", "declared",
        "commented", "remarked", "affirmed", "contended", "insisted", "insists", "assured", "asserted",
        "complained", "continued", "criticised", "criticized", "insisting", "saying", "telling", "adding",
        "criticise", "criticize",
    ]

    /// Words that end a speaker phrase or show the words before a cue are no speaker.
    static let clauseStops: Set<String> = [
        "and", "but", "that", "which", "who", "whom", "when", "while", "as", "because", "if", "after", "before",
        "though", "although", "where", ";", ":", "(", ")", "—", "–", "--",
    ]
    static let auxiliaries: Set<String> = [
        "had", "has", "have", "was", "is", "also", "later", "then", "once", "again", "earlier", "further",
        "previously", "recently", "would", "will", "had", "did", "does", "reportedly", "separately", "repeatedly",
        "has", "quickly", "just", "even", "still",
    ]

    func trimAuxiliaries(_ range: Range<Int>) -> Range<Int> {
        var upper = range.upperBound
        while upper > range.lowerBound && (QuoteFinder.auxiliaries.contains(words[upper - 1]) || words[upper - 1] == "," || words[upper - 1].hasSuffix("ly") && upper - 1 > range.lowerBound) { upper -= 1 }
        return range.lowerBound..<upper
    }

    /// The noun phrase ending right before the cue at `j`: "US State Department Counsellor Derek Chollet had".
    func nounPhrase(before j: Int) -> Range<Int>? {
        let sentenceStart = text.sentences[sentenceIndex(ofToken: j)].tokens.lowerBound
        var k = j - 1
        while k >= sentenceStart && (QuoteFinder.auxiliaries.contains(words[k]) || words[k].hasSuffix("ly") && text.tokens[k].kind == .word && !Tokenizer.isUpper(s[text.tokens[k].start])) { k -= 1 }
        // "Prassana Rambathla, one of his students, says": the comma closing an apposition.
        if k > sentenceStart && words[k] == "," { k -= 1 }
        // "Pakistan, he noted, was": a parenthetical subject between commas.
        let end = k + 1
        var depth = 0
        var count = 0
        while k >= sentenceStart && count < 14 {
            let word = words[k]
            if word == ")" { depth += 1; k -= 1; continue }
            if word == "(" { depth -= 1; k -= 1; continue }
            if depth > 0 { k -= 1; continue }
            if word == "," || text.tokens[k].kind == .quote || QuoteFinder.clauseStops.contains(word) || word == "." { break }
            // "These plans were announced", "Mr Balls refused to say": the words before the cue are no subject.
            if QuoteFinder.notSubject.contains(word) { return nil }
            k -= 1
            count += 1
        }
        var start = k + 1
        guard start < end else { return nil }
        // "Lisa Power, head of policy at the Trust, said": a lower-case apposition after a comma; the name
        // before it is the subject.
        // ("Pakistan, he noted," is a pronoun subject, no apposition.)
        if k > sentenceStart && words[k] == "," && end - start >= 2 && text.tokens[start].kind == .word
            && !Tokenizer.isUpper(s[text.tokens[start].start]) && !QuoteFinder.personPronouns.contains(words[start])
            && !QuoteFinder.groupPronouns.contains(words[start]) {
            var n = k - 1
            while n >= sentenceStart && k - n <= 4 && text.tokens[n].kind == .word && Tokenizer.isUpper(s[text.tokens[n].start]) { n -= 1 }
            if n < k - 1 && (n < sentenceStart || words[n] == "," || QuoteFinder.clauseStops.contains(words[n]) || text.tokens[n].kind == .quote) {
                start = n + 1
            }
        }
        // Keep the part from the subject's head onwards: "A press release from the Foreign Office issued today".
        return start..<end
    }

    /// The noun phrase starting at `j`: "the senior US diplomat" (up to a clause word or punctuation).
    func nounPhrase(after j: Int) -> Range<Int>? {
        var k = j
        let sentenceEnd = text.sentences[sentenceIndex(ofToken: min(j, words.count - 1))].tokens.upperBound
        while k < sentenceEnd && k - j < 10 {
            let word = words[k]
            if word == "," || word == "." || text.tokens[k].kind == .quote || QuoteFinder.clauseStops.contains(word)
                || QuoteFinder.phraseEnders.contains(word) { break }
            k += 1
        }
        return k > j ? j..<k : nil
    }

    static let phraseEnders: Set<String> = ["in", "on", "at", "to", "from", "during", "after", "before", "with", "told", "adding", "referring", "on", "yesterday", "today", "last", "this"]

    // MARK: - Reported speech

    /// "<speaker> <cue> (that) <content>" or "according to <speaker>, <content>".
    func reported(in sentence: Sentence) -> Quote? {
        let range = sentence.tokens
        var j = range.lowerBound
        while j < range.upperBound {
            // A cue of several words ("according to", "pointed out") may run past the sentence: it is not this one's.
            if let (cue, end) = cueVerb(at: j), end <= range.upperBound, cue != "asked" && cue != "ask" {
                if cue == "according to" {
                    // The speaker must follow in this sentence; nounPhrase(after:) would take it from the next one.
                    guard end < range.upperBound, let phrase = nounPhrase(after: end) else { return nil }
                    // The content is the rest of the sentence outside "according to X".
                    var contentStart = phrase.upperBound
                    if contentStart < range.upperBound && words[contentStart] == "," { contentStart += 1 }
                    let contentRange = j == range.lowerBound ? contentStart..<range.upperBound : range.lowerBound..<j
                    return makeReported(contentRange, cue: cue, speaker: phrase)
                }
                guard let phrase = nounPhrase(before: j), !phrase.isEmpty else { return nil }
                var contentStart = end
                // "told reporters", "told Dawn": skip the listener before the content.
                if cue.lowercased().hasPrefix("told") || cue.lowercased().hasPrefix("tell") {
                    while contentStart < range.upperBound && words[contentStart] != "that" && words[contentStart] != "," && contentStart - end < 4 { contentStart += 1 }
                }
                let hasThat = contentStart < range.upperBound && (words[contentStart] == "that" || words[contentStart] == ",")
                // "She wrote a book": these verbs report speech only with a clause ("wrote that ...").
                if !hasThat && QuoteFinder.clauseOnlyCues.contains(words[j]) { j += 1; continue }
                if hasThat { contentStart += 1 }
                guard range.upperBound - contentStart >= 4 else { return nil }
                return makeReported(contentStart..<range.upperBound, cue: cue, speaker: phrase)
            }
            j += 1
        }
        return nil
    }

    func makeReported(_ content: Range<Int>, cue: String, speaker: Range<Int>) -> Quote? {
        var last = content.upperBound - 1
        while last > content.lowerBound && text.tokens[last].kind == .punctuation { last -= 1 }
        guard content.lowerBound <= last else { return nil }
        let start = text.tokens[content.lowerBound].start
        let end = text.tokens[last].end
        var quote = Quote(start: start, end: end, text: text.document.text(start, end), kind: .reported,
                          speakerId: nil, speaker: nil, speakerSpan: nil, cue: cue)
        resolve(speaker, before: start, into: &quote)
        return quote
    }

    // MARK: - Speakers

    /// Fills the speaker of `quote` from the phrase in tokens `phrase`.
    func resolve(_ phrase: Range<Int>, before offset: Int, into quote: inout Quote, quoted: QuoteMarks.Span? = nil) {
        guard !phrase.isEmpty else { return }
        let span = TextSpan(start: text.tokens[phrase.lowerBound].start, end: text.tokens[phrase.upperBound - 1].end)
        quote.speakerSpan = span
        quote.speaker = text.document[span]
        let anchor = min(offset, span.start)
        // A mention inside the phrase: the last person, else the last entity ("a press release from the Foreign Office").
        // A place or nationality that only modifies the head ("the senior US diplomat") is not the speaker.
        var best: (entity: Entity, mention: TextSpan)?
        for candidate in mentions.touching(span) {
            let entity = entities[candidate.entity], mention = candidate.span
            if (entity.type == .place || entity.type == .norp) && mention.end < span.end { continue }
            // Persons: the first ("Michael Lamberty, a spokesman for Prof Reddy's lab"); others: the last.
            if best == nil || (entity.type == .person && best!.entity.type != .person)
                || (entity.type == best!.entity.type && entity.type != .person && mention.start > best!.mention.start)
                || (entity.type == .person && best!.entity.type == .person && mention.start < best!.mention.start) {
                best = (entity, mention)
            }
        }
        if let best { return assign(best.entity, &quote) }
        let head = words[phrase.upperBound - 1]
        if QuoteFinder.personPronouns.contains(head) || phrase.count == 1 && QuoteFinder.personPronouns.contains(words[phrase.lowerBound]) {
            if let person = subjectPerson(before: anchor, notIn: quoted) ?? nearestPerson(before: anchor, notNamedIn: quoted) { assign(person, &quote) }
            return
        }
        if head == "it" {
            // "It said": an organisation (a company, a jury, a report's author), not a person.
            if let org = nearest(before: anchor, types: [.org]) ?? nearest(before: anchor, types: [.person, .norp]) { assign(org, &quote) }
            return
        }
        if QuoteFinder.groupPronouns.contains(head) {
            if let group = nearest(before: anchor, types: [.org, .person, .norp]) { assign(group, &quote) }
            return
        }
        // An acronym of an organisation's name as the phrase's head: "the FO" for the Foreign Office (but not
        // the modifier in "the senior US diplomat").
        for k in phrase where k == phrase.upperBound - 1 && text.tokens[k].kind == .word && text.tokens[k].end - text.tokens[k].start >= 2 {
            let token = text.document.text(text.tokens[k].start, text.tokens[k].end)
            if token.unicodeScalars.allSatisfy({ Tokenizer.isUpper($0) }),
               let org = organisationByInitials[token] {
                return assign(entities[org], &quote)
            }
        }
        if QuoteFinder.spokesmen.contains(head) {
            // "A spokesman said" with no name: the words are the organisation's (the schema's speaker is an
            // entity; an unnamed spokesman is none).
            if let org = nearest(before: anchor, types: [.org]) { assign(org, &quote) }
        } else if QuoteFinder.personRoles.contains(head) || head.hasSuffix("-year-old") {
            if let person = subjectPerson(before: anchor, notIn: quoted) ?? nearestPerson(before: anchor, notNamedIn: quoted) { assign(person, &quote) }
        } else if QuoteFinder.organisationHeads.contains(head) {
            if let org = nearest(before: anchor, types: [.org]) { assign(org, &quote) }
        }
    }

    func assign(_ entity: Entity, _ quote: inout Quote) {
        quote.speakerId = entity.id
        quote.speaker = entity.name
    }

    /// The entity of the given types mentioned last before `offset`.
    func nearest(before offset: Int, types: Set<Entity.Kind>) -> Entity? {
        mentions.lastEnding(atOrBefore: offset, types: types).map { entities[$0] }
    }

    static func initials(of name: String) -> String {
        var result = ""
        var atStart = true
        for c in name.unicodeScalars {
            if Tokenizer.isLetter(c) {
                if atStart && Tokenizer.isUpper(c) { result.unicodeScalars.append(c) }
                atStart = false
            } else {
                atStart = c == " " || c == "-"
            }
        }
        return result
    }

    static let personPronouns: Set<String> = ["he", "she", "i", "him", "her"]
    static let groupPronouns: Set<String> = ["they", "we", "it"]
    static let personRoles: Set<String> = [
        "diplomat", "official", "officials", "minister", "spokesman", "spokeswoman", "spokesperson", "president",
        "counsellor", "counselor", "envoy", "secretary", "ambassador", "leader", "chief", "general", "commander",
        "director", "adviser", "advisor", "aide", "senator", "governor", "premier", "chairman", "chairwoman",
        "executive", "analyst", "expert", "lawyer", "prosecutor", "judge", "mayor", "source", "sources", "man",
        "woman", "negotiator", "representative", "head", "officer", "author", "economist", "researcher",
        "comedian", "actor", "actress", "singer", "star", "player", "coach", "manager", "boss", "striker", "captain",
        "skipper", "founder", "editor", "correspondent", "professor", "scientist", "campaigner", "businessman",
        "businesswoman", "chancellor", "mp", "veteran", "winner", "presenter", "producer", "designer", "musician",
    ]
    static let spokesmen: Set<String> = ["spokesman", "spokeswoman", "spokesperson", "spokesmen", "spokeswomen", "spokespeople"]
    static let organisationHeads: Set<String> = [
        "institute", "report", "study", "survey", "club", "union", "association", "federation", "foundation", "trust",
        "charity", "jury", "panel", "regulator", "watchdog", "authority", "authorities", "organisers", "organizers",
        "ministry", "office", "department", "government", "company", "firm", "police", "army", "agency",
        "statement", "release", "court", "bank", "council", "committee", "party", "commission", "board",
        "administration", "embassy", "military", "group", "organisation", "organization", "fo",
    ]

    /// Whether `offset` lies inside quotation marks.
    func isQuoted(_ offset: Int) -> Bool {
        var lo = 0, hi = marked.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if marked[mid].open < offset { lo = mid + 1 } else { hi = mid }
        }
        // Spans do not nest: only the last one opening before `offset` can hold it.
        return lo > 0 && marked[lo - 1].close > offset
    }

    /// The person a pronoun before `offset` most likely refers to: the subject of the nearest sentence that
    /// names a person outside quotation marks: the first person of the clause ("and", "but", ";" start one)
    /// that holds its cue verb when it has one ("..., and Sculthorpe said he would ..." -> Sculthorpe; "Mr
    /// Hague, who had published the biography of William Pitt, also said" -> Hague), else its first person.
    /// Sentences wholly in quotation marks are passed over (up to sixteen sentences in all); up to five others
    /// are read. A person whose name is a word of the quote is not its speaker (“I think Sean's situation ...”
    /// is not Sean Long's).
    func subjectPerson(before offset: Int, notIn quote: QuoteMarks.Span?) -> Entity? {
        let t = tokenIndex(before: offset)
        guard t >= 0 else { return nil }
        var sentence = sentenceIndex(ofToken: t)
        var limit = offset
        var read = 0, visited = 0
        let quotedWords = capitalisedWords(in: quote)
        func namedInQuote(_ entity: Int) -> Bool { isNamed(entities[entity], in: quotedWords) }
        // Bounded: a run of quoted sentences must not make each pronoun cost a walk to the article's start.
        while sentence >= 0 && read < 5 && visited < 16 {
            visited += 1
            let range = text.sentences[sentence].tokens
            let span = TextSpan(start: text.sentences[sentence].span.start, end: min(limit, text.sentences[sentence].span.end))
            limit = text.sentences[sentence].span.start
            sentence -= 1
            guard span.start < span.end, !range.isEmpty else { continue }
            if range.allSatisfy({ isQuoted(text.tokens[$0].start) || text.tokens[$0].kind == .quote || text.tokens[$0].kind == .punctuation }) { continue }
            read += 1
            // The clause of the first cue verb: from the last "and", "but" or ";" before it.
            var clause = span.start, clauseEnd = span.end
            for j in range where text.tokens[j].end <= span.end && !isQuoted(text.tokens[j].start) {
                if words[j] == "and" || words[j] == "but" || words[j] == ";" { clause = text.tokens[j].end }
                if cueVerb(at: j) != nil { clauseEnd = text.tokens[j].start; break }
            }
            if clauseEnd == span.end { clause = span.start }
            var best: (start: Int, entity: Int)?
            for entry in mentions.touching(span) where entities[entry.entity].type == .person
                && entry.span.start >= clause && entry.span.end <= clauseEnd && !isQuoted(entry.span.start) && !namedInQuote(entry.entity) {
                if best == nil || entry.span.start < best!.start { best = (entry.span.start, entry.entity) }
            }
            if let best { return entities[best.entity] }
        }
        return nil
    }

    /// The nearest person before `offset`, unless a word of the quote names them.
    func nearestPerson(before offset: Int, notNamedIn quote: QuoteMarks.Span?) -> Entity? {
        guard let person = nearest(before: offset, types: [.person]) else { return nil }
        return isNamed(person, in: capitalisedWords(in: quote)) ? nil : person
    }

    /// The lower-cased capitalised words inside a quote.
    func capitalisedWords(in quote: QuoteMarks.Span?) -> Set<String> {
        guard let quote else { return [] }
        var result = Set<String>()
        let first = tokenIndex(atOrAfter: quote.open)
        for k in first..<max(first, min(words.count, tokenIndex(before: quote.close) + 1))
        where text.tokens[k].kind == .word && Tokenizer.isUpper(s[text.tokens[k].start]) {
            result.insert(words[k])
        }
        return result
    }

    /// Whether a word of the entity's name (three letters or more) is one of `words`.
    func isNamed(_ entity: Entity, in words: Set<String>) -> Bool {
        !words.isEmpty && entity.name.split(separator: " ").contains { $0.count > 2 && words.contains($0.lowercased()) }
    }

    // MARK: - Token and sentence lookup

    func tokenIndex(atOrAfter offset: Int) -> Int {
        var lo = 0, hi = text.tokens.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if text.tokens[mid].start < offset { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// The last token that ends at or before `offset` (-1 if none).
    func tokenIndex(before offset: Int) -> Int {
        var lo = 0, hi = text.tokens.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if text.tokens[mid].end <= offset { lo = mid + 1 } else { hi = mid }
        }
        return lo - 1
    }

    func sentenceIndex(ofToken t: Int) -> Int {
        var lo = 0, hi = text.sentences.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if text.sentences[mid].tokens.upperBound <= t { lo = mid + 1 } else { hi = mid }
        }
        return min(lo, max(text.sentences.count - 1, 0))
    }

    func sentenceRange(_ open: Int, _ close: Int) -> ClosedRange<Int> {
        let a = sentenceIndex(ofToken: tokenIndex(atOrAfter: open))
        let b = sentenceIndex(ofToken: max(0, tokenIndex(before: close + 1)))
        return min(a, b)...max(a, b)
    }
}
