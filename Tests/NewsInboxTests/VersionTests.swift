import Testing
@testable import NewsInbox

@Suite struct VersionTests {
    @Test func versionIsSet() { #expect(!NewsInboxVersion.string.isEmpty) }
}
