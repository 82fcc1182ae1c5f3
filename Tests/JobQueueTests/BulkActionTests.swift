import Foundation
import JobQueue
import Postgres
import TestSupport
import Testing

/// Bulk retry and cancel: a filter, a dry run that changes nothing, and only jobs that still
/// match when the statement runs.
@Suite struct BulkActionTests {
    /// `count` jobs of `kind`, all finished as `state`: moved into the history, as finishing
    /// does.
    func finished(
        _ count: Int, kind: String = "noop", state: String, args: String = "{}", uniqueKey: String? = nil,
        on db: PostgresConnection
    ) throws -> [Int64] {
        let ids = try (0..<count).map { _ in
            try db.query(
                """
                INSERT INTO calworker.jobs (kind, args, state, attempt, max_attempts, finished_at, unique_key)
                VALUES ($1, $2::jsonb, $3, 3, 3, now(), $4) RETURNING id
                """, [kind, args, state, uniqueKey])[0].decode(Int64.self, at: 0)
        }
        _ = try JobQueue().moveFinished(batch: 1000, on: db)
        return ids
    }

    func states(_ ids: [Int64], on db: PostgresConnection) throws -> [String] {
        try ids.map { try JobQueue().job(id: $0, on: db)?.state.rawValue ?? "missing" }
    }

    @Test func aDryRunCountsWhatTheRealRunDoesAndChangesNothing() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let db = try database.connect()
        let discarded = try finished(4, state: "discarded", args: #"{"account_id": 12}"#, on: db)
        _ = try finished(3, state: "discarded", args: #"{"account_id": 13}"#, on: db)
        _ = try finished(2, state: "completed", args: #"{"account_id": 12}"#, on: db)
        var filter = JobFilter()
        filter.argsContaining = #"{"account_id": 12}"#
        let preview = try JobQueue().preview(.retry, filter, sample: 2, on: db)
        #expect(preview.count == 4 && preview.sample.count == 2)
        #expect(try states(discarded, on: db) == Array(repeating: "discarded", count: 4), "a dry run changes nothing")
        let retried = try JobQueue().retryAll(filter, on: db)
        #expect(retried == discarded)
        #expect(try states(discarded, on: db) == Array(repeating: "available", count: 4))
        let attempts = try db.query("SELECT max_attempts FROM calworker.jobs WHERE id = $1", [discarded[0]])[0].decode(Int.self, at: 0)
        #expect(attempts == 4, "one more attempt")
    }

    @Test func aBulkRetryRacingAWorkerActsOnlyOnJobsStillMatching() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let db = try database.connect()
        let ids = try finished(20, state: "discarded", on: db)
        // Another session brings five of them back meanwhile and runs them (as a retry by id
        // and a claim would), and holds them uncommitted until the bulk retry waits on them.
        let other = try database.connect()
        try other.execute("BEGIN")
        try other.execute(
            """
            INSERT INTO calworker.jobs (id, kind, state, attempt, lease_until, worker_id) OVERRIDING SYSTEM VALUE
            SELECT id, 'noop', 'running', 4, now() + interval '1 minute', 'w' FROM unnest($1::bigint[]) AS id
            """, [Array(ids.prefix(5))])
        var discarded = JobFilter()
        discarded.state = .discarded
        let filter = discarded
        let result = SharedList<[Int64]>()
        let bulk = Thread {
            if let retried = try? JobQueue().retryAll(filter, on: try database.connect()) { result.append(retried) }
        }
        bulk.start()
        #expect(
            eventually(timeout: 20) {
                ((try? db.query("SELECT count(*) FROM pg_locks WHERE NOT granted AND locktype = 'transactionid'")[0].decode(Int.self, at: 0)) ?? 0)
                    >= 1
            }, "the bulk retry waits for the rows the other session holds")
        try other.execute("COMMIT")
        #expect(eventually(timeout: 20) { !result.values.isEmpty })
        #expect(result.values.first == Array(ids.dropFirst(5)), "the five taken meanwhile no longer matched")
        #expect(try states(Array(ids.prefix(5)), on: db) == Array(repeating: "running", count: 5))
    }

    @Test func ofJobsSharingAUniqueKeyOnlyTheNewestIsRetriedAndOnlyWhileTheKeyIsFree() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let db = try database.connect()
        let same = try finished(3, state: "discarded", uniqueKey: "sync_account:1", on: db)
        let held = try finished(1, state: "discarded", uniqueKey: "sync_account:2", on: db)
        _ = try JobQueue().enqueue(NewJob(kind: "noop", uniqueKey: "sync_account:2"), on: db)
        var filter = JobFilter()
        filter.kind = "noop"
        filter.state = .discarded
        let retried = try JobQueue().retryAll(filter, on: db)
        #expect(retried == [same.last!], "the newest of the key's jobs; the key held by a live job is left alone")
        #expect(try states(held, on: db) == ["discarded"])
    }

    @Test func aBulkCancelCancelsWaitingJobsAndAsksRunningOnesToStop() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let db = try database.connect()
        let waiting = try JobQueue().enqueueMany((0..<3).map { _ in NewJob(kind: "noop", queue: "mail") }, on: db)
        let running = try JobQueue().enqueueMany((0..<2).map { _ in NewJob(kind: "noop", queue: "mail") }, on: db)
        try db.execute(
            "UPDATE calworker.jobs SET state = 'running', lease_until = now() + interval '1 minute', worker_id = 'w' WHERE id = ANY($1::bigint[])",
            [running])
        let elsewhere = try JobQueue().enqueue(NewJob(kind: "noop"), on: db).id
        var filter = JobFilter()
        filter.queue = "mail"
        #expect(try JobQueue().preview(.cancel, filter, on: db).count == 5)
        let done = try JobQueue().cancelAll(filter, on: db)
        #expect(done.cancelled == waiting && done.stopRequested == running)
        #expect(try states([elsewhere], on: db) == ["available"])
    }
}
