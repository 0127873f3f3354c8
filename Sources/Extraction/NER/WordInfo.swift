/// Hashes used as feature keys: FNV-1a over scalars, combined with a SplitMix64 finaliser.
///
/// Features are never stored as strings: a feature is the mix of a template number and the hashes of the
/// words it looks at, so training and tagging agree without a vocabulary.
enum FeatureHash {
    static let offset: UInt64 = 0xcbf2_9ce4_8422_2325
    static let prime: UInt64 = 0x0000_0100_0000_01b3

    @inline(__always) static func add(_ h: UInt64, _ value: UInt32) -> UInt64 {
        (h ^ UInt64(value)) &* prime
    }

    @inline(__always) static func mix(_ a: UInt64, _ b: UInt64) -> UInt64 {
        var x = a &* 0x9E37_79B9_7F4A_7C15 ^ (b &+ 0x632B_E59B_D9B4_E019)
        x = (x ^ (x >> 30)) &* 0xBF58_476D_1CE4_E5B9
        x = (x ^ (x >> 27)) &* 0x94D0_49BB_1331_11EB
        return x ^ (x >> 31)
    }

    @inline(__always) static func mix(_ a: UInt64, _ b: UInt64, _ c: UInt64) -> UInt64 { mix(mix(a, b), c) }

    static func string(_ s: String) -> UInt64 {
        var h = offset
        for c in s.unicodeScalars { h = add(h, c.value) }
        return h
    }
}

/// What the tagger knows about one token, computed once from its scalars.
package struct WordInfo {
    struct Flags: OptionSet {
        let rawValue: UInt16
        static let initialUpper = Flags(rawValue: 1 << 0)
        static let allUpper = Flags(rawValue: 1 << 1)
        static let hasLower = Flags(rawValue: 1 << 2)
        static let hasLetter = Flags(rawValue: 1 << 3)
        static let hasDigit = Flags(rawValue: 1 << 4)
        static let hasHyphen = Flags(rawValue: 1 << 5)
        static let hasPeriod = Flags(rawValue: 1 << 6)
        static let initialLower = Flags(rawValue: 1 << 7)
        static let openBracket = Flags(rawValue: 1 << 8)
    }

    /// The word as written (quotes folded to ASCII, digits folded to 0).
    var word: UInt64 = FeatureHash.offset
    /// The lower-case form, same folding.
    var lower: UInt64 = FeatureHash.offset
    /// Character classes with repeats collapsed: "Xx", "X.X.", "0,0".
    var shortShape: UInt64 = FeatureHash.offset
    /// Character classes of up to 10 characters: "Xxxxx", "XX".
    var longShape: UInt64 = FeatureHash.offset
    /// Lower-case prefixes and suffixes of 1 to 4 characters (0 when the word is shorter).
    var prefixes: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    var suffixes: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    var flags: Flags = []
    var length = 0

    init<S: BidirectionalCollection>(_ scalars: S) where S.Element == Unicode.Scalar {
        var lastClass: UInt32 = 0
        var letters = 0
        var upper = 0
        var index = 0
        for raw in scalars {
            let c = WordInfo.fold(raw.value)
            let isUpper: Bool
            let isLower: Bool
            let isLetter: Bool
            if c < 0x80 {
                isUpper = c >= 0x41 && c <= 0x5A
                isLower = c >= 0x61 && c <= 0x7A
                isLetter = isUpper || isLower
            } else if let s = Unicode.Scalar(c) {
                let p = s.properties
                isLetter = p.isAlphabetic
                isUpper = isLetter && p.isUppercase
                isLower = isLetter && !isUpper
            } else {
                isUpper = false; isLower = false; isLetter = false
            }
            let isDigit = c >= 0x30 && c <= 0x39
            let folded: UInt32 = isDigit ? 0x30 : c
            var low = folded
            if isUpper {
                if c < 0x80 { low = c | 0x20 } else if let s = Unicode.Scalar(c) {
                    low = s.properties.lowercaseMapping.unicodeScalars.first?.value ?? c
                }
            }
            word = FeatureHash.add(word, folded)
            lower = FeatureHash.add(lower, low)
            let cls: UInt32 = isUpper ? 0x58 : isLower ? 0x78 : isDigit ? 0x30 : folded  // X x 0 or itself
            if cls != lastClass { shortShape = FeatureHash.add(shortShape, cls); lastClass = cls }
            if index < 10 { longShape = FeatureHash.add(longShape, cls) }
            if index == 0 {
                if isUpper { flags.insert(.initialUpper) }
                if isLower { flags.insert(.initialLower) }
                if c == 0x28 || c == 0x5B { flags.insert(.openBracket) }
            }
            if isLetter { letters += 1; flags.insert(.hasLetter) }
            if isUpper { upper += 1 }
            if isLower { flags.insert(.hasLower) }
            if isDigit { flags.insert(.hasDigit) }
            if c == 0x2D { flags.insert(.hasHyphen) }
            if c == 0x2E { flags.insert(.hasPeriod) }
            index += 1
            switch index {
            case 1: prefixes.0 = lower
            case 2: prefixes.1 = lower
            case 3: prefixes.2 = lower
            case 4: prefixes.3 = lower
            default: break
            }
        }
        length = index
        if letters > 0 && upper == letters { flags.insert(.allUpper) }
        var h = FeatureHash.offset ^ 0x5555
        var n = 0
        for raw in scalars.reversed() {
            h = FeatureHash.add(h, WordInfo.lowerFolded(raw.value))
            n += 1
            switch n {
            case 1: suffixes.0 = h
            case 2: suffixes.1 = h
            case 3: suffixes.2 = h
            case 4: suffixes.3 = h
            default: break
            }
            if n == 4 { break }
        }
    }

    package init(_ word: String) { self.init(word.unicodeScalars) }

    var isCapitalised: Bool { flags.contains(.initialUpper) }

    /// The lower-case, folded form of one scalar, as `lower` hashes it.
    @inline(__always) static func lowerFolded(_ raw: UInt32) -> UInt32 {
        let c = fold(raw)
        if c < 0x80 {
            if c >= 0x30 && c <= 0x39 { return 0x30 }
            return c >= 0x41 && c <= 0x5A ? c | 0x20 : c
        }
        guard let s = Unicode.Scalar(c), s.properties.isUppercase else { return c }
        return s.properties.lowercaseMapping.unicodeScalars.first?.value ?? c
    }

    /// Curly quotes and dashes as their ASCII forms, so article text looks like the Reuters training text.
    @inline(__always) static func fold(_ c: UInt32) -> UInt32 {
        switch c {
        case 0x2018, 0x2019, 0x0060, 0x00B4: return 0x27
        case 0x201C, 0x201D, 0x00AB, 0x00BB, 0x201E: return 0x22
        case 0x2010, 0x2011, 0x2013, 0x2014: return 0x2D
        default: return c
        }
    }
}
