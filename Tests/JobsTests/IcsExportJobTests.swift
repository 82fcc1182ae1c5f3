import Backup
import Basics
import Feeds
import Foundation
import JobArgs
import JobQueue
import Jobs
import Logging
import Media
import Metrics
import Postgres
import TestSupport
import Testing
import Worker

/// What the worker makes of an export's failure: a store that cannot be written for good is a
/// discard at the first attempt, one that is down is a retry (FeedError kept no such word once).
@Suite struct IcsExportJobTests {
    func run(_ environment: JobEnvironment, on db: PostgresConnection) throws -> JobResult {
        let job = ClaimedJob(
            id: 1, kind: IcsExportJob.kind, queue: "default", args: "{}", attempt: 1, maxAttempts: 5, priority: 0, timeout: nil,
            startedAt: Date(), dueAt: Date())
        let context = JobContext(
            job: job, logger: .disabled, stopSignal: StopSignal(), deadline: .now + .seconds(60), metrics: MetricsRegistry(),
            connectionProvider: { db })
        let handler = IcsExportJob(environment: environment)
        return try handler.run(try handler.validate(IcsExportJob.Args()), context: context)
    }

    @Test func aTargetThatCanNeverBeWrittenIsDiscardedAndAStoreThatIsDownIsRetried() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let db = try database.connect()
        _ = try SeededOwner.add(owner: "user-1", calendars: ["ada@example.com"], on: db)
        _ = try FeedStore().create(owner: "user-1", calendar: nil, detail: "busy", attendees: false, name: nil, on: db)
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("cw-export-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }

        // A file target outside the media root (a row of settings the check did not see).
        var refused = JobEnvironment()
        refused.media = MediaSettings(mediaRoot: root)
        refused.feedsTarget = .file(path: "/nonexistent-outside-root/feeds/")
        refused.backup.spoolDirectory = root
        let permanent = try #require(throws: FeedError.self) { try run(refused, on: db) }
        #expect(!permanent.isRetryable && JobResult.settled(by: permanent) == .discard(reason: permanent.description))

        // An S3 store that does not answer: worth another attempt.
        var down = JobEnvironment()
        down.media = MediaSettings(s3Endpoint: "http://127.0.0.1:1", s3AccessKeyID: "AKIDEXAMPLE", s3SecretAccessKey: "secret-example")
        down.feedsTarget = .s3(bucket: "feeds", key: "feeds/")
        down.backup.spoolDirectory = root
        let transient = try #require(throws: FeedError.self) { try run(down, on: db) }
        #expect(transient.isRetryable && JobResult.settled(by: transient) == nil)
    }
}
