import Foundation
import JobQueue
import Postgres
import TestSupport
import Testing

/// The claim table keeps live jobs only; the history is kept by the day, and retention drops
/// whole days.
@Suite struct HistoryRetentionTests {
    static let day: TimeInterval = 86_400
    static let noon = ISO8601DateFormatter().date(from: "2026-12-03T12:00:00Z")!

    @Test func partitionNamesAreReadAndEverythingElseIsIgnored() {
        let partitions = HistoryPartitions(names: [
            "job_runs_20261203", "job_runs_default", "job_runs_20261301", "job_runs_2026120",
            "jobs", "job_runs_20260229", "job_runs_20240229",
        ])
        #expect(partitions.days.map(HistoryPartitions.name(of:)) == ["job_runs_20240229", "job_runs_20261203"])
    }

    @Test func theDaysAheadThatAreMissingAreCreated() {
        let partitions = HistoryPartitions(names: ["job_runs_20261203", "job_runs_20261205"])
        #expect(partitions.missing(now: Self.noon).map(HistoryPartitions.name(of:)) == ["job_runs_20261204", "job_runs_20261206"])
    }

    @Test func retentionTakesWholeDaysAndKeepsTheDayItReachesInto() {
        let names = (0..<40).map { HistoryPartitions.name(of: Self.noon.addingTimeInterval(-Double($0) * Self.day)) }
        let expired = HistoryPartitions(names: names).expired(now: Self.noon, retention: 30 * Self.day)
        // The cutoff is 2026-11-03T12:00Z: that day is kept whole, every day before it goes.
        #expect(expired.map(HistoryPartitions.name(of:)).last == "job_runs_20261102")
        #expect(expired.count == 9)
        #expect(HistoryPartitions(names: names).expired(now: Self.noon, retention: 400 * Self.day).isEmpty)
    }

    @Test func aFinishedJobLeavesTheClaimTableAndItsRecordIsTodaysPartition() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let db = try database.connect()
        let queue = JobQueue()
        let ids = try queue.enqueueMany((0..<3).map { _ in NewJob(kind: "noop", args: #"{"n": 1}"#) }, on: db)
        let claimed = try queue.claim(queue: "default", limit: 3, workerID: "w", on: db)
        let now = Date()
        try queue.finish(
            [
                FinishedAttempt(jobID: ids[0], attempt: 1, outcome: .completed, finishedAt: now, durationMs: 1),
                queue.failure(of: claimed[1], error: "try again", durationMs: 1),
                FinishedAttempt(jobID: ids[2], attempt: 1, outcome: .discarded, error: "no", finishedAt: now, durationMs: 1),
            ], workerID: "w", on: db)
        let live = try db.query("SELECT id, state FROM calworker.jobs").map {
            "\(try $0.decode(Int64.self, at: 0)) \(try $0.decode(String.self, at: 1))"
        }
        #expect(live == ["\(ids[1]) available"], "only the job that runs again stays")
        let today = HistoryPartitions.name(of: HistoryPartitions.startOfDay(Date()))
        let records = try db.query(
            """
            SELECT job_id, (SELECT relname FROM pg_class WHERE oid = r.tableoid)::text, job_state, args::text FROM calworker.job_runs AS r ORDER BY job_id
            """
        ).map { "\(try $0.decode(Int64.self, at: 0)) \(try $0.decode(String.self, at: 1)) \(try $0.decode(String.self, at: 2))" }
        #expect(
            records == [
                "\(ids[0]) \(today) completed", "\(ids[1]) \(today) available",
                "\(ids[2]) \(today) discarded",
            ])
        #expect(try queue.job(id: ids[0], on: db)?.state == .completed)
        #expect(try queue.job(id: ids[2], on: db)?.args.contains("\"n\"") == true)
    }

    @Test func retentionDropsWholeDaysKeepsTheNewestWholeAndCreatesTheDaysAhead() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let db = try database.connect()
        let now = Date()
        // A record a second after midnight UTC of each of the last 40 days, in partitions made
        // for them, and one 45 days old in the default partition (no day's partition covers it).
        for back in 0..<40 {
            let noon = HistoryPartitions.startOfDay(now.addingTimeInterval(-Double(back) * Self.day)).addingTimeInterval(1)
            try db.execute("SELECT calworker.ensure_history_partition(($1::timestamptz AT TIME ZONE 'UTC')::date)", [noon])
            try db.execute(
                """
                INSERT INTO calworker.job_runs (job_id, attempt, kind, queue, worker_id, started_at, finished_at, outcome, duration_ms, job_state)
                VALUES ($1, 1, 'noop', 'default', 'w', $2, $2, 'completed', 1, 'completed')
                """, [Int64(back + 1), noon])
        }
        try db.execute(
            """
            INSERT INTO calworker.job_runs (job_id, attempt, kind, queue, worker_id, started_at, finished_at, outcome, duration_ms)
            VALUES (500, 1, 'noop', 'default', 'w', now() - interval '45 days', now() - interval '45 days', 'completed', 1)
            """)
        let live = try JobQueue().enqueue(NewJob(kind: "noop", runAt: now.addingTimeInterval(-60 * Self.day)), on: db).id
        // The day after tomorrow's partition goes missing. Made first: the template database
        // made its days ahead when it was created, which may have been before midnight UTC.
        let dayAfterTomorrow = HistoryPartitions.startOfDay(now.addingTimeInterval(2 * Self.day))
        try db.execute("SELECT calworker.ensure_history_partition(($1::timestamptz AT TIME ZONE 'UTC')::date)", [dayAfterTomorrow])
        try db.execute("DROP TABLE calworker.\(HistoryPartitions.name(of: dayAfterTomorrow))")

        let report = try JobQueue().maintainHistory(retention: .seconds(30 * 86_400), now: now, on: db)
        let cutoff = now.addingTimeInterval(-30 * Self.day)
        let kept = try db.query("SELECT job_id, finished_at FROM calworker.job_runs ORDER BY job_id").map {
            (try $0.decode(Int64.self, at: 0), try $0.decode(Date.self, at: 1))
        }
        #expect(
            kept.filter { $0.0 <= 40 }.allSatisfy { $0.1 >= HistoryPartitions.startOfDay(cutoff) },
            "every day before the one retention reaches into went")
        #expect(kept.contains { $0.0 <= 40 && $0.1 < cutoff }, "the day retention reaches into is kept whole")
        #expect(kept.filter { $0.0 <= 40 }.count == 31, "today and the 30 days before it")
        #expect(report.dropped.count == 9 && report.bytesDropped > 0)
        #expect(kept.contains { $0.0 == 500 }, "the default partition is pruned row by row, not by maintainHistory")
        #expect(try JobQueue().pruneRuns(olderThan: .seconds(30 * 86_400), batch: 100, on: db) == 1)
        #expect(
            report.created.contains(HistoryPartitions.name(of: HistoryPartitions.startOfDay(now.addingTimeInterval(2 * Self.day)))),
            "the missing day ahead was created: \(report.created)")
        #expect(try JobQueue().job(id: live, on: db)?.state == .available, "live jobs are never touched")
        #expect(
            try JobQueue().maintainHistory(retention: .seconds(30 * 86_400), now: now, on: db) == HistoryMaintenance(),
            "a second pass has nothing to do")
    }

    @Test func aDayCreatedLateTakesItsRecordsFromTheDefaultPartition() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let db = try database.connect()
        let later = HistoryPartitions.startOfDay(Date().addingTimeInterval(10 * Self.day)).addingTimeInterval(3600)
        // A worker whose clock runs ten days ahead: its record lands in the default partition.
        try db.execute(
            """
            INSERT INTO calworker.job_runs (job_id, attempt, kind, queue, worker_id, started_at, finished_at, outcome, duration_ms)
            VALUES (1, 1, 'noop', 'default', 'w', $1, $1, 'completed', 1)
            """, [later])
        #expect(
            try db.query("SELECT (SELECT relname FROM pg_class WHERE oid = r.tableoid)::text FROM calworker.job_runs AS r")[0].decode(
                String.self, at: 0) == "job_runs_default")
        try db.execute("SELECT calworker.ensure_history_partition(($1::timestamptz AT TIME ZONE 'UTC')::date)", [later])
        #expect(
            try db.query("SELECT (SELECT relname FROM pg_class WHERE oid = r.tableoid)::text FROM calworker.job_runs AS r")[0].decode(
                String.self, at: 0)
                == HistoryPartitions.name(of: HistoryPartitions.startOfDay(later)))
    }

    /// A long query reading the history holds its lock: the drop waits at most the timeout,
    /// is left for the next pass without an error, and that pass drops it.
    @Test func aDayALongReaderHoldsIsLeftForTheNextPass() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let db = try database.connect()
        let old = HistoryPartitions.startOfDay(Date().addingTimeInterval(-40 * Self.day))
        try db.execute("SELECT calworker.ensure_history_partition(($1::timestamptz AT TIME ZONE 'UTC')::date)", [old.addingTimeInterval(1)])
        let reader = try database.connect()
        try reader.execute("BEGIN")
        _ = try reader.query("SELECT count(*) FROM calworker.job_runs")
        let started = ContinuousClock.now
        let first = try JobQueue().maintainHistory(retention: .seconds(30 * 86_400), lockTimeout: .milliseconds(200), on: db)
        #expect(ContinuousClock.now - started < .seconds(5))
        #expect(first.deferred.contains(HistoryPartitions.name(of: old)) && first.dropped.isEmpty, "\(first)")
        #expect(try db.query("SELECT to_regclass($1) IS NOT NULL", ["calworker." + HistoryPartitions.name(of: old)])[0].decode(Bool.self, at: 0))
        try reader.execute("COMMIT")
        let second = try JobQueue().maintainHistory(retention: .seconds(30 * 86_400), lockTimeout: .milliseconds(200), on: db)
        #expect(second.dropped == [HistoryPartitions.name(of: old)] && second.deferred.isEmpty)
    }
}
