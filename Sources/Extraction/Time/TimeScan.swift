import NewsCore

/// Pattern matching over the pieces of one sentence.
struct TimeScan {
    typealias Unit = TimeLexicon.Unit
    let p: [TimePiece]
    let dct: CalendarDay?
    let quarterContext: Bool
    /// The sentence speaks of the future ("will meet on Friday"): bare months resolve forwards.
    let future: Bool
    /// The last day named before this point (in this sentence or the two before); clock times attach to it.
    var anchor: CalendarDay?
    /// The last calendar value named (a year, a month, a day: 1988, 1998-06, 1999-10-23) in this sentence or
    /// the two before; "that year", "that day" refer back to it.
    var reference: String?

    init(pieces: [TimePiece], dct: CalendarDay?, quarterContext: Bool) {
        self.p = pieces
        self.dct = dct
        self.quarterContext = quarterContext
        self.future = pieces.contains { TimeScan.futureCues.contains($0.word) }
    }

    static let futureCues: Set<String> = ["will", "'ll", "shall", "scheduled", "due", "upcoming", "plans", "planned", "expected", "tomorrow", "next"]
    static let nearFutureCues: Set<String> = ["will", "payable", "effective", "expire", "expires", "'ll", "shall", "scheduled", "due", "planned", "until", "till", "expected", "next", "starting", "wo"]

    /// A past-tense cue shortly before piece `i` ("was killed on Tuesday").
    func pastNear(_ i: Int) -> Bool {
        var k = i - 1
        while k >= 0 && k >= i - 8 {
            let word = p[k].word
            if TimeScan.pastCues.contains(word) { return true }
            if word == ";" || word == "." { return false }
            k -= 1
        }
        return false
    }

    static let pastCues: Set<String> = ["was", "were", "had", "did", "ago", "last", "earlier", "killed", "died", "arrested", "ended"]

    /// Months ahead of the article with "would" before them are ahead ("would be paid ... Dec. 21"); a weekday
    /// with "would" is as often reported speech about the past.
    static let yearAheadCues = nearFutureCues.union(["would"])

    /// A future cue shortly before piece `i` in the same clause ("will meet on Friday").
    func futureNear(_ i: Int, cues: Set<String> = TimeScan.nearFutureCues, within: Int = 8) -> Bool {
        var k = i - 1
        while k >= 0 && k >= i - within {
            let word = p[k].word
            if cues.contains(word) { return true }
            if word == "said" || word == "says" || word == ";" || word == "." { return false }
            k -= 1
        }
        return false
    }

    @inline(__always) func w(_ i: Int) -> String { i >= 0 && i < p.count ? p[i].word : "" }
    @inline(__always) func num(_ i: Int) -> Int? { i >= 0 && i < p.count ? p[i].number : nil }

    mutating func run() -> [TimeMatch] {
        var found: [TimeMatch] = []
        var i = 0
        while i < p.count {
            guard isPossibleStart(i), var m = match(at: i), m.end > i else {
                i += 1
                continue
            }
            m.end = absorbWeekdayInBrackets(after: m)
            if m.isDay, let day = TimeScan.day(m.value) { anchor = day }
            if TimeScan.isCalendarValue(m.value) { reference = m.value }
            found.append(m)
            i = m.end
            // "from February 13 (Monday) to 16 (Thursday)": the second end takes the first's month.
            if m.isDay, let second = rangeEnd(after: m) {
                found.append(second)
                i = second.end
            }
        }
        return found
    }

    /// A cheap filter before the patterns run: a trigger word or a number, and for common function words
    /// ("the", "a", "at") a trigger or number within the next two pieces.
    func isPossibleStart(_ i: Int) -> Bool {
        let piece = p[i]
        if piece.digits > 0 || piece.word.unicodeScalars.first.map(Tokenizer.isDigit) == true { return true }
        guard TimeScan.triggers.contains(piece.word) else { return false }
        guard TimeScan.weakTriggers.contains(piece.word) else { return true }
        for k in (i + 1)..<min(i + 5, p.count) {
            if p[k].word.unicodeScalars.first.map(Tokenizer.isDigit) == true { return true }
            if TimeScan.triggers.contains(p[k].word) && !TimeScan.weakTriggers.contains(p[k].word) { return true }
        }
        return false
    }

    static let weakTriggers: Set<String> = [
        "the", "a", "an", "that", "this", "at", "up", "no", "more", "less", "fewer", "new", "some", "within",
        "since", "nearly", "almost", "each", "every", "few", "many", "several", "early", "late", "mid", "same",
        "earlier", "later", "end", "beginning", "middle", "start", "half", "couple", "right", "these", "around",
    ]

    /// 1988, 1998-06, 1999-10-23, 1989-Q3: a value on the calendar, not a reference word or a duration.
    static func isCalendarValue(_ value: String) -> Bool {
        let u = value.utf8
        return u.count >= 4 && u.prefix(4).allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }

    /// The start of `value` when it has `shape` ("d" a digit, else that character): 1998-06 of 1998-06-12.
    static func prefix(_ value: String, shaped shape: String) -> String? {
        var v = value.utf8.makeIterator()
        for c in shape.utf8 {
            guard let x = v.next() else { return nil }
            if c == UInt8(ascii: "d") ? !(x >= UInt8(ascii: "0") && x <= UInt8(ascii: "9")) : x != c { return nil }
        }
        return String(value.prefix(shape.utf8.count))
    }

    static func day(_ value: String) -> CalendarDay? {
        let parts = value.split(separator: "-")
        guard parts.count == 3, let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]) else { return nil }
        return CalendarDay(year: y, month: m, day: d)
    }

    static let triggers: Set<String> = {
        var set: Set<String> = [
            "the", "this", "that", "last", "next", "past", "coming", "previous", "following", "current", "latest",
            "recent", "early", "late", "mid", "earlier", "later", "every", "each", "a", "an", "fiscal", "today",
            "yesterday", "tomorrow", "tonight", "right", "these", "noon", "midnight", "midday", "year", "end",
            "beginning", "middle", "start", "future", "half", "several", "few", "many", "some", "couple",
            "within", "since", "overnight", "christmas", "thanksgiving", "easter", "halloween", "new", "nearly",
            "almost", "more", "less", "fewer", "up", "no", "at", "current", "future", "recent",
            "near", "short", "distant", "foreseeable", "time", "nineties", "eighties", "seventies", "sixties", "same",
            "around",
        ]
        set.formUnion(TimeLexicon.months.keys)
        set.formUnion(TimeLexicon.weekdays.keys)
        set.formUnion(TimeLexicon.pluralWeekdays.keys)
        set.formUnion(TimeLexicon.cardinals.keys)
        set.formUnion(TimeLexicon.ordinals.keys)
        set.formUnion(TimeLexicon.units.keys)
        set.formUnion(TimeLexicon.seasons.keys)
        set.formUnion(TimeLexicon.partsOfDay.keys)
        set.formUnion(TimeLexicon.references.keys)
        set.formUnion(TimeLexicon.frequencies.keys)
        return set
    }()

    // MARK: - Wrappers: "the", "early", "the end of", "earlier this"

    func match(at i: Int) -> TimeMatch? {
        let word = w(i)
        if word == "the" {
            if let edge = TimeScan.edges[w(i + 1)], w(i + 2) == "of", var m = match(at: i + 3), m.type == .date {
                m.first = i
                m.mod = edge
                return m
            }
            if TimeScan.edgeAdjectives[w(i + 1)] != nil, var m = match(at: i + 1) {
                m.first = i
                return m
            }
            guard TimeLexicon.months[w(i + 1)] == nil && TimeLexicon.weekdays[w(i + 1)] == nil,
                  var m = core(at: i + 1, the: true) else { return nil }
            // "the third-quarter results", "the two-week talks", "the 1996 Olympic bombing": adjectives leave
            // the article out.
            if m.end - 1 > i + 1 && p[m.end - 1].joined && m.type != .time { return TimeMatch(first: i + 1, end: m.end, type: m.type, value: m.value, mod: m.mod) }
            if m.end == i + 2 && yearNumber(at: i + 1) != nil { return m }
            m.first = i
            return m
        }
        if let edge = TimeScan.edgeAdjectives[word], i + 1 < p.count {
            let next = w(i + 1) == "the" ? i + 2 : i + 1
            if var m = core(at: next, the: next == i + 2), m.type == .date || m.type == .time {
                m.first = i
                m.mod = m.mod ?? edge
                return m
            }
        }
        // "earlier this month", "later that year", "later this afternoon": the adverb belongs to the period.
        if (word == "earlier" || word == "later") && (w(i + 1) == "this" || w(i + 1) == "that"),
           var m = core(at: i + 1, the: false), m.type == .date || m.type == .time {
            m.first = i
            return m
        }
        // "nearly two years", "more than four hours", "up to 180 days": the qualifier is part of a duration;
        // "nearly four years ago", "around 7:15 p.m.", "around Nov. 1": of a date or time as well.
        if let (mod, length) = approximator(at: i), var m = core(at: i + length, the: false) {
            let ago = m.type == .date && ["ago", "earlier"].contains(w(m.end - 1))
            if m.type == .duration && word != "around" {
                m.first = i
                m.mod = mod
                return m
            }
            if ago || (word == "around" && (m.type == .time || m.isDay)) {
                m.first = i
                m.mod = "APPROX"
                return m
            }
        }
        return core(at: i, the: false)
    }

    func approximator(at i: Int) -> (String, Int)? {
        switch w(i) {
        case "nearly", "almost": return ("LESS_THAN", 1)
        case "around": return ("APPROX", 1)
        case "more", "less", "fewer":
            guard w(i + 1) == "than" else { return nil }
            return (w(i) == "more" ? "MORE_THAN" : "LESS_THAN", 2)
        case "at":
            guard w(i + 1) == "least" else { return nil }
            return ("EQUAL_OR_MORE", 2)
        case "up":
            guard w(i + 1) == "to" else { return nil }
            return ("EQUAL_OR_LESS", 2)
        case "no":
            guard w(i + 1) == "more", w(i + 2) == "than" else { return nil }
            return ("EQUAL_OR_LESS", 3)
        default: return nil
        }
    }

    static let edges: [String: String] = ["end": "END", "beginning": "START", "start": "START", "middle": "MID", "close": "END"]
    static let edgeAdjectives: [String: String] = ["early": "START", "late": "END", "mid": "MID"]

    // MARK: - Core patterns

    func core(at i: Int, the: Bool) -> TimeMatch? {
        guard i < p.count else { return nil }
        var best: TimeMatch?
        func consider(_ m: TimeMatch?) {
            if let m, m.end > (best?.end ?? i) { best = m }
        }
        let word = w(i)
        if let ref = reference(at: i, the: the) { consider(ref) }
        consider(relativeDay(at: i))
        consider(deictic(at: i, the: the))
        consider(counted(at: i, the: the))
        if TimeLexicon.months[word] != nil || TimeLexicon.weekdays[word] != nil { consider(monthDate(at: i)) }
        if p[i].number != nil { consider(dayMonth(at: i)) }
        if TimeLexicon.weekdays[word] != nil || TimeLexicon.pluralWeekdays[word] != nil { consider(weekday(at: i)) }
        consider(year(at: i))
        if let h = holiday(at: i, direction: 0) { consider(TimeMatch(first: i, end: h.end, type: .date, value: h.value)) }
        if let y = spelledYear(at: i), y.value >= 1800 || the || ["in", "of", "since", "until", "by", "from"].contains(w(i - 1)) {
            consider(TimeMatch(first: i, end: y.end, type: .date, value: zeroPadded(y.value, 4)))
        }
        consider(quarter(at: i, the: the))
        consider(season(at: i, the: the))
        consider(frequency(at: i))
        consider(clock(at: i))
        return best
    }

    /// now, recently, the future, the near term, these days, right now.
    func reference(at i: Int, the: Bool) -> TimeMatch? {
        let word = w(i)
        if let value = TimeLexicon.references[word], !the {
            // "soon after the withdrawal" relates two events, not the article's time.
            if word == "soon" && (w(i + 1) == "after" || w(i + 1) == "before") { return nil }
            if word == "now" && (w(i + 1) == "that" && w(i - 1) == "") { return nil }
            return TimeMatch(first: i, end: i + 1, type: .date, value: value)
        }
        // "current" and "recent" before a noun are usually annotated (PRESENT_REF, PAST_REF: "a recent SEC
        // filing", 3 of 4 in dev); "future" mostly is not.
        if (word == "current" || word == "recent") && !the && !isUnitLike(i + 1) && !["fiscal", "full", "calendar", "account", "accounts"].contains(w(i + 1)) && p.indices.contains(i + 1) && Tokenizer.isLetter(p[i + 1].word.unicodeScalars.first!) {
            return TimeMatch(first: i, end: i + 1, type: .date, value: word == "current" ? "PRESENT_REF" : "PAST_REF")
        }
        // year-end, year end, year's end: the end of the article's year.
        if word == "year" && !the, w(i + 1) == "end" || (w(i + 1) == "'s" && w(i + 2) == "end") {
            let end = w(i + 1) == "'s" ? i + 3 : i + 2
            return TimeMatch(first: i, end: end, type: .date, value: yearValue(offset: w(i - 1) == "since" ? -1 : 0), mod: "END")
        }
        if word == "right" && w(i + 1) == "now" { return TimeMatch(first: i, end: i + 2, type: .date, value: "PRESENT_REF") }
        if word == "these" && w(i + 1) == "days" { return TimeMatch(first: i, end: i + 2, type: .date, value: "PRESENT_REF") }
        if the {
            if word == "future" { return TimeMatch(first: i, end: i + 1, type: .date, value: "FUTURE_REF") }
            if word == "past" && !isUnitLike(i + 1) && num(i + 1) == nil && TimeLexicon.cardinals[w(i + 1)] == nil {
                return TimeMatch(first: i, end: i + 1, type: .date, value: "PAST_REF")
            }
            if ["near", "short", "long", "distant", "foreseeable"].contains(word), w(i + 1) == "future" || w(i + 1) == "term", !p[i + 1].joined {
                return TimeMatch(first: i, end: i + 2, type: .date, value: "FUTURE_REF")
            }
        }
        return nil
    }

    func isUnitLike(_ i: Int) -> Bool {
        TimeLexicon.units[w(i)] != nil || TimeLexicon.months[w(i)] != nil || TimeLexicon.weekdays[w(i)] != nil
            || TimeLexicon.seasons[w(i)] != nil
    }

    /// today, yesterday, tomorrow, tonight; with a part of the day ("yesterday morning").
    func relativeDay(at i: Int) -> TimeMatch? {
        let shift: Int
        switch w(i) {
        case "today": shift = 0
        case "yesterday": shift = -1
        case "tomorrow": shift = 1
        case "tonight":
            return TimeMatch(first: i, end: i + 1, type: .time, value: dayValue(dct) + "TNI")
        default: return nil
        }
        let day = dct?.adding(days: shift)
        if let part = TimeLexicon.partsOfDay[w(i + 1)], w(i + 1) != "overnight" {
            return TimeMatch(first: i, end: i + 2, type: .time, value: dayValue(day) + "T" + part)
        }
        return TimeMatch(first: i, end: i + 1, type: .date, value: dayValue(day))
    }

    /// this/last/next/coming/past/previous/current + year, month, week, weekend, month name, weekday, season,
    /// part of the day; and the past/next N units (a duration).
    func deictic(at i: Int, the: Bool) -> TimeMatch? {
        var j = i
        var direction: Int
        switch w(j) {
        case "this":
            direction = 0
            if w(j + 1) == "past" { direction = -1; j += 1 } else if w(j + 1) == "coming" { direction = 1; j += 1 }
        case "last", "previous", "past": direction = -1
        case "next", "coming", "following", "upcoming": direction = 1
        case "current", "present", "same": direction = 0
        case "latest", "recent": direction = -1
        case "that": direction = 0
        default:
            // "the year", "the week", "the weekend", "the summer": the article's own period.
            guard the else { return nil }
            return unitPeriod(at: i, first: i, direction: 0, bare: true)
        }
        j += 1
        // The past two months, the next few days, recent years: durations.
        if direction != 0 || w(i) == "current", w(i) != "that" {
            if let count = count(at: j), let (unit, _) = unitAt(count.end), !(w(i) == "latest" && unit == .quarter) {
                var end = count.end + 1
                if w(end) == "or" && w(end + 1) == "so" { end += 2 }
                return TimeMatch(first: i, end: end, type: .duration, value: duration(count.value, unit))
            }
            if let (unit, plural) = unitAt(j), plural, w(i) != "that" {
                if w(i) == "latest" || w(i) == "current" { return nil }
                return TimeMatch(first: i, end: j + 1, type: .duration, value: duration(nil, unit))
            }
        }
        if w(i) == "recent" || (w(i) == "past" && !the) { return nil }
        if w(i) == "that" {
            // "$37.3 million in 1988, ... imports that year": the period of the last calendar value named.
            if let shape = ["year": "dddd", "month": "dddd-dd", "day": "dddd-dd-dd"][w(j)], let r = reference,
               let value = TimeScan.prefix(r, shaped: shape) {
                return TimeMatch(first: i, end: j + 1, type: .date, value: value)
            }
            if w(j) == "year" || w(j) == "day" || w(j) == "month" || w(j) == "time" || w(j) == "week" {
                return TimeMatch(first: i, end: j + 1, type: .date, value: "PAST_REF")
            }
            return nil
        }
        if w(i) == "latest" {
            if w(j) == "quarter" || w(j) == "period" {
                return TimeMatch(first: i, end: j + 1, type: .date, value: quarterValue(offset: -1))
            }
            return nil
        }
        return unitPeriod(at: j, first: i, direction: direction, bare: false)
    }

    /// The period named at `j`, shifted by `direction` from the article date.
    func unitPeriod(at start: Int, first: Int, direction: Int, bare: Bool) -> TimeMatch? {
        var j = start
        if (w(j) == "fiscal" || w(j) == "full" || w(j) == "calendar") && w(j + 1) == "year" { j += 1 }
        let word = w(j)
        if let (unit, plural) = TimeLexicon.units[word], !plural {
            let value: String
            switch unit {
            case .year:
                if bare && (w(j + 1) == "earlier" || w(j + 1) == "ago") { return nil }
                if bare && w(first - 2) != "of" && w(j - 1) != "full" && w(j + 1) != "'s" && spelledYear(at: j + 1) == nil && yearNumber(at: j + 1) == nil {
                    // "the year" in business copy is the year-long period.
                    return TimeMatch(first: first, end: j + 1, type: .duration, value: "P1Y")
                }
                if bare, let y = spelledYear(at: j + 1) { return TimeMatch(first: first, end: y.end, type: .date, value: zeroPadded(y.value, 4)) }
                // "this year's third quarter", "next year's first half".
                if w(j + 1) == "'s", let q = quarterOrdinal(at: j + 2) {
                    return TimeMatch(first: first, end: q.end, type: .date, value: yearValue(offset: direction) + q.suffix)
                }
                value = yearValue(offset: direction)
            case .month: value = monthValue(offset: direction)
            case .week:
                // "the last week of February": the week holding the month's last day.
                if w(j + 1) == "of", let month = TimeLexicon.months[w(j + 2)], dct != nil {
                    let y = nearestYear(month: month)
                    if let (dayOfMonth, end) = dayOfMonth(at: j + 3) {
                        return TimeMatch(first: first, end: end, type: .date, value: weekValue(CalendarDay(year: y, month: month, day: dayOfMonth)))
                    }
                    let day = w(first) == "last" || w(first + 1) == "last"
                        ? CalendarDay(year: y, month: month, day: ArticleDate.daysIn(month: month, year: y))
                        : CalendarDay(year: y, month: month, day: 1)
                    return TimeMatch(first: first, end: j + 3, type: .date, value: weekValue(day))
                }
                // "the week after I'm back": anchored on an event, not on the article.
                if bare && (w(j + 1) == "after" || w(j + 1) == "before") { return nil }
                value = weekValue(dct?.adding(days: 7 * direction))
            case .weekend: value = weekendValue(direction: direction)
            case .quarter: value = quarterValue(offset: bare ? -1 : direction)
            case .day:
                if bare { return nil }
                value = dayValue(dct?.adding(days: direction))
            case .decade, .century:
                guard let d = dct else { return TimeMatch(first: first, end: j + 1, type: .date, value: "XXX") }
                let size = unit == .decade ? 10 : 100
                let start = (d.year / size + direction) * size
                value = String(start / (size == 10 ? 10 : 100))
            default: return nil
            }
            return TimeMatch(first: first, end: j + 1, type: .date, value: value)
        }
        if bare { 
            if word == "period" && quarterContext { return TimeMatch(first: first, end: j + 1, type: .date, value: quarterValue(offset: -1)) }
            return nil
        }
        if let month = TimeLexicon.months[word], p[j].capitalised {
            guard let d = dct else { return TimeMatch(first: first, end: j + 1, type: .date, value: "XXXX-" + zeroPadded(month, 2)) }
            var y = d.year
            if direction < 0 && month >= d.month { y -= 1 }
            if direction > 0 && month <= d.month { y += 1 }
            return TimeMatch(first: first, end: j + 1, type: .date, value: zeroPadded(y, 4) + "-" + zeroPadded(month, 2))
        }
        if let weekday = TimeLexicon.weekdays[word] {
            let day = dct.map { weekdayDate($0, weekday, direction: direction == 0 ? 1 : direction, strict: direction != 0) }
            return withPartOfDay(TimeMatch(first: first, end: j + 1, type: .date, value: dayValue(day)), day: day)
        }
        if let code = TimeLexicon.seasons[word] {
            return TimeMatch(first: first, end: j + 1, type: .date, value: seasonValue(code, direction: direction))
        }
        if let part = TimeLexicon.partsOfDay[word], direction == 0, w(first) == "this" {
            return TimeMatch(first: first, end: j + 1, type: .time, value: dayValue(dct) + "T" + part)
        }
        if (word == "night" || word == "evening") && w(first) == "last" {
            return TimeMatch(first: first, end: j + 1, type: .time, value: dayValue(dct?.adding(days: -1)) + "T" + TimeLexicon.partsOfDay[word]!)
        }
        if let holiday = holiday(at: j, direction: direction) { return TimeMatch(first: first, end: holiday.end, type: .date, value: holiday.value) }
        return nil
    }

    /// two years, a week, several months, 30-year; "two years ago" and "a year earlier" are dates.
    func counted(at i: Int, the: Bool) -> TimeMatch? {
        var start = i
        if w(i) == "first" || w(i) == "last" || w(i) == "final", the { start = i + 1 }
        guard let c0 = count(at: start) else { return bareUnits(at: i, the: the) }
        var c = c0
        if ["more", "additional", "further", "extra", "straight", "consecutive", "full", "trading", "business", "working"].contains(w(c.end)) { c.end += 1 }
        if w(c.end) == "1/2" || w(c.end) == "\u{BD}" { c.half = true; c.end += 1 }
        guard let (unit, _) = unitAt(c.end) else {
            return nil
        }
        // Ages are not times: "a 6-year-old boy", "52 years old".
        if w(c.end + 1) == "old" || (p.indices.contains(c.end + 1) && p[c.end + 1].joined && w(c.end + 1) == "old") { return nil }
        // "up from $2.34 billion a year ago" is a date after an amount, not a rate.
        let anchored = ["ago", "earlier", "later"].contains(w(c.end + 1))
        if c.isArticle && !anchored && isRate(before: i) { return nil }
        // "a second betrayal", "three-quarters of its food": ordinals and fractions, not times.
        if c.isArticle && unit == .second && !p[c.end].word.hasSuffix("s") { return nil }
        if unit == .quarter && w(c.end + 1) == "of" && (c.isArticle || p[c.end].joined) { return nil }
        return countedTail(i: i, c: c, unit: unit, the: the)
    }

    /// "24 hours a day", "$500 million a year", "four flights a week": a rate, not a time.
    func isRate(before i: Int) -> Bool {
        func numeric(_ k: Int) -> Bool {
            guard k >= 0 && k < p.count else { return false }
            return p[k].word.unicodeScalars.first.map(Tokenizer.isDigit) == true || TimeLexicon.cardinals[p[k].word] != nil
                || ["million", "billion", "thousand", "cents", "percent", "%", "times", "once", "twice", "$"].contains(p[k].word)
        }
        return numeric(i - 1) || (w(i - 1).hasSuffix("s") && numeric(i - 2))
    }

    func bareUnits(at i: Int, the: Bool) -> TimeMatch? {
        // "a day-long meeting", "the decades-long battle": the unit and "long" name a duration.
        if let (unit, plural) = unitAt(i), unit != .weekend, i + 1 < p.count, p[i + 1].joined, w(i + 1) == "long" {
            return TimeMatch(first: i, end: i + 2, type: .duration, value: duration(plural ? nil : 1, unit))
        }
        // Bare plural unit after a durative preposition: "for years", "in recent weeks".
        guard let (unit, plural) = unitAt(i), plural, unit != .weekend, !the,
              ["for", "over", "within", "in", "recent", "past", "coming", "of"].contains(w(i - 1)) else { return nil }
        if w(i + 1) == "ago" { return TimeMatch(first: i, end: i + 2, type: .date, value: "PAST_REF") }
        return TimeMatch(first: i, end: i + 1, type: .duration, value: duration(nil, unit))
    }

    func countedTail(i: Int, c: Count, unit: Unit, the: Bool) -> TimeMatch? {
        if c.isArticle && the { return nil }
        var end = c.end + 1
        let after = w(end)
        if after == "ago" || after == "earlier" || after == "later" || after == "before" || after == "after"
            || (after == "from" && w(end + 1) == "now") {
            let sign = (after == "ago" || after == "earlier" || after == "before") ? -1 : 1
            end += after == "from" ? 2 : 1
            if after == "before" || after == "after" {
                // "two days after the vote": anchored on an event, so only the duration is kept.
                return TimeMatch(first: i, end: c.end + 1, type: .duration, value: duration(c.value, unit))
            }
            guard let n = c.value else {
                return TimeMatch(first: i, end: end, type: .date, value: sign < 0 ? "PAST_REF" : "FUTURE_REF")
            }
            // "a year-earlier $4.5 million": the hyphenated adjective leaves the article out.
            let first = c.isArticle && p[c.end + 1].joined ? c.end : i
            return TimeMatch(first: first, end: end, type: .date, value: shifted(n * unit.multiplier * sign, unit))
        }
        var half = c.half
        if w(end) == "and" && w(end + 1) == "a" && w(end + 2) == "half" { half = true; end += 3 }
        if w(end) == "or" && w(end + 1) == "so" { end += 2 }
        if w(end) == "old" && p[c.end].joined { end += 1 }
        if w(end) == "long" && end < p.count && p[end].joined { end += 1 }
        return TimeMatch(first: i, end: end, type: .duration, value: half ? halfDuration(c.value, unit) : duration(c.value, unit))
    }

    /// N and a half units, in the next smaller unit where there is one: P2Y6M, PT1M30S, P1DT12H.
    func halfDuration(_ n: Int?, _ unit: Unit) -> String {
        guard let n else { return duration(nil, unit) }
        switch unit {
        case .year: return "P\(n)Y6M"
        case .day: return "P\(n)DT12H"
        case .hour: return "PT\(n)H30M"
        case .minute: return "PT\(n)M30S"
        case .decade, .century: return "P\(n * unit.multiplier + unit.multiplier / 2)Y"
        case .quarter: return "P\(n * 3 + 1).5M"
        default: return (unit.isTimeOfDay ? "PT" : "P") + "\(n).5" + unit.code
        }
    }

    struct Count {
        var value: Int?
        var end: Int
        var isArticle = false
        /// "2 1/2 years", "an hour and a half".
        var half = false
    }

    /// A count before a unit: 2, two, twenty-four, a, an, several, a few, a couple of.
    func count(at i: Int) -> Count? {
        let word = w(i)
        if let n = num(i), p[i].digits <= 3, n > 0 { return Count(value: n, end: i + 1) }
        if word == "a" || word == "an" || word == "one" {
            if w(i + 1) == "few" { return Count(value: nil, end: i + 2) }
            if w(i + 1) == "couple" && w(i + 2) == "of" { return Count(value: 2, end: i + 3) }
            if w(i + 1) == "half" && w(i + 2) == "dozen" { return Count(value: 6, end: i + 3) }
            return Count(value: 1, end: i + 1, isArticle: word != "one")
        }
        if TimeLexicon.vagueCounts.contains(word) { return Count(value: nil, end: i + 1) }
        if var n = TimeLexicon.cardinals[word] {
            var end = i + 1
            if n >= 20 && n < 100, let units = TimeLexicon.cardinals[w(end)], units < 10 { n += units; end += 1 }
            if w(end) == "hundred" { n *= 100; end += 1 }
            // "two and a half weeks"
            if w(end) == "and" && w(end + 1) == "a" && w(end + 2) == "half" { return Count(value: n, end: end + 3, half: true) }
            return Count(value: n, end: end)
        }
        return nil
    }

    func unitAt(_ i: Int) -> (TimeLexicon.Unit, Bool)? {
        guard let u = TimeLexicon.units[w(i)] else { return nil }
        return (u.unit, u.plural)
    }

    /// February 13, Feb. 13, 2023, February 2023, February; "Thursday, April 6".
    func monthDate(at i: Int) -> TimeMatch? {
        var j = i
        var weekday: Int?
        if let wd = TimeLexicon.weekdays[w(j)] {
            weekday = wd
            j += w(j + 1) == "," ? 2 : 1
        }
        guard let month = TimeLexicon.months[w(j)] else { return nil }
        let isAmbiguous = TimeLexicon.ambiguousMonths.contains(w(j))
        if !p[j].capitalised && (isAmbiguous || p[j].word.count <= 4) { return nil }
        _ = weekday
        // Day of month: 13, 13th, thirteenth.
        if let (day, next) = dayOfMonth(at: j + 1) {
            var end = next
            var y: Int?
            if w(end) == "," , let yy = yearNumber(at: end + 1) { y = yy; end += 2 } else if let yy = yearNumber(at: end) { y = yy; end += 1 }
            else if let shift = relativeYear(at: end) { y = (dct?.year ?? 0) + shift; end += 2 }
            let year = y ?? likelyYear(month: month, day: day, at: i)
            return TimeMatch(first: i, end: end, type: .date, value: zeroPadded(year, 4) + "-" + zeroPadded(month, 2) + "-" + zeroPadded(day, 2))
        }
        guard weekday == nil else { return nil }
        if let y = yearNumber(at: j + 1) {
            return TimeMatch(first: i, end: j + 2, type: .date, value: zeroPadded(y, 4) + "-" + zeroPadded(month, 2))
        }
        if w(j + 1) == "of", let y = yearNumber(at: j + 2) {
            return TimeMatch(first: i, end: j + 3, type: .date, value: zeroPadded(y, 4) + "-" + zeroPadded(month, 2))
        }
        if isAmbiguous {
            let before = w(i - 1)
            guard ["in", "since", "until", "by", "of", "early", "late", "mid", "from", "through", "during", "last", "next", "this", "before", "after", "till"].contains(before) else { return nil }
        }
        if let shift = relativeYear(at: j + 1) {
            return TimeMatch(first: i, end: j + 3, type: .date, value: zeroPadded((dct?.year ?? 0) + shift, 4) + "-" + zeroPadded(month, 2))
        }
        // A bare month is the occurrence nearest the article date, unless that is ahead in a clause in the
        // past tense ("changed to a calendar year in December" in October) or behind in one that points forward.
        var year = nearestYear(month: month)
        if let d = dct {
            let ahead = year * 12 + month - (d.year * 12 + d.month)
            if ahead > 0 && pastNear(i) && !futureNear(i, cues: TimeScan.yearAheadCues, within: 12) { year -= 1 }
            else if ahead < 0 && futureNear(i, cues: TimeScan.yearAheadCues, within: 12) { year += 1 }
        }
        return TimeMatch(first: i, end: j + 1, type: .date, value: dct == nil ? "XXXX-" + zeroPadded(month, 2) : zeroPadded(year, 4) + "-" + zeroPadded(month, 2))
    }

    func dayOfMonth(at i: Int) -> (Int, Int)? {
        if let n = num(i), p[i].digits <= 2, (1...31).contains(n) {
            return (n, i + 1)
        }
        let word = w(i)
        if word.count >= 3, word.count <= 4, let suffixStart = word.firstIndex(where: { !$0.isNumber }),
           ["st", "nd", "rd", "th"].contains(String(word[suffixStart...])), let n = Int(word[..<suffixStart]), (1...31).contains(n) {
            return (n, i + 1)
        }
        if let n = TimeLexicon.ordinals[word], n > 0 {
            if n == 20, let units = TimeLexicon.ordinals[w(i + 1)], units > 0, units < 10, p[i + 1].joined { return (20 + units, i + 2) }
            return (n, i + 1)
        }
        return nil
    }

    /// 13 February 2023, 13th of February.
    func dayMonth(at i: Int) -> TimeMatch? {
        guard let (day, next) = dayOfMonth(at: i) else { return nil }
        var j = next
        if w(j) == "of" { j += 1 }
        guard let month = TimeLexicon.months[w(j)], p[j].capitalised else { return nil }
        var end = j + 1
        var year = nearestYear(month: month, day: day)
        if let y = yearNumber(at: end) { year = y; end += 1 } else if w(end) == ",", let y = yearNumber(at: end + 1) { year = y; end += 2 }
        return TimeMatch(first: i, end: end, type: .date, value: zeroPadded(year, 4) + "-" + zeroPadded(month, 2) + "-" + zeroPadded(day, 2))
    }

    /// A four-digit year in 1000...2099 at `i`.
    func yearNumber(at i: Int) -> Int? {
        guard let n = num(i), p[i].digits == 4, (1000...2099).contains(n) else { return nil }
        return n
    }

    /// Friday, Friday morning, Mondays (a set).
    func weekday(at i: Int) -> TimeMatch? {
        if let wd = TimeLexicon.pluralWeekdays[w(i)] {
            if let part = TimeLexicon.partsOfDay[w(i + 1)] {
                return TimeMatch(first: i, end: i + 2, type: .set, value: "XXXX-WXX-\(wd)T" + part)
            }
            return TimeMatch(first: i, end: i + 1, type: .set, value: "XXXX-WXX-\(wd)")
        }
        guard let wd = TimeLexicon.weekdays[w(i)] else { return nil }
        if w(i).count <= 4 && !w(i).hasSuffix("day") && (!p[i].capitalised || p[i].end - p[i].start == w(i).unicodeScalars.count) { return nil }
        if w(i + 1) == "nights" || w(i + 1) == "mornings" || w(i + 1) == "evenings" {
            let part = TimeLexicon.partsOfDay[String(w(i + 1).dropLast())]!
            return TimeMatch(first: i, end: i + 2, type: .set, value: "XXXX-WXX-\(wd)T" + part)
        }
        // Tomorrow's weekday in a news report is usually tomorrow ("talks open on Tuesday" in Monday's paper).
        let forward = futureNear(i) || dct.map { ($0.weekday % 7) + 1 == wd } == true && !pastNear(i)
        let day = dct.map { weekdayDate($0, wd, direction: forward ? 1 : -1, strict: false) }
        var m = TimeMatch(first: i, end: i + 1, type: .date, value: dayValue(day))
        // "Friday night": news annotation keeps the day as the value.
        if let _ = TimeLexicon.partsOfDay[w(i + 1)], w(i + 1) != "overnight" { m.end += 1 }
        return m
    }

    func withPartOfDay(_ m: TimeMatch, day: CalendarDay?) -> TimeMatch {
        guard let part = TimeLexicon.partsOfDay[w(m.end)], w(m.end) != "overnight" else { return m }
        return TimeMatch(first: m.first, end: m.end + 1, type: .time, value: dayValue(day) + "T" + part)
    }

    /// 1998, fiscal 1989, the 1990s, 1998-01-08, 12/02/2023.
    func year(at i: Int) -> TimeMatch? {
        var j = i
        let fiscal = w(i) == "fiscal"
        if fiscal { j += 1 }
        if let y = yearNumber(at: j) {
            // ISO date 1998-01-08 (split into pieces at the hyphens).
            if j + 2 < p.count, p[j + 1].joined, p[j + 2].joined, let m = num(j + 1), let d = num(j + 2),
               p[j + 1].digits == 2, p[j + 2].digits == 2, (1...12).contains(m), (1...31).contains(d) {
                return TimeMatch(first: i, end: j + 3, type: .date, value: zeroPadded(y, 4) + "-" + zeroPadded(m, 2) + "-" + zeroPadded(d, 2))
            }
            if j + 1 < p.count && p[j + 1].joined && p[j + 1].number != nil { return nil }  // 1998-2000 or a code
            let prev = w(i - 1)
            if prev == "$" || prev == "£" || prev == "€" || prev == "no" || prev == "#" { return nil }
            if j + 1 < p.count && (TimeLexicon.countNouns.contains(w(j + 1)) || w(j + 1) == "%") { return nil }
            if !fiscal && !(1900...2099).contains(y) && !["in", "since", "of", "from", "until", "by", "to", "and", "before", "after"].contains(prev) { return nil }
            // "the 1988 third quarter", "1990 first half".
            if let q = quarterOrdinal(at: j + 1) {
                return TimeMatch(first: i, end: q.end, type: .date, value: zeroPadded(y, 4) + q.suffix)
            }
            if (w(j + 1) == "period" && quarterContext) || w(j + 1) == "quarter" {
                return TimeMatch(first: i, end: j + 2, type: .date, value: zeroPadded(y, 4) + "-Q\(dct.map { $0.adding(months: -3).quarter } ?? 0)")
            }
            return TimeMatch(first: i, end: j + 1, type: .date, value: zeroPadded(y, 4))
        }
        let word = w(j)
        // The 20th century is 19 in TIMEX3 terms.
        if w(j + 1) == "century", word.count >= 3, word.hasSuffix("th") || word.hasSuffix("st") || word.hasSuffix("nd") || word.hasSuffix("rd"),
           let n = Int(word.dropLast(2)), (1...30).contains(n) {
            return TimeMatch(first: i, end: j + 2, type: .date, value: zeroPadded(n - 1, 2))
        }
        // Decades: 1990s, 90s.
        if word.hasSuffix("s"), word.count == 5 || word.count == 3, let n = Int(word.dropLast()), n % 10 == 0 {
            let decade = word.count == 5 ? n / 10 : 190 + n / 10
            return TimeMatch(first: i, end: j + 1, type: .date, value: String(decade))
        }
        let decadeWords = ["twenties": 2, "thirties": 3, "forties": 4, "fifties": 5, "sixties": 6, "seventies": 7, "eighties": 8, "nineties": 9]
        if let d = decadeWords[word], w(i - 1) == "the" || w(i - 1) == "mid" || w(i - 1) == "early" || w(i - 1) == "late" {
            return TimeMatch(first: i, end: j + 1, type: .date, value: "19\(d)")
        }
        // 12/02/2023 (US order) or 2/12.
        if word.contains("/") {
            let parts = word.split(separator: "/").compactMap { Int($0) }
            if parts.count == 3, (1...12).contains(parts[0]), (1...31).contains(parts[1]) {
                var y = parts[2]
                if y < 100 { y += y < 50 ? 2000 : 1900 }
                return TimeMatch(first: i, end: j + 1, type: .date, value: zeroPadded(y, 4) + "-" + zeroPadded(parts[0], 2) + "-" + zeroPadded(parts[1], 2))
            }
        }
        return nil
    }

    /// third quarter, fiscal first quarter, first half: a suffix like "-Q3".
    func quarterOrdinal(at i: Int) -> (suffix: String, end: Int)? {
        var j = i
        if w(j) == "fiscal" { j += 1 }
        guard let n = TimeLexicon.ordinals[w(j)] else { return nil }
        var k = j + 1
        if w(k) == "fiscal" { k += 1 }
        if w(k) == "quarter", (1...4).contains(n) { return ("-Q\(n)", k + 1) }
        if w(k) == "quarter", n == -1 { return ("-Q4", k + 1) }
        if w(k) == "half", (1...2).contains(n) { return ("-H\(n)", k + 1) }
        if w(k) == "half", n == -1 { return ("-H2", k + 1) }
        return nil
    }

    /// the third quarter, third-quarter, the first half of 1989, the year-earlier quarter, this quarter.
    func quarter(at i: Int, the: Bool) -> TimeMatch? {
        var j = i
        var yearShift = 0
        if w(j) == "comparable" || w(j) == "corresponding" { j += 1 }
        if (w(j) == "year" && (w(j + 1) == "earlier" || w(j + 1) == "ago")) {
            yearShift = -1
            j += 2
            if w(j) == "quarter" || w(j) == "period" {
                return TimeMatch(first: i, end: j + 1, type: .date, value: quarterValue(offset: -1, years: -1))
            }
            if quarterOrdinal(at: j) == nil {
                if the { return nil }
                return TimeMatch(first: i, end: j, type: .date, value: quarterContext ? quarterValue(offset: -1, years: -1) : yearValue(offset: -1))
            }
        }
        guard let q = quarterOrdinal(at: j) else { return nil }
        var end = q.end
        var year: Int?
        if w(end) == "of", let y = yearNumber(at: end + 1) { year = y; end += 2 }
        else if let y = yearNumber(at: end) { year = y; end += 1 }
        let n = Int(q.suffix.dropFirst(2))!
        if year == nil, let d = dct {
            let isQuarter = q.suffix.hasPrefix("-Q")
            let current = isQuarter ? d.quarter : (d.month <= 6 ? 1 : 2)
            year = d.year + yearShift - (n > current || (n == current && !future && isQuarter && yearShift == 0 && false) ? (future ? 0 : 1) : 0)
        }
        return TimeMatch(first: i, end: end, type: .date, value: (year.map { zeroPadded($0, 4) } ?? "XXXX") + q.suffix)
    }

    /// summer, the summer of 1994 (bare seasons need "the" or a year).
    func season(at i: Int, the: Bool) -> TimeMatch? {
        guard let code = TimeLexicon.seasons[w(i)] else { return nil }
        if w(i) == "fall" && !the { return nil }
        if w(i + 1) == "of", let y = yearNumber(at: i + 2) {
            return TimeMatch(first: i, end: i + 3, type: .date, value: zeroPadded(y, 4) + "-" + code)
        }
        if let y = yearNumber(at: i + 1) { return TimeMatch(first: i, end: i + 2, type: .date, value: zeroPadded(y, 4) + "-" + code) }
        guard the || ["in", "this", "last", "next", "during", "since", "until", "by"].contains(w(i - 1)) else { return nil }
        return TimeMatch(first: i, end: i + 1, type: .date, value: seasonValue(code, direction: 0))
    }

    /// every Monday, each year, daily, weekly.
    func frequency(at i: Int) -> TimeMatch? {
        let word = w(i)
        if let value = TimeLexicon.frequencies[word] {
            let next = w(i + 1)
            let before = w(i - 1)
            // An adverb is a set ("gather daily outside"); an adjective before its noun is not ("a quarterly
            // dividend", "daily flights", "average daily volume", "the party daily Granma").
            if ["its", "the", "a", "their", "his", "her", "our", "new", "two", "regular"].contains(before) { return nil }
            if let first = next.unicodeScalars.first, Tokenizer.isLetter(first), !TimeScan.adverbFollowers.contains(next) { return nil }
            return TimeMatch(first: i, end: i + 1, type: .set, value: value)
        }
        guard word == "every" || word == "each" || word == "per" else { return nil }
        var j = i + 1
        var n = 1
        if let c = count(at: j), c.value != nil, !c.isArticle { n = c.value!; j = c.end }
        else if w(j) == "other" { n = 2; j += 1 }
        if let wd = TimeLexicon.weekdays[w(j)] {
            return withSetPart(TimeMatch(first: i, end: j + 1, type: .set, value: "XXXX-WXX-\(wd)"))
        }
        if let (unit, _) = unitAt(j) {
            if unit == .weekend { return TimeMatch(first: i, end: j + 1, type: .set, value: "XXXX-WXX-WE") }
            return TimeMatch(first: i, end: j + 1, type: .set, value: duration(n, unit))
        }
        if let code = TimeLexicon.seasons[w(j)] { return TimeMatch(first: i, end: j + 1, type: .set, value: "XXXX-" + code) }
        if let part = TimeLexicon.partsOfDay[w(j)] { return TimeMatch(first: i, end: j + 1, type: .set, value: "XXXX-XX-XXT" + part) }
        if let month = TimeLexicon.months[w(j)], p[j].capitalised { return TimeMatch(first: i, end: j + 1, type: .set, value: "XXXX-" + zeroPadded(month, 2)) }
        return nil
    }

    static let adverbFollowers: Set<String> = [
        "and", "or", "but", "in", "at", "for", "to", "on", "by", "from", "since", "until", "with", "during", "basis", "through", "as",
        "over", "between", "than", "outside", "inside", "around", "across", "near", "into", "after", "before", "under", "against",
    ]

    /// A year spelled in words: nineteen ninety-six, two thousand.
    func spelledYear(at i: Int) -> (value: Int, end: Int)? {
        let word = w(i)
        if (word == "two" && w(i + 1) == "thousand") {
            if let n = TimeLexicon.cardinals[w(i + 2)], n < 20 { return (2000 + n, i + 3) }
            return (2000, i + 2)
        }
        guard let century = TimeLexicon.cardinals[word], (11...20).contains(century) else { return nil }
        guard var tens = TimeLexicon.cardinals[w(i + 1)], tens >= 10, tens < 100 else { return nil }
        var end = i + 2
        if tens >= 20, let units = TimeLexicon.cardinals[w(end)], units < 10, p[end].joined { tens += units; end += 1 }
        return (century * 100 + tens, end)
    }

    /// Christmas, Thanksgiving (Day), New Year's Day, Easter: the occurrence nearest the article date.
    func holiday(at j: Int, direction: Int) -> (value: String, end: Int)? {
        let word = w(j)
        var end = j + 1
        let compute: (Int) -> CalendarDay
        switch word {
        case "christmas":
            if w(end) == "day" { end += 1 }
            if w(end) == "eve" { end += 1; compute = { CalendarDay(year: $0, month: 12, day: 24) } } else { compute = { CalendarDay(year: $0, month: 12, day: 25) } }
        case "thanksgiving":
            if w(end) == "day" { end += 1 }
            compute = { y in
                let first = CalendarDay(year: y, month: 11, day: 1)
                return first.adding(days: (4 - first.weekday + 7) % 7 + 21)
            }
        case "halloween": compute = { CalendarDay(year: $0, month: 10, day: 31) }
        case "new":
            guard w(j + 1) == "year", w(j + 2) == "'s", w(j + 3) == "day" || w(j + 3) == "eve" else { return nil }
            end = j + 4
            if w(j + 3) == "eve" { compute = { CalendarDay(year: $0 - 1, month: 12, day: 31) } } else { compute = { CalendarDay(year: $0, month: 1, day: 1) } }
        case "easter":
            if w(end) == "sunday" { end += 1 }
            compute = TimeScan.easter
        default: return nil
        }
        guard p[j].capitalised else { return nil }
        guard let d = dct else { return ("XXXX-XX-XX", end) }
        let candidates = [compute(d.year - 1), compute(d.year), compute(d.year + 1)]
        let pick: CalendarDay
        if direction < 0 || (direction == 0 && !future) {
            pick = candidates.last { $0 <= d } ?? candidates[0]
        } else {
            pick = candidates.first { $0 >= d } ?? candidates[2]
        }
        return (dayValue(pick), end)
    }

    /// Easter Sunday by the anonymous Gregorian computus.
    static func easter(_ y: Int) -> CalendarDay {
        let a = y % 19, b = y / 100, c = y % 100, d = b / 4, e = b % 4
        let f = (b + 8) / 25, g = (b - f + 1) / 3, h = (19 * a + b - d - g + 15) % 30
        let i = c / 4, k = c % 4, l = (32 + 2 * e + 2 * i - h - k) % 7, m = (a + 11 * h + 22 * l) / 451
        let month = (h + l - 7 * m + 114) / 31, day = (h + l - 7 * m + 114) % 31 + 1
        return CalendarDay(year: y, month: month, day: day)
    }

    func withSetPart(_ m: TimeMatch) -> TimeMatch {
        guard let part = TimeLexicon.partsOfDay[w(m.end)] else { return m }
        return TimeMatch(first: m.first, end: m.end + 1, type: .set, value: m.value + "T" + part)
    }

    /// 10:30 a.m., 3 p.m. EST, noon, midnight; "noon Thursday".
    func clock(at i: Int) -> TimeMatch? {
        var hour: Int
        var minute = 0
        var end: Int
        let word = w(i)
        if word == "noon" || word == "midday" { hour = 12; end = i + 1 }
        else if word == "midnight" { hour = 24; end = i + 1 }
        else {
            if let n = num(i), p[i].digits <= 2, n <= 12 {
                hour = n
                end = i + 1
                guard isMeridiem(w(end)) || w(end) == "o'clock" else { return nil }
            } else {
                let parts = word.split(separator: ":")
                guard parts.count == 2, parts[0].count <= 2, parts[1].count == 2, let h = Int(parts[0]), let m = Int(parts[1]), h <= 24, m < 60 else { return nil }
                hour = h
                minute = m
                end = i + 1
            }
            if isMeridiem(w(end)) {
                let pm = w(end).hasPrefix("p")
                if pm && hour < 12 { hour += 12 }
                if !pm && hour == 12 { hour = 0 }
                end += 1
                if w(end) == "." { end += 1 }
            } else if w(end) == "o'clock" {
                end += 1
            }
            if TimeScan.zones.contains(w(end)) { end += 1 }
        }
        var day = anchor ?? dct
        if w(end) == "," || TimeLexicon.months[w(end)] != nil, let date = monthDate(at: w(end) == "," ? end + 1 : end), date.isDay {
            // "5 p.m. EST, Nov. 6"
            day = TimeScan.day(date.value); end = date.end
        } else if let shift = ["today": 0, "yesterday": -1, "tomorrow": 1][w(end)] {
            day = dct?.adding(days: shift); end += 1
        } else if let wd = TimeLexicon.weekdays[w(end)] {
            day = dct.map { weekdayDate($0, wd, direction: futureNear(i) ? 1 : -1, strict: false) }; end += 1
        } else if (w(end) == "on" || w(end) == ","), let wd = TimeLexicon.weekdays[w(end + 1)] {
            day = dct.map { weekdayDate($0, wd, direction: futureNear(i) ? 1 : -1, strict: false) }; end += 2
        }
        return TimeMatch(first: i, end: end, type: .time, value: dayValue(day) + "T" + zeroPadded(hour, 2) + ":" + zeroPadded(minute, 2))
    }

    func isMeridiem(_ word: String) -> Bool { word == "a.m" || word == "p.m" || word == "am" || word == "pm" || word == "a.m." || word == "p.m." }
    static let zones: Set<String> = ["est", "edt", "cst", "cdt", "mst", "mdt", "pst", "pdt", "gmt", "utc", "pkt", "ist", "bst", "cet"]

    // MARK: - Ranges and brackets

    /// "February 13 (Monday)": the weekday in brackets belongs to the date.
    func absorbWeekdayInBrackets(after m: TimeMatch) -> Int {
        guard m.isDay, w(m.end) == "(", TimeLexicon.weekdays[w(m.end + 1)] != nil, w(m.end + 2) == ")" else { return m.end }
        return m.end + 3
    }

    /// The second end of "February 13 to 16", "13-16 February" is handled by the day pattern.
    func rangeEnd(after m: TimeMatch) -> TimeMatch? {
        var j = m.end
        let connector = w(j)
        if connector == "to" || connector == "through" || connector == "until" || connector == "till" || connector == "and" || connector == "-" || connector == "\u{2013}" {
            j += 1
        } else if !(j < p.count && p[j].joined) {
            return nil
        }
        guard let n = num(j), p[j].digits <= 2, (1...31).contains(n) else { return nil }
        if TimeLexicon.months[w(j + 1)] != nil || TimeLexicon.units[w(j + 1)] != nil || w(j + 1) == "%" || w(j + 1) == "percent" { return nil }
        let prefix = m.value.prefix(8)
        guard let firstDay = Int(m.value.suffix(2)), n > firstDay else { return nil }
        var second = TimeMatch(first: j, end: j + 1, type: .date, value: prefix + zeroPadded(n, 2), continuesRange: true)
        second.end = absorbWeekdayInBrackets(after: second)
        return second
    }

    // MARK: - Values

    func dayValue(_ day: CalendarDay?) -> String {
        guard let d = day else { return "XXXX-XX-XX" }
        return zeroPadded(d.year, 4) + "-" + zeroPadded(d.month, 2) + "-" + zeroPadded(d.day, 2)
    }

    func yearValue(offset: Int) -> String { dct.map { zeroPadded($0.year + offset, 4) } ?? "XXXX" }

    func monthValue(offset: Int) -> String {
        guard let d = dct?.adding(months: offset) else { return "XXXX-XX" }
        return zeroPadded(d.year, 4) + "-" + zeroPadded(d.month, 2)
    }

    func weekValue(_ day: CalendarDay?) -> String {
        guard let d = day else { return "XXXX-WXX" }
        let (y, wk) = d.isoWeek
        return zeroPadded(y, 4) + "-W" + zeroPadded(wk, 2)
    }

    func weekendValue(direction: Int) -> String {
        guard let d = dct else { return "XXXX-WXX-WE" }
        var day = d
        if d.weekday < 6 {
            day = direction > 0 || (direction == 0 && future) ? d.adding(days: 6 - d.weekday) : d.adding(days: -d.weekday - 1)
        } else if direction != 0 {
            day = d.adding(days: 7 * direction)
        }
        return weekValue(day) + "-WE"
    }

    func quarterValue(offset: Int, years: Int = 0) -> String {
        guard let d = dct?.adding(months: 3 * offset + 12 * years) else { return "XXXX-QX" }
        return zeroPadded(d.year, 4) + "-Q\(d.quarter)"
    }

    func seasonValue(_ code: String, direction: Int) -> String {
        guard let d = dct else { return "XXXX-" + code }
        let startMonth = ["SP": 3, "SU": 6, "FA": 9, "WI": 12][code]!
        var y = d.year
        if direction < 0 && startMonth + 2 >= d.month { y -= 1 }
        if direction > 0 && startMonth <= d.month { y += 1 }
        return zeroPadded(y, 4) + "-" + code
    }

    /// "last year" / "next year" / "this year" right after a month: the year shift.
    func relativeYear(at i: Int) -> Int? {
        guard w(i + 1) == "year" else { return nil }
        switch w(i) {
        case "last": return -1
        case "this": return 0
        case "next": return 1
        default: return nil
        }
    }

    /// A month and day without a year: this year's, unless that is ahead of the article, nothing in the clause
    /// points forward, and the clause is in the past tense or the date is more than half a year ahead (then
    /// last year's: "He was last seen Nov. 3" in May); next year's when it is well behind and something points
    /// forward.
    func likelyYear(month: Int, day: Int, at i: Int) -> Int {
        guard let d = dct else { return 0 }
        let candidate = CalendarDay(year: d.year, month: month, day: min(day, ArticleDate.daysIn(month: month, year: d.year)))
        let ahead = candidate.ordinal - d.ordinal
        if ahead > 45 && !futureNear(i, cues: TimeScan.yearAheadCues, within: 12) && (ahead > 183 || pastNear(i)) { return d.year - 1 }
        if ahead < -240 && futureNear(i) { return d.year + 1 }
        return d.year
    }

    /// The year that puts month/day closest to the article date.
    func nearestYear(month: Int, day: Int = 15) -> Int {
        guard let d = dct else { return 0 }
        let target = d.ordinal
        var best = d.year
        var bestDistance = Int.max
        for y in (d.year - 1)...(d.year + 1) {
            let distance = abs(CalendarDay(year: y, month: month, day: min(day, ArticleDate.daysIn(month: month, year: y))).ordinal - target)
            if distance < bestDistance { best = y; bestDistance = distance }
        }
        return best
    }

    /// The weekday nearest the article date in `direction`; `strict` skips the article date itself.
    func weekdayDate(_ d: CalendarDay, _ weekday: Int, direction: Int, strict: Bool) -> CalendarDay {
        var delta = weekday - d.weekday
        if direction < 0 {
            if delta > 0 || (strict && delta == 0) { delta -= 7 }
        } else {
            if delta < 0 || (strict && delta == 0) { delta += 7 }
        }
        return d.adding(days: delta)
    }

    func duration(_ n: Int?, _ unit: Unit) -> String {
        // ISO 8601 has no quarter designator: three quarters are P9M.
        if unit == .quarter { return "P" + (n.map { String($0 * 3) } ?? "X") + "M" }
        let amount = n.map { String($0 * unit.multiplier) } ?? "X"
        if unit == .weekend { return "P" + amount + "WE" }
        return unit.isTimeOfDay ? "PT" + amount + unit.code : "P" + amount + unit.code
    }

    /// The article date moved by `n` units, at the unit's granularity.
    func shifted(_ n: Int, _ unit: Unit) -> String {
        guard let d = dct else { return n < 0 ? "PAST_REF" : "FUTURE_REF" }
        switch unit {
        case .second, .minute, .hour, .day: return dayValue(d.adding(days: unit == .day ? n : 0))
        case .week, .weekend: return weekValue(d.adding(days: 7 * n))
        case .month: return monthValue(offset: n)
        case .quarter: return quarterValue(offset: n)
        case .half: return yearValue(offset: 0)
        case .year:
            if n == -1 && quarterContext { return quarterValue(offset: -1, years: -1) }
            return yearValue(offset: n)
        case .decade, .century: return yearValue(offset: n)
        }
    }
}
