extension StringProtocol {
    /// Without leading and trailing spaces and tabs (what `CharacterSet.whitespaces` trims).
    public func trimmingBlanks() -> String { trimming { $0.isWhitespace && !$0.isNewline } }

    /// Without leading and trailing white space, line ends included.
    public func trimmingWhitespace() -> String { trimming(\.isWhitespace) }

    private func trimming(_ isTrimmed: (Character) -> Bool) -> String {
        guard let first = firstIndex(where: { !isTrimmed($0) }), let last = lastIndex(where: { !isTrimmed($0) }) else { return "" }
        return String(self[first...last])
    }
}
