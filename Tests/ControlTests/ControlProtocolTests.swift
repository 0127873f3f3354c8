import Testing
@testable import Control

@Suite struct ControlProtocolTests {
    @Test func versionIsPositive() { #expect(ControlProtocol.version >= 1) }
}
