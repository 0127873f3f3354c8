import Glibc

extension String {
    /// printf-style formatting through the C library's vsnprintf, for the few reports that need
    /// fixed-width numbers (`%6.2f`). Foundation's `String(format:)` would link ICU into the binary.
    /// Arguments are numbers (and C strings); a Swift `String` is not a C vararg.
    public init(cFormat format: String, _ arguments: any CVarArg...) {
        var capacity = 128
        while true {
            var buffer = [CChar](repeating: 0, count: capacity)
            let needed = withVaList(arguments) { vsnprintf(&buffer, capacity, format, $0) }
            guard needed >= capacity else {
                self = needed < 0 ? "" : String(decoding: buffer[..<Int(needed)].map { UInt8(bitPattern: $0) }, as: UTF8.self)
                return
            }
            capacity = Int(needed) + 1
        }
    }

    /// `self` padded with spaces (or cut) to exactly `width` characters, as `%-Ns` would for ASCII.
    public func padded(to width: Int) -> String {
        count >= width ? String(prefix(width)) : self + String(repeating: " ", count: width - count)
    }
}
