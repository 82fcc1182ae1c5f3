import Foundation
import JobQueue
import Postgres
import TestSupport
import Testing

/// Rows another program wrote badly (the platform inserts jobs with its own SQL) must cost
/// that row, never the queue: claim, rescue, finish and the operators' reads keep working for
/// every other job, and the bad row is discarded with the reason.
@Suite struct MalformedRowTests {
    /// A running job of a dead worker, with the given columns written as SQL text.
    static func insertRunning(
        _ db: PostgresConnection, attempt: String = "1", maxAttempts: String = "5",
        attemptedAt: String = "now() - interval '1 minute'"
    ) throws -> Int64 {
        try db.query(
            """
            INSERT INTO calworker.jobs (kind, args, state, attempt, max_attempts, attempted_at, lease_until, worker_id)
            VALUES ('noop', '{}', 'running', \(attempt), \(maxAttempts), \(attemptedAt), now() - interval '1 second', 'dead-worker')
            RETURNING id
            """)[0].decode(Int64.self, at: 0)
    }

    @Test(arguments: [
        ("NULL", "1", "5"), ("'-infinity'", "1", "5"), ("'infinity'", "1", "5"),
        ("now()", "2147483647", "2147483647"), ("now()", "-3", "5"), ("NULL", "2147483647", "1"),
    ])
    func aRunningRowWithAbsurdValuesIsRescuedAndTheHealthyOnesToo(attemptedAt: String, attempt: String, maxAttempts: String) throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let db = try database.connect()
        let queue = JobQueue(lease: .seconds(30), backoff: RetryBackoff(base: .milliseconds(1), jitter: 0))
        let bad = try Self.insertRunning(db, attempt: attempt, maxAttempts: maxAttempts, attemptedAt: attemptedAt)
        let healthy = try Self.insertRunning(db)
        let rescued = try queue.rescueExpired(on: db)
        #expect(Set(rescued.map(\.id)) == [bad, healthy])
        // Both got their `lost` run record, with a start time that is a real one.
        for id in [bad, healthy] {
            let runs = try queue.runs(RunFilter(jobID: id), on: db)
            #expect(runs.map(\.outcome) == [.lost], "job \(id)")
            #expect(runs.first.map { $0.startedAt <= $0.finishedAt && $0.durationMs >= 0 } == true)
        }
        #expect(try queue.job(id: healthy, on: db)?.state == .available)
    }

    @Test func aJobWithItsAttemptCounterAtTheTopIsQuarantinedAndTheQueueFlows() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let db = try database.connect()
        let queue = JobQueue()
        let healthy = try (0..<3).map { _ in try queue.enqueue(NewJob(kind: "noop"), on: db).id }
        let poison = try db.query(
            """
            INSERT INTO calworker.jobs (kind, args, attempt, max_attempts, run_at, priority)
            VALUES ('noop', '{}', 2147483647, 2147483647, now() - interval '1 hour', -32768) RETURNING id
            """)[0].decode(Int64.self, at: 0)
        // The poison sorts first; before, every claim of the queue failed with "integer out of range".
        let claimed = try queue.claim(queue: "default", limit: 10, workerID: "w", on: db)
        #expect(Set(claimed.map(\.id)) == Set(healthy))
        let job = try #require(try queue.job(id: poison, on: db))
        #expect(job.state == .discarded)
        #expect(job.lastError?.contains("quarantined") == true && job.lastError?.contains("out of range") == true)
        // And the fast path is back.
        let more = try queue.enqueue(NewJob(kind: "noop"), on: db).id
        #expect(try queue.claim(queue: "default", limit: 10, workerID: "w", on: db).map(\.id) == [more])
    }

    @Test func aRowWrittenBeforeTheLengthChecksIsQuarantinedWithItsKindShortened() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let db = try database.connect()
        let queue = JobQueue()
        // The checks are NOT VALID: a row from before them is still there, and any update of it
        // fails them, so the claim's update fails for it.
        try db.execute("ALTER TABLE calworker.jobs DROP CONSTRAINT jobs_kind_length")
        let huge = String(repeating: "k", count: 5 << 20)
        let legacy = try db.query("INSERT INTO calworker.jobs (kind, args) VALUES ($1, '{}') RETURNING id", [huge])[0].decode(Int64.self, at: 0)
        try db.execute("ALTER TABLE calworker.jobs ADD CONSTRAINT jobs_kind_length CHECK (octet_length(kind) <= 64) NOT VALID")
        let healthy = try queue.enqueue(NewJob(kind: "noop"), on: db).id
        #expect(try queue.claim(queue: "default", limit: 10, workerID: "w", on: db).map(\.id) == [healthy])
        let job = try #require(try queue.job(id: legacy, on: db))
        #expect(job.state == .discarded && job.kind.count == 64)
        // New rows like it are refused where they are written.
        #expect(throws: PostgresError.self) { try db.execute("INSERT INTO calworker.jobs (kind) VALUES ($1)", [huge]) }
    }

    @Test func oneAttemptThatCannotBeWrittenDoesNotLoseTheOthersInItsBatch() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let db = try database.connect()
        let queue = JobQueue()
        let ids = try (0..<3).map { _ in try queue.enqueue(NewJob(kind: "noop"), on: db).id }
        let claimed = try queue.claim(queue: "default", limit: 3, workerID: "w", on: db)
        var attempts = claimed.map { FinishedAttempt(jobID: $0.id, attempt: $0.attempt, outcome: .completed, durationMs: 1) }
        attempts[1].figures = "not json at all"
        let written = try queue.finish(attempts, workerID: "w", on: db)
        #expect(written == Set(ids))
        #expect(try ids.map { try queue.job(id: $0, on: db)?.state } == [.completed, .completed, .completed])
        let plain = try #require(try queue.runs(RunFilter(jobID: attempts[1].jobID), on: db).first)
        #expect(plain.error?.contains("could not be recorded") == true && plain.figures == "{}")
    }

    @Test func infiniteTimestampsDoNotBreakWhatOperatorsRead() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let db = try database.connect()
        let queue = JobQueue()
        try db.execute("INSERT INTO calworker.jobs (kind, args, run_at) VALUES ('noop', '{}', '-infinity')")
        try db.execute(
            """
            INSERT INTO calworker.workers (id, hostname, pid, queues, concurrency, version, heartbeat_at)
            VALUES ('ghost', 'h', 1, '{default}', 1, 'x', '-infinity')
            """)
        let statistics = try queue.statistics(on: db)
        #expect(statistics.depths.first { $0.queue == "default" }?.oldestDueAgeSeconds.map { $0 > 1e9 } == true)
        #expect(try queue.counts(on: db).contains { $0.state == "due" })
        #expect(try WorkerRegistry.list(on: db).first?.heartbeatAgeSeconds.isFinite == true)
        // And the job still runs.
        #expect(try queue.claim(queue: "default", limit: 1, workerID: "w", on: db).count == 1)
    }
}
