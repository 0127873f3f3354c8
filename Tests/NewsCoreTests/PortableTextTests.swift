import FoundationEssentials
import NewsCore
import Testing

/// The small replacements for Foundation calls that would link ICU into the binary.
@Suite struct PortableTextTests {
    @Test func cFormatFormatsNumbersAsPrintfDoes() {
        #expect(String(cFormat: "precision: %6.2f%%", 91.234) == "precision:  91.23%")
        #expect(String(cFormat: "%d of %d", 3, 40) == "3 of 40")
        #expect(String(cFormat: "%024lx", 0xbe_0000_0001) == "00000000000000be00000001")
        // Longer than the first buffer: formatted again with room for all of it.
        let long = String(cFormat: "%0300d", 7)
        #expect(long.count == 300 && long.hasSuffix("7") && long.hasPrefix("000"))
    }

    @Test func paddedPadsOrCuts() {
        #expect("ORG".padded(to: 6) == "ORG   ")
        #expect("ORGANISATION".padded(to: 3) == "ORG")
    }

    @Test func trimmingBlanksKeepsLineEndsAndTrimmingWhitespaceDoesNot() {
        #expect("  \tkey = value \t".trimmingBlanks() == "key = value")
        #expect("value\r\n".trimmingBlanks() == "value\r\n")
        #expect(" \n value \r\n".trimmingWhitespace() == "value")
        #expect("\u{00A0}word\u{2003}".trimmingBlanks() == "word")
        #expect("   ".trimmingBlanks() == "")
    }

    @Test func utcTimestampIsISO8601InUTC() {
        #expect(UTCTimestamp.string(from: Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00Z")
        #expect(UTCTimestamp.string(from: Date(timeIntervalSince1970: 1_764_617_854.9)) == "2025-12-01T19:37:34Z")
    }

    @Test func errorTextNamesTheErrnoOfAFileError() {
        do {
            _ = try Data(contentsOf: URL(fileURLWithPath: "/nonexistent/newsinbox-test"))
            Issue.record("reading a missing file succeeded")
        } catch {
            #expect(ErrorText.of(error) == "No such file or directory")
        }
    }
}
