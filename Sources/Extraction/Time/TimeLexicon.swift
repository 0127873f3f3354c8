/// Word lists for temporal expressions, all lower case.
enum TimeLexicon {
    static let months: [String: Int] = [
        "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4, "may": 5,
        "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9, "sept": 9, "sep": 9,
        "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
    ]
    /// Month words that are also ordinary English words: taken only with a capital and a date-like neighbour.
    static let ambiguousMonths: Set<String> = ["may", "march", "mar", "jan", "jun", "dec", "sep", "aug"]

    static let weekdays: [String: Int] = [
        "monday": 1, "mon": 1, "tuesday": 2, "tue": 2, "tues": 2, "wednesday": 3, "wed": 3, "thursday": 4,
        "thu": 4, "thur": 4, "thurs": 4, "friday": 5, "fri": 5, "saturday": 6, "sat": 6, "sunday": 7, "sun": 7,
    ]
    static let pluralWeekdays: [String: Int] = [
        "mondays": 1, "tuesdays": 2, "wednesdays": 3, "thursdays": 4, "fridays": 5, "saturdays": 6, "sundays": 7,
    ]

    static let cardinals: [String: Int] = [
        "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
        "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
        "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
        "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "dozen": 12,
    ]
    /// Vague counts: "several years" is PXY.
    static let vagueCounts: Set<String> = ["several", "few", "many", "some", "numerous", "multiple"]

    static let ordinals: [String: Int] = [
        "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
        "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14,
        "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19, "twentieth": 20,
        "thirtieth": 30, "last": -1, "final": -1,
    ]

    enum Unit: Sendable {
        case second, minute, hour, day, week, weekend, month, quarter, half, year, decade, century

        /// The designator in a TIMEX3 duration: P3Y, PT2H.
        var code: String {
            switch self {
            case .second: "S"
            case .minute: "M"
            case .hour: "H"
            case .day: "D"
            case .week: "W"
            case .weekend: "WE"
            case .month: "M"
            case .quarter: "Q"
            case .half: "H"
            case .year, .decade, .century: "Y"
            }
        }
        var isTimeOfDay: Bool { self == .second || self == .minute || self == .hour }
        var multiplier: Int { self == .decade ? 10 : self == .century ? 100 : 1 }
    }

    static let units: [String: (unit: Unit, plural: Bool)] = [
        "second": (.second, false), "seconds": (.second, true), "minute": (.minute, false),
        "minutes": (.minute, true), "min": (.minute, false), "mins": (.minute, true), "hour": (.hour, false),
        "hours": (.hour, true), "hr": (.hour, false), "hrs": (.hour, true), "day": (.day, false),
        "days": (.day, true), "week": (.week, false), "weeks": (.week, true), "weekend": (.weekend, false),
        "weekends": (.weekend, true), "month": (.month, false), "months": (.month, true),
        "quarter": (.quarter, false), "quarters": (.quarter, true), "year": (.year, false),
        "years": (.year, true), "yr": (.year, false), "yrs": (.year, true), "decade": (.decade, false),
        "decades": (.decade, true), "century": (.century, false), "centuries": (.century, true),
    ]

    static let seasons: [String: String] = [
        "spring": "SP", "summer": "SU", "autumn": "FA", "fall": "FA", "winter": "WI",
    ]
    static let partsOfDay: [String: String] = [
        "morning": "MO", "afternoon": "AF", "evening": "EV", "night": "NI", "overnight": "NI",
    ]

    /// Words that stand alone for a fuzzy reference to now, the past or the future.
    static let references: [String: String] = [
        "now": "PRESENT_REF", "currently": "PRESENT_REF", "nowadays": "PRESENT_REF", "presently": "PRESENT_REF",
        "recently": "PAST_REF", "lately": "PAST_REF",
    ]

    static let frequencies: [String: String] = [
        "daily": "P1D", "weekly": "P1W", "monthly": "P1M", "annually": "P1Y", "yearly": "P1Y", "hourly": "PT1H",
        "quarterly": "P3M", "nightly": "P1D", "biweekly": "P2W",
    ]

    /// Words after a four-digit number that show it counts something rather than names a year.
    static let countNouns: Set<String> = [
        "people", "persons", "troops", "soldiers", "shares", "tons", "tonnes", "feet", "miles", "meters",
        "metres", "kilometers", "kilometres", "km", "acres", "workers", "jobs", "cases", "students", "units",
        "points", "families", "votes", "members", "deaths", "pounds", "dollars", "rupees", "euros", "barrels",
        "children", "men", "women", "homes", "houses", "cars", "vehicles", "employees", "residents", "percent",
        "years", "months", "days", "hours", "minutes", "times", "kg", "mw", "megawatts", "calories", "words",
    ]
}
