import FoundationEssentials

/// How entities from different articles are recognised as the same: a place by its ISO 3166 code,
/// anything else by its type and its name folded (case, diacritics, white space).
public enum EntityKey {
    public static func make(type: String, name: String, code: String?) -> String {
        if let code, !code.isEmpty { return type + ":" + code.uppercased() }
        return type + ":" + fold(name)
    }

    /// The key of a name already folded.
    static func make(type: String, folded: String, code: String?) -> String {
        if let code, !code.isEmpty { return type + ":" + code.uppercased() }
        return type + ":" + folded
    }

    /// Lower case, no diacritics, usual width, single spaces: the form names are looked up by.
    /// Diacritics and widths come from a generated table (FoldingTable.swift), not ICU.
    public static func fold(_ s: String) -> String {
        if s.utf8.allSatisfy({ $0 < 0x80 }) { return foldASCII(s) }
        var plain = String.UnicodeScalarView()
        for scalar in s.unicodeScalars where scalar.properties.generalCategory != .nonspacingMark {
            if let base = FoldingTable.base[scalar.value] { plain.append(contentsOf: base.unicodeScalars) } else { plain.append(scalar) }
        }
        return String(plain).lowercased().split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    /// `fold` of an ASCII string, byte by byte (no diacritics, no table; the same result): most names.
    static func foldASCII(_ s: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count)
        var space = false
        for b in s.utf8 {
            if b == 0x20 || (b >= 0x09 && b <= 0x0D) {
                space = !out.isEmpty
                continue
            }
            if space { out.append(0x20); space = false }
            out.append(b >= 65 && b <= 90 ? b + 32 : b)
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The keys a surface form can be asked for by: the form itself, a person's surname ("Chollet"
    /// for "Derek Chollet"), a place's ISO code ("us" for "United States").
    public static func lookupKeys(type: String, forms: [String], code: String?) -> Set<String> {
        lookupKeys(type: type, folded: forms.map(fold), code: code)
    }

    /// The lookup keys of forms already folded.
    static func lookupKeys(type: String, folded forms: [String], code: String?) -> Set<String> {
        var keys: Set<String> = []
        for folded in forms {
            guard !folded.isEmpty else { continue }
            keys.insert(folded)
            if type == "PERSON", let last = folded.split(separator: " ").last, last.count > 1 { keys.insert(String(last)) }
        }
        if let code, !code.isEmpty { keys.insert(fold(code)) }
        return keys
    }
}
