import Testing
@testable import GoogleEmulator

@Suite struct GoogleEmulatorPlaceholderTests {
    @Test func builds() { #expect(Bool(true)) }
}
