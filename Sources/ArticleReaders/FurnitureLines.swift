/// Short lines inside an article container that are page furniture by what they say, whatever the site's
/// markup: a date stamp (`Updated: 18 Nov 2019 9:38 pm`), a byline (`by Jane Doe`), a share or comments
/// prompt (`Sharing is caring!`, `Comments (12)`), a copyright line, and the heading of a related-stories
/// list (`More Great WIRED Stories`, `You may also like:`, `Explore further`). Only lines under 100 characters
/// are looked at, and only whole lines match: a sentence that merely contains such words is prose. Paragraphs
/// under 300 characters are also checked for what sites append to every story: a call to subscribe or join
/// (`Subscribe to X and ...`, `Join our forums ...`, `To read the full story ...`), a follow prompt (`Follow
/// him on Twitter @x`), an affiliate-links disclosure, a wire credit (`(Reporting by X; editing by Y)`).
enum FurnitureLines {
    enum Kind { case dateStamp, byline, prompt, copyright, relatedHeading, appended }

    static func kind(_ text: String) -> Kind? {
        guard text.utf8.count < 300 else { return nil }
        let words = lowerWords(text)
        guard !words.isEmpty else { return nil }
        if isAppended(words) { return .appended }
        guard text.utf8.count < 100 else { return nil }
        if isDateStamp(text, words) { return .dateStamp }
        if isByline(text, words) { return .byline }
        if isCopyright(text, words) { return .copyright }
        if opensRelatedList(words) { return .relatedHeading }
        if isPrompt(text, words) { return .prompt }
        return nil
    }

    // MARK: - Date stamps

    private static let months: Set<String> = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "january", "february",
        "march", "april", "june", "july", "august", "september", "october", "november", "december",
    ]
    private static let weekdays: Set<String> = [
        "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun", "monday", "tuesday", "wednesday",
        "thursday", "friday", "saturday", "sunday",
    ]
    /// Clock words, time zones and the labels sites put before a stamp.
    private static let stampWords: Set<String> = [
        "am", "pm", "a", "p", "m", "et", "pt", "ct", "mt", "gmt", "utc", "bst", "est", "edt", "pst", "pdt", "cst", "cdt",
        "mst", "mdt", "cet", "cest", "ist", "aest", "aedt", "at", "on", "of", "updated", "posted", "published", "last",
        "modified", "date", "time",
    ]

    /// All words are month or weekday names, numbers, clock words or a stamp label, with a digit and a month or
    /// weekday among them.
    private static func isDateStamp(_ text: String, _ words: [String]) -> Bool {
        guard words.count <= 14, text.utf8.contains(where: { $0 >= 0x30 && $0 <= 0x39 }) else { return false }
        guard words.contains(where: { months.contains($0) || weekdays.contains($0) }) else { return false }
        return words.allSatisfy { word in
            if months.contains(word) || weekdays.contains(word) || stampWords.contains(word) { return true }
            let digits = word.prefix { $0.isASCII && $0.isNumber }
            return !digits.isEmpty && ["", "st", "nd", "rd", "th", "am", "pm", "h"].contains(String(word.dropFirst(digits.count)))
        }
    }

    // MARK: - Bylines

    private static let nameParticles: Set<String> = ["de", "da", "van", "von", "der", "den", "la", "le", "del", "di", "bin", "al"]

    /// `by Jane Doe`, `By Jane Doe and John Roe`, `Written by J. Doe |`: a few capitalised words after `by`.
    private static func isByline(_ text: String, _ words: [String]) -> Bool {
        var rest = words[...]
        if rest.first == "written" || rest.first == "words" || rest.first == "reporting" { rest = rest.dropFirst() }
        guard rest.first == "by", rest.count >= 2 else { return false }
        // The same words with their case, after `by`.
        let original = text.split { !($0.isLetter || $0 == "." || $0 == "'" || $0 == "-") }
        guard let by = original.firstIndex(where: { $0.lowercased() == "by" }) else { return false }
        let name = original[(by + 1)...].filter { !["and", "&"].contains($0.lowercased()) }
        guard (1...6).contains(name.count) else { return false }
        return name.allSatisfy { $0.first?.isUppercase == true || nameParticles.contains($0.lowercased()) }
    }

    // MARK: - Prompts, copyright, related lists

    /// `© 2019 Example`, `Copyright @ 2019 Example Media.`, `Copyright (c) Example`: not `Copyright law was ...`.
    private static func isCopyright(_ text: String, _ words: [String]) -> Bool {
        let trimmed = text.drop { $0 == " " }
        if trimmed.hasPrefix("©") || trimmed.lowercased().hasPrefix("(c) ") { return true }
        guard words.first == "copyright", words.count > 1 else { return false }
        return words[1] == "c" || (words[1].count == 4 && words[1].allSatisfy { $0.isASCII && $0.isNumber }) || text.contains("©")
    }

    /// Words that start a share, comment, subscribe or follow prompt, with the words that may follow them.
    private static let prompts: [[String]] = [
        ["sharing", "is", "caring"], ["share", "this"], ["share", "on"], ["share", "via"], ["share"], ["like", "this"],
        ["like", "loading"], ["comments"], ["comment"], ["view", "comments"], ["show", "comments"], ["leave", "a", "comment"],
        ["view", "all"], ["see", "all"], ["show", "all"], ["load", "more"], ["show", "more"], ["subscribe"],
        ["subscribe", "now"], ["subscribe", "today"], ["advertisement"], ["follow", "us"], ["print", "this"],
    ]

    /// A line that is a prompt and little more: the prompt's words, then at most two words or numbers more
    /// (`Comments (12)`, `View all (4)`, `Share on Facebook`), and no full stop at the end.
    private static func isPrompt(_ text: String, _ words: [String]) -> Bool {
        guard words.count <= 6, text.last != "." || text.hasSuffix("...") else { return false }
        return prompts.contains { prompt in
            words.count >= prompt.count && words.count <= prompt.count + 2
                && zip(prompt, words).allSatisfy { $0 == $1 }
        }
    }

    private static let relatedOpeners: [[String]] = [
        ["you", "may", "also", "like"], ["you", "might", "also", "like"], ["you", "may", "like"], ["you", "might", "like"],
        ["recommended", "for", "you"], ["don", "t", "miss"], ["explore", "further"], ["see", "also"], ["read", "also"],
        ["also", "read"], ["read", "more"], ["read", "next"], ["more", "on", "this", "story"], ["related"],
    ]
    private static let listFirst: Set<String> = ["more", "related", "recommended", "popular", "trending", "latest", "top", "further", "other"]
    private static let listLast: Set<String> = ["stories", "articles", "news", "posts", "reads", "coverage", "videos", "links", "headlines"]

    /// The heading of a related-stories list: `You may also like:`, `Don't miss`, `Related Roundup: X`,
    /// `More Great WIRED Stories`, `Most popular stories` (at most five words, or a known opener and a colon).
    static func opensRelatedList(_ words: [String]) -> Bool {
        for opener in relatedOpeners where words.count >= opener.count && zip(opener, words).allSatisfy({ $0 == $1 }) {
            if words.count <= opener.count + 3 { return true }
        }
        guard words.count <= 5, let first = words.first, let last = words.last else { return false }
        return listFirst.contains(first) && listLast.contains(last)
    }

    // MARK: - Appended to every story

    private static let appendedOpeners: [[String]] = [
        ["subscribe", "to"], ["join", "our"], ["to", "read", "the", "full", "story"], ["to", "continue", "reading"],
    ]
    private static let socialNetworks: Set<String> = ["twitter", "facebook", "instagram", "linkedin", "tiktok", "x"]

    private static func isAppended(_ words: [String]) -> Bool {
        if appendedOpeners.contains(where: { opener in words.count >= opener.count && zip(opener, words).allSatisfy { $0 == $1 } }) {
            return true
        }
        // `Follow him on Twitter`, `Follow us at Twitter @x`: the writer's or the site's account, not a named third party.
        for i in words.indices.dropLast(3) where words[i] == "follow" && ["him", "her", "us", "me", "them"].contains(words[i + 1])
            && ["on", "at"].contains(words[i + 2]) && socialNetworks.contains(words[i + 3]) {
            return true
        }
        if words.contains("affiliate") && (words.contains("commission") || words.contains("links")) { return true }
        let credit = words.first == "reporting" && words.dropFirst().first == "by"
        return credit && zip(words, words.dropFirst()).contains { $0 == "editing" && $1 == "by" }
    }

    /// Lower-cased runs of letters and digits (ASCII lower-cased; other letters kept as they are). Scalars, not
    /// Characters: this runs on every short block of every page.
    static func lowerWords(_ text: String) -> [String] {
        var words: [String] = []
        var word = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            let v = scalar.value
            if v < 0x80 {
                if (v >= 0x61 && v <= 0x7A) || (v >= 0x30 && v <= 0x39) { word.append(scalar); continue }
                if v >= 0x41 && v <= 0x5A { word.append(Unicode.Scalar(v + 32)!); continue }
            } else if scalar.properties.isAlphabetic || scalar.properties.numericType != nil {
                word.append(scalar)
                continue
            }
            if !word.isEmpty { words.append(String(word)); word = String.UnicodeScalarView() }
        }
        if !word.isEmpty { words.append(String(word)) }
        return words
    }
}
