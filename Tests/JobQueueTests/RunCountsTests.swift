import Foundation
import JobQueue
import Postgres
import TestSupport
import Testing

/// The per-minute attempt counts the overview and `/metrics` read instead of the history:
/// exact for every way a record is written, and never counted twice.
@Suite struct RunCountsTests {
    func counted(_ db: PostgresConnection) throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for row in try db.query("SELECT kind || '/' || outcome, sum(attempts)::bigint FROM calworker.run_counts GROUP BY 1") {
            counts[try row.decode(String.self, at: 0)] = try row.decode(Int.self, at: 1)
        }
        return counts
    }

    @Test func finishesCancelsAndRecordsAreCountedOnceAndARollbackIsNot() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let db = try database.connect()
        let queue = JobQueue()
        let ids = try queue.enqueueMany((0..<5).map { _ in NewJob(kind: "noop", maxAttempts: 3) }, on: db)
        let claimed = Dictionary(uniqueKeysWithValues: try queue.claim(queue: "default", limit: 4, workerID: "w", on: db).map { ($0.id, $0) })
        _ = try queue.finish(
            [
                FinishedAttempt(jobID: ids[0], attempt: 1, outcome: .completed, durationMs: 1),
                FinishedAttempt(jobID: ids[1], attempt: 1, outcome: .completed, durationMs: 1),
                queue.failure(of: claimed[ids[2]]!, error: "first <boom>", durationMs: 1),
            ], workerID: "w", on: db)
        _ = try queue.finish([queue.failure(of: claimed[ids[3]]!, error: "second boom", durationMs: 1)], workerID: "w", on: db)
        _ = try queue.cancel(id: ids[4], on: db)
        try? db.transaction { db in
            try db.execute(
                """
                INSERT INTO calworker.job_runs (job_id, attempt, kind, queue, worker_id, started_at, finished_at, outcome, duration_ms)
                VALUES (999, 1, 'noop', 'default', 'w', now(), now(), 'completed', 1)
                """)
            throw PostgresError(.usage, "rolled back on purpose")
        }
        #expect(try counted(db) == ["noop/completed": 2, "noop/failed": 2, "noop/cancelled": 1])

        let recent = try queue.statistics(on: db).recentRuns
        let failed = try #require(recent.first { $0.outcome == "failed" })
        #expect(failed.count == 2 && failed.lastError == "second boom", "the newest error: \(recent)")
    }

    @Test func recordsMovedIntoADaysNewPartitionAreNotCountedAgain() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let db = try database.connect()
        // Ten days ahead: no partition yet, so the default partition takes it.
        try db.execute(
            """
            INSERT INTO calworker.job_runs (job_id, attempt, kind, queue, worker_id, started_at, finished_at, outcome, duration_ms)
            VALUES (7, 1, 'noop', 'default', 'w', now() + interval '10 days', now() + interval '10 days', 'completed', 1)
            """)
        #expect(
            try db.query("SELECT calworker.ensure_history_partition(((now() + interval '10 days') AT TIME ZONE 'UTC')::date)")[0]
                .decode(Bool.self, at: 0))
        #expect(try db.query("SELECT count(*) FROM calworker.job_runs_default")[0].decode(Int.self, at: 0) == 0, "moved to its day")
        #expect(try counted(db) == ["noop/completed": 1])
    }
}
