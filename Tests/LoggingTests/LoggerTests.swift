import Foundation
import Redaction
import Testing

@testable import Logging

@Suite struct LoggerTests {
    @Test func recordsBelowTheLevelAreDroppedAndMetadataMerges() {
        let handler = InMemoryLogHandler()
        let logger = Logger(level: .notice, metadata: ["worker_id": "w1"], handler: handler).with(["job_id": "7"])
        logger.info("dropped")
        logger.warning("kept", ["job_id": "8", "error": "boom"])
        #expect(handler.records.map(\.message) == ["kept"])
        #expect(handler.records.first?.metadata == ["worker_id": "w1", "job_id": "8", "error": "boom"])
    }

    @Test func anEchoedSecretNeverReachesTheHandler() {
        let token = "ya29.logged-\(UUID().uuidString)"
        KnownSecrets.register(token)
        let handler = InMemoryLogHandler()
        let logger = Logger(level: .debug, handler: handler)
        logger.error(
            "refresh failed: \(token)", ["error": "server said: Authorization: Bearer \(token)", "body": #"{"client_secret":"GOCSPX-unregistered"}"#])
        let record = handler.records.map { "\($0.message) \($0.metadata)" }.joined()
        #expect(!record.contains(token) && !record.contains("GOCSPX-unregistered"), "\(record)")
    }

    @Test func theTextFormatShowsControlCharactersInsteadOfSendingThem() {
        #expect(TextLogHandler.printable("line\nforged INFO \u{1B}[2Jcleared") == "line\\u{A}forged INFO \\u{1B}[2Jcleared")
        #expect(TextLogHandler.printable("plain ü") == "plain ü")
        #expect(TextLogHandler.printable("user=eve\u{202E}nimda \u{2067}x") == "user=eve\\u{202E}nimda \\u{2067}x", "direction controls too")
    }
}
