import NewsCore

/// Proleptic Gregorian day arithmetic for resolving relative dates: a day is counted from 1970-01-01.
struct CalendarDay: Hashable, Comparable {
    var year: Int
    var month: Int
    var day: Int

    init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    init(_ date: ArticleDate) {
        self.init(year: date.year, month: date.month, day: date.day)
    }

    /// Days since 1970-01-01 (era-based civil calendar arithmetic).
    var ordinal: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let shifted = month > 2 ? month - 3 : month + 9
        let dayOfYear = (153 * shifted + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    init(ordinal: Int) {
        let z = ordinal + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let d = dayOfYear - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        self.init(year: yearOfEra + era * 400 + (m <= 2 ? 1 : 0), month: m, day: d)
    }

    func adding(days: Int) -> CalendarDay { CalendarDay(ordinal: ordinal + days) }

    /// ISO weekday: Monday 1 ... Sunday 7.
    var weekday: Int {
        let w = (ordinal + 3) % 7  // 1970-01-01 was a Thursday (3 when Monday is 0)
        return (w < 0 ? w + 7 : w) + 1
    }

    /// ISO 8601 week-numbering year and week.
    var isoWeek: (year: Int, week: Int) {
        let thursday = adding(days: 4 - weekday)
        let jan1 = CalendarDay(year: thursday.year, month: 1, day: 1)
        return (thursday.year, (thursday.ordinal - jan1.ordinal) / 7 + 1)
    }

    var quarter: Int { (month - 1) / 3 + 1 }

    static func < (a: CalendarDay, b: CalendarDay) -> Bool { a.ordinal < b.ordinal }

    /// Adds whole months, clamping the day to the target month's length.
    func adding(months: Int) -> CalendarDay {
        let index = year * 12 + (month - 1) + months
        let y = index >= 0 ? index / 12 : (index - 11) / 12
        let m = index - y * 12 + 1
        return CalendarDay(year: y, month: m, day: min(day, ArticleDate.daysIn(month: m, year: y)))
    }
}

/// Zero-padded decimal rendering without Foundation's formatters.
@inline(__always) func zeroPadded(_ n: Int, _ width: Int) -> String {
    let s = String(n)
    return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
}
