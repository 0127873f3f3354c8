/// What entity resolution knows about names in general, apart from any one article: words that make a
/// name an organisation's, words that make it a part of a larger organisation, honorifics and titles that
/// are not names, initials, spelling slips.
enum EntityNames {
    /// Last words that make a name an organisation's ("South Wales Police", "Health and Safety Executive").
    static let organisationHeads: Set<String> = [
        "police", "council", "commission", "executive", "department", "ministry", "party", "union", "association",
        "agency", "bank", "committee", "forum", "foundation", "institute", "university", "college", "school",
        "club", "corporation", "company", "corp", "inc", "ltd", "plc", "group", "authority", "board", "trust",
        "society", "federation", "league", "alliance", "chambers", "laboratories", "organisation", "organization",
        "assembly", "parliament", "court", "army", "navy", "airlines", "airways", "motors", "records", "studios",
        "exchange", "fund", "office", "service", "services", "bureau", "congress", "senate", "network",
    ]

    /// Institutions whose names are common words, so that the tagger often leaves them untagged.
    static let institutions: Set<String> = [
        "Parliament", "Commons", "House of Commons", "House of Lords", "Treasury", "Home Office", "Foreign Office",
        "Cabinet Office", "Ministry of Defence", "Pentagon", "Kremlin", "White House", "Congress", "Senate",
        "Bundesbank", "Federal Reserve", "Bank of England", "European Commission", "European Parliament",
        "Scottish Parliament", "Welsh Assembly", "World Bank", "Opec", "Nato", "NHS", "FBI", "CIA", "IMF",
    ]
    static let institutionLength = 3
    static let institutionFirstWords = Set(institutions.map { String($0.split(separator: " ")[0]) })

    /// Last words of the name of a street, ground or building: a place ("George Street", "Lansdowne Road").
    static let facilityHeads: Set<String> = [
        "street", "road", "avenue", "square", "lane", "stadium", "arena", "church", "cathedral", "abbey", "chapel",
        "mosque", "airport", "station", "bridge",
    ]

    /// Words naming a part of an organisation: "Harvard School of Public Health" is not "Harvard", "BBC World
    /// Service" not "BBC". A name holding one is never merged with a single word of it.
    static let unitWords: Set<String> = [
        "school", "college", "faculty", "department", "division", "service", "services", "unit", "office",
        "committee", "council", "board", "branch", "bureau", "institute", "centre", "center", "laboratory",
        "laboratories", "lab", "hospital", "museum", "library", "sport", "sports", "news", "radio", "television",
        "tv", "retail", "wholesale", "world", "online", "subsidiary", "arm", "wing", "team", "academy",
    ]

    /// Well-known other names of one organisation, keyed to the name they are filed under. News copy uses
    /// them without saying so ("the Tories" for the Conservative Party).
    static let aliases: [String: String] = [
        "Tory": "Conservative Party", "Tories": "Conservative Party", "Conservatives": "Conservative Party",
        "Conservative": "Conservative Party", "Conservative Party": "Conservative Party",
        "Lib Dems": "Liberal Democrats", "Lib Dem": "Liberal Democrats", "Liberal Democrat": "Liberal Democrats",
        "Liberal Democrats": "Liberal Democrats", "Labour Party": "Labour", "Labour": "Labour",
    ]

    /// Capitalised words and abbreviations that name no entity, however the tagger reads them.
    static let notNames: Set<String> = [
        "DVD", "DVDs", "CD", "CDs", "TV", "PC", "PCs", "GMT", "BST", "HIV", "Aids", "AIDS", "HIV/Aids", "HIV/AIDS",
        "SMS", "MP3", "R&B", "DJ", "DJs", "ISP", "ISPs", "GDP", "VAT", "CEO", "DNA", "3G", "GPS", "SUV", "ATM",
    ]

    /// Nouns for a person that introduce a name used bare afterwards: "R&B star Usher", "singer Ciara".
    static let personNouns: Set<String> = [
        "singer", "star", "rapper", "newcomer", "actor", "actress", "comedian", "artist", "musician", "presenter",
        "dj", "player", "striker", "midfielder", "defender", "goalkeeper", "winger", "boxer", "golfer", "author",
        "novelist", "writer", "drummer", "guitarist", "vocalist", "frontman", "frontwoman", "chef", "designer",
        "model", "songwriter", "producer", "rocker", "diva", "veteran", "champion", "athlete", "sprinter", "runner",
    ]

    /// Nouns for a book, film, record or show; the name after one is the work's ("the film Spirited Away").
    static let workNouns: Set<String> = [
        "film", "movie", "album", "song", "single", "book", "novel", "show", "series", "programme", "program",
        "play", "drama", "musical", "opera", "track", "ep", "documentary", "sitcom", "comedy", "thriller",
        "blockbuster", "game", "soap", "memoir", "biography", "autobiography", "hit", "ballad", "anthem",
    ]

    /// Last words of an event's name ("Soul Train Awards", "Great Caledonian Run", "European Indoors").
    static let eventHeads: Set<String> = [
        "awards", "award", "run", "marathon", "championship", "championships", "cup", "games", "olympics",
        "festival", "tournament", "rally", "summit", "conference", "trophy", "indoors", "outdoors", "prix",
        "open", "war", "ceremony", "election", "elections", "grammys", "oscars", "baftas",
    ]

    /// Faiths and their followers: people, not organisations.
    static let faiths: Set<String> = [
        "Muslim", "Muslims", "Christian", "Christians", "Jew", "Jews", "Jewish", "Hindu", "Hindus", "Sikh", "Sikhs",
        "Buddhist", "Buddhists", "Catholic", "Catholics", "Protestant", "Protestants", "Islamic",
    ]

    /// Nouns that say what the name before them is: "the Guardian newspaper", "Hazards magazine".
    static let organisationNouns: Set<String> = [
        "newspaper", "magazine", "agency", "company", "firm", "group", "party", "club", "band", "label", "airline",
        "bank", "network", "channel", "broadcaster", "website", "chain", "retailer", "carmaker", "union", "charity",
    ]

    /// Adverbs that open a sentence and that the tagger may take into a name ("Often Pipex and other ...").
    static let sentenceAdverbs: Set<String> = [
        "often", "sometimes", "later", "earlier", "still", "only", "instead", "indeed", "perhaps", "currently",
        "recently", "finally", "already", "unfortunately", "fortunately", "similarly", "separately", "overall",
    ]

    /// The last labels of web addresses.
    static let domains: Set<String> = ["com", "net", "org", "co", "uk", "info", "biz", "tv", "eu", "de", "fr"]

    /// Occupations written right before a person's name in news copy ("Cuban artist Papo Record").
    static let occupations: Set<String> = [
        "singer", "rapper", "actor", "actress", "comedian", "artist", "musician", "presenter", "DJ", "novelist",
        "author", "writer", "drummer", "guitarist", "vocalist", "frontman", "songwriter", "striker", "midfielder",
        "defender", "goalkeeper", "winger", "boxer", "golfer", "sprinter", "economist", "analyst",
    ]

    /// "M" or "M." before a surname.
    static func isInitial(_ w: String) -> Bool {
        let s = w.unicodeScalars
        guard let first = s.first, Tokenizer.isUpper(first) else { return false }
        return s.count == 1 || (s.count == 2 && s.last == ".")
    }

    /// Two first names that can be one person's: equal, or one the other's initial ("M" and "Matt").
    static func firstNamesAgree(_ a: String, _ b: String) -> Bool {
        if a == b { return true }
        if isInitial(a) || isInitial(b) { return a.unicodeScalars.first == b.unicodeScalars.first }
        return false
    }

    /// At most one letter inserted, dropped, changed or two swapped, in words of five letters or more with the
    /// same first letter: "Cristie" / "Christie", the misspelt repeats of copy written fast.
    static func nearMiss(_ a: String, _ b: String) -> Bool {
        guard a.unicodeScalars.first == b.unicodeScalars.first, a.utf8.count >= 5, b.utf8.count >= 5 else { return false }
        let x = Array(a.unicodeScalars), y = Array(b.unicodeScalars)
        guard x.count >= 5, y.count >= 5, abs(x.count - y.count) <= 1, x.first == y.first, a != b else { return false }
        var i = 0
        while i < x.count && i < y.count && x[i] == y[i] { i += 1 }
        var j = 0
        while j < x.count - i && j < y.count - i && x[x.count - 1 - j] == y[y.count - 1 - j] { j += 1 }
        let restX = x.count - i - j, restY = y.count - i - j
        if restX <= 1 && restY <= 1 { return true }
        // Two neighbours swapped: "Steevns" / "Stevens".
        return restX == 2 && restY == 2 && x[i] == y[i + 1] && x[i + 1] == y[i]
    }
}
