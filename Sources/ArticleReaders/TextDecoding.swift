import Glibc

/// Bytes to text: UTF-8, UTF-16 with a byte-order mark, a declared charset, or the documented fallback.
///
/// A declared charset (MIME `charset=`, XML `encoding=`, HTML `<meta charset>`) is decoded by glibc's
/// iconv(3), which knows every name those can carry (KOI8-R, ISO-8859-*, Windows-125*, Shift_JIS,
/// EUC-JP, GB2312, GBK, GB18030, Big5, EUC-KR, ...). A name iconv does not know is an error with the
/// name in it (`UnknownCharset`), never a silent guess.
///
/// Fallback: bytes that are not valid UTF-8 and declare nothing are decoded as Windows-1252, the superset
/// of ISO-8859-1 that newsroom tools actually write (it maps 0x80-0x9F to “smart quotes”, €, … instead
/// of C1 controls). Every byte maps to some character, so decoding never fails; the result says a
/// fallback was used. The same applies to bytes that are invalid in the charset they declare.
public enum TextDecoding {
    public struct Decoded: Sendable {
        public var text: String
        public var encoding: String
        public var usedFallback: Bool
    }

    /// A declared charset that iconv(3) does not know.
    public struct UnknownCharset: Error, Sendable, CustomStringConvertible {
        public var name: String
        public var description: String { "unknown charset '\(name)' (not known to iconv(3))" }
    }

    /// Bytes that declare no charset: never fails.
    public static func decode(_ bytes: [UInt8]) -> Decoded {
        // No declaration: nothing can be unknown.
        (try? decode(bytes, declared: nil)) ?? Decoded(text: windows1252(bytes[...]), encoding: "windows-1252", usedFallback: true)
    }

    public static func decode(_ bytes: [UInt8], declared: String?) throws(UnknownCharset) -> Decoded {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            if let text = utf8(bytes[3...]) { return Decoded(text: text, encoding: "utf-8", usedFallback: false) }
        }
        if bytes.starts(with: [0xFF, 0xFE]) { return Decoded(text: utf16(bytes[2...], bigEndian: false), encoding: "utf-16le", usedFallback: false) }
        if bytes.starts(with: [0xFE, 0xFF]) { return Decoded(text: utf16(bytes[2...], bigEndian: true), encoding: "utf-16be", usedFallback: false) }
        let declared = declared.map { $0.trimmingCharacters(in: " \"'\t") }.flatMap { $0.isEmpty ? nil : $0 }
        // An unknown name fails even when the bytes happen to be ASCII: the producer's label is wrong either way.
        if let declared, !isKnown(declared) { throw UnknownCharset(name: declared) }
        // Valid UTF-8 with non-ASCII bytes is almost never accidental: it wins over a declared single-byte charset
        // (the common mislabelling: UTF-8 bytes sent as "windows-1252" or "iso-8859-1").
        if let declared, !isUnicodeName(declared), bytes.contains(where: { $0 >= 0x80 }), let text = utf8(bytes[...]) {
            return Decoded(text: text, encoding: "utf-8", usedFallback: false)
        }
        if let declared, let text = decode(bytes[...], charset: declared) {
            return Decoded(text: text, encoding: normalisedCharsetName(declared), usedFallback: false)
        }
        if let text = utf8(bytes[...]) { return Decoded(text: text, encoding: "utf-8", usedFallback: false) }
        return Decoded(text: windows1252(bytes[...]), encoding: "windows-1252", usedFallback: true)
    }

    /// Decodes with a named charset; nil for an unknown name or bytes invalid in it.
    public static func decode(_ bytes: ArraySlice<UInt8>, charset: String) -> String? {
        switch normalisedCharsetName(charset) {
        case "utf-8": return utf8(bytes)
        case "us-ascii": return bytes.allSatisfy { $0 < 0x80 } ? utf8(bytes) : nil
        // Total: the five positions Windows-1252 leaves undefined map to C1 controls (glibc's CP1252 refuses them).
        case "windows-1252": return windows1252(bytes)
        case "utf-16le": return utf16(bytes, bigEndian: false)
        case "utf-16be": return utf16(bytes, bigEndian: true)
        case let name: return try? Iconv.toUTF8(bytes, from: iconvName(name))
        }
    }

    /// Whether a charset name can be decoded (by hand or by iconv).
    public static func isKnown(_ charset: String) -> Bool {
        switch normalisedCharsetName(charset) {
        case "utf-8", "us-ascii", "windows-1252", "utf-16le", "utf-16be": return true
        case let name: return Iconv.knows(iconvName(name))
        }
    }

    /// Labels mail and web software write that glibc spells differently.
    private static func iconvName(_ normalised: String) -> String {
        switch normalised {
        case "x-sjis", "shift-jis", "ms_kanji", "csshiftjis": return "SHIFT_JIS"
        case "windows-31j", "x-ms-cp932": return "CP932"
        case "ks_c_5601-1987", "ks_c_5601", "windows-949": return "CP949"
        case "x-gbk": return "GBK"
        case "x-mac-roman", "macintosh", "mac": return "MACINTOSH"
        case "x-mac-cyrillic": return "MAC-CYRILLIC"
        case "windows-874", "x-windows-874": return "CP874"
        case "x-euc-jp": return "EUC-JP"
        case "big5-hkscs": return "BIG5-HKSCS"
        default: return normalised
        }
    }

    public static func normalisedCharsetName(_ name: String) -> String {
        let n = name.lowercased().trimmingCharacters(in: " \"'\t")
        switch n {
        case "utf8", "utf-8": return "utf-8"
        case "ascii", "us-ascii", "ansi_x3.4-1968": return "us-ascii"
        case "latin1", "latin-1", "iso-8859-1", "iso8859-1", "iso_8859-1", "l1": return "iso-8859-1"
        case "cp1252", "windows-1252", "win-1252", "x-cp1252": return "windows-1252"
        case "latin9", "iso-8859-15", "iso8859-15": return "iso-8859-15"
        case "utf-16le": return "utf-16le"
        case "utf-16be", "utf-16": return "utf-16be"
        default: return n
        }
    }

    private static func isUnicodeName(_ name: String) -> Bool {
        normalisedCharsetName(name).hasPrefix("utf-")
    }

    static func utf8(_ bytes: ArraySlice<UInt8>) -> String? {
        String(validating: bytes, as: UTF8.self)
    }

    static func utf16(_ bytes: ArraySlice<UInt8>, bigEndian: Bool) -> String {
        var units: [UInt16] = []
        units.reserveCapacity(bytes.count / 2)
        var i = bytes.startIndex
        while i + 1 < bytes.endIndex {
            let a = UInt16(bytes[i]), b = UInt16(bytes[i + 1])
            units.append(bigEndian ? (a << 8 | b) : (b << 8 | a))
            i += 2
        }
        return String(decoding: units, as: UTF16.self)
    }

    /// Windows-1252's 0x80-0x9F; the five undefined positions map to the C1 control of the same value.
    private static let cp1252High: [UInt32] = [
        0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8D, 0x017D, 0x8F,
        0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D, 0x017E, 0x0178,
    ]

    static func windows1252(_ bytes: ArraySlice<UInt8>) -> String {
        var view = String.UnicodeScalarView()
        for b in bytes {
            let value = (0x80...0x9F).contains(b) ? cp1252High[Int(b) - 0x80] : UInt32(b)
            view.append(Unicode.Scalar(value)!)
        }
        return String(view)
    }
}

extension String {
    func trimmingCharacters(in set: String) -> String {
        let chars = Set(set.unicodeScalars)
        var scalars = Substring(self).unicodeScalars
        while let f = scalars.first, chars.contains(f) { scalars.removeFirst() }
        while let l = scalars.last, chars.contains(l) { scalars.removeLast() }
        return String(scalars)
    }
}
