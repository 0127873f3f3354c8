/// Abbreviations that keep their period and do not end a sentence by themselves, and the words that
/// start one after such a period. Shared by the extractor's tokenizer and sentence splitter and the
/// readers' first-sentence headline rule, so both cut a sentence at the same period.
public enum Abbreviations {
    /// Titles before a name: a following capitalised word continues the sentence.
    public static let titles: Set<String> = [
        "Mr", "Mrs", "Ms", "Dr", "Prof", "Gen", "Lt", "Col", "Maj", "Capt", "Cmdr", "Sgt", "Adm", "Sen", "Rep",
        "Gov", "Pres", "Rev", "Fr", "St", "Hon", "Amb", "Supt", "Insp", "Brig", "Cpl", "Pvt", "Messrs", "Mme",
    ]
    /// Other abbreviations that take a period in news copy.
    public static let other: Set<String> = [
        "Jr", "Sr", "Inc", "Corp", "Co", "Ltd", "Bros", "No", "Nos", "vs", "etc", "approx", "est", "Dept", "Univ",
        "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec",
        "Mon", "Tue", "Tues", "Wed", "Thu", "Thur", "Thurs", "Fri", "Sat", "Sun",
        "Ala", "Ariz", "Ark", "Calif", "Colo", "Conn", "Del", "Fla", "Ga", "Ill", "Ind", "Kan", "Ky", "La", "Md",
        "Mass", "Mich", "Minn", "Miss", "Mo", "Mont", "Neb", "Nev", "Okla", "Ore", "Pa", "Tenn", "Tex", "Va",
        "Vt", "Wash", "Wis", "Wyo", "e.g", "i.e", "a.m", "p.m", "Ave", "Blvd", "Rd", "Mt", "Ft", "fig", "Fig",
    ]
    /// Words that, capitalised after an abbreviation's period, begin a new sentence ("... in the U.S. The ...").
    public static let sentenceOpeners: Set<String> = [
        "The", "A", "An", "He", "She", "It", "They", "We", "I", "But", "And", "In", "On", "At", "This", "That",
        "These", "Those", "There", "His", "Her", "Their", "Its", "Our", "Mr.", "Mrs.", "Ms.", "Dr.", "However",
        "Meanwhile", "Earlier", "Later", "After", "Before", "When", "While", "If", "As", "For", "So", "Yet",
    ]
}
