import Foundation
import HTTPServer
import Media
import Metrics
import TestSupport
import Testing

/// Stores that answer `Retry-After`: HTTP and S3 reads and S3 uploads (single and streamed from
/// a file) never sleep through a long wait; the error carries it, so the job snoozes.
@Suite struct StoreRetryAfterTests {
    static func s3(_ server: ScriptedServer) -> MediaStores {
        MediaStores(
            settings: MediaSettings(s3Endpoint: server.url, s3AccessKeyID: "AKIDEXAMPLE", s3SecretAccessKey: "wJalrXUtnFEMI/K7MDENG"),
            metrics: MetricsRegistry())
    }

    /// Runs `operation` against a store answering `value`; the error it ends with, and how long it took.
    static func failure(_ operation: () throws -> Void) throws -> (MediaError, Duration) {
        let started = ContinuousClock.now
        let error = try #require(throws: MediaError.self) { try operation() }
        return (error, ContinuousClock.now - started)
    }

    @Test(arguments: HostileRetryAfter.long)
    func aLongWaitIsCarriedNotSlept(value: String) throws {
        let server = try ScriptedServer(always: ScriptedServer.busy(retryAfter: value))
        let plain = MediaStores(settings: MediaSettings(), metrics: MetricsRegistry())
        let spool = FileManager.default.temporaryDirectory.appendingPathComponent("cw-retry-\(UUID().uuidString)").path
        try Data(repeating: 1, count: 1000).write(to: URL(fileURLWithPath: spool))
        defer { try? FileManager.default.removeItem(atPath: spool) }
        let operations: [(String, () throws -> Void)] = [
            ("HTTP GET", { _ = try plain.get(try MediaLocation(server.url + "/photo.jpg"), maxBytes: 1000) }),
            ("S3 GET", { _ = try Self.s3(server).get(try MediaLocation("s3://photos/a.jpg"), maxBytes: 1000) }),
            ("S3 PUT", { try Self.s3(server).put(try MediaLocation("s3://photos/b.jpg"), data: Data([1, 2]), contentType: "image/jpeg") }),
            (
                "S3 upload of a file",
                {
                    try Self.s3(server).upload(
                        try MediaLocation("s3://photos/c.jpg"), file: spool, sha256: String(repeating: "0", count: 64), contentType: "image/jpeg")
                }
            ),
        ]
        for (name, operation) in operations {
            let before = server.requests
            let (error, took) = try Self.failure(operation)
            #expect(error.requestedWait == HostileRetryAfter.cap && error.isRetryable, "\(name): \(error)")
            #expect(took < .seconds(2), "\(name) slept \(took)")
            #expect(server.requests == before + 1, "\(name) asked once")
        }
    }

    @Test(arguments: HostileRetryAfter.short)
    func aShortOrUnusableWaitIsRetriedWithinTheAttemptThenUnavailable(value: String) throws {
        let server = try ScriptedServer(always: ScriptedServer.busy(retryAfter: value))
        let (error, took) = try Self.failure {
            _ = try MediaStores(settings: MediaSettings(), metrics: MetricsRegistry()).get(
                try MediaLocation(server.url + "/photo.jpg"), maxBytes: 1000)
        }
        #expect(error.kind == .unavailable && error.requestedWait == nil)
        #expect(server.requests == 3, "three attempts")
        #expect(took < .seconds(5))
    }
}
