import Basics
import BenchSupport
import Foundation
import JobQueue
import Jobs
import Logging
import Metrics
import Postgres
import Worker

/// The queue at volume (issue 17): a sustained drain in windows of 100,000 jobs, finding runs
/// in a large history, and retention of a day of history.
struct VolumeBench {
    let bench: QueueBench

    /// Enqueues `count` noop jobs, drains them with one long-running worker, and returns the
    /// seconds each window of `window` jobs took, in order.
    func sustainedDrain(_ count: Int, window: Int = 100_000) throws -> (windows: [Double], total: Double, claimMs: [Double], checkpoints: [Int]) {
        try bench.db.execute("TRUNCATE calworker.jobs, calworker.job_runs")
        var remaining = count
        while remaining > 0 {
            let batch = min(1000, remaining)
            try bench.queue.enqueueMany(Array(repeating: NewJob(kind: "noop"), count: batch), on: bench.db)
            remaining -= batch
        }
        try bench.db.execute("VACUUM ANALYZE calworker.jobs")
        try bench.db.execute("CHECKPOINT")
        var options = WorkerOptions()
        options.concurrency = bench.settings.concurrency
        options.claimBatch = bench.settings.batch
        options.prefetch = bench.settings.prefetch
        let metrics = MetricsRegistry()
        let worker = Worker(
            databaseURL: bench.url, registry: JobKinds.registry(), queue: bench.queue, options: options,
            logger: Logger(level: .warning, handler: TextLogHandler()), metrics: metrics)
        let finished = metrics.counter("calworker_jobs_finished_total", help: "", labels: ["kind", "outcome"]).labels("noop", "completed")
        let claims = metrics.histogram("calworker_claim_duration_seconds", help: "", labels: ["queue"], buckets: Buckets.requestSeconds)
            .labels("default")
        var claimMs: [Double] = []
        // Checkpoints started in each window: the full-page writes after one slow the next
        // seconds of any write-heavy load, so a dip can be told from a decay.
        func checkpointCount() throws -> Int {
            try bench.db.query("SELECT (checkpoints_timed + checkpoints_req)::bigint FROM pg_stat_bgwriter")[0].decode(Int.self, at: 0)
        }
        var checkpoints: [Int] = []
        var lastCheckpoints = try checkpointCount()
        var lastClaims = (sum: 0.0, count: UInt64(0))
        let done = DispatchSemaphore(value: 0)
        let start = ContinuousClock.now
        Thread {
            _ = try? worker.run()
            done.signal()
        }.start()
        var windows: [Double] = []
        var last = start
        while Int(finished.current) < count {
            Thread.sleep(forTimeInterval: 0.02)
            let reached = Int(finished.current) / window
            while windows.count < reached {
                let now = ContinuousClock.now
                windows.append((now - last).seconds)
                last = now
                let totals = claims.totals
                claimMs.append((totals.sum - lastClaims.sum) * 1000 / Double(max(1, totals.count - lastClaims.count)))
                lastClaims = totals
                let count = try checkpointCount()
                checkpoints.append(count - lastCheckpoints)
                lastCheckpoints = count
            }
            if (ContinuousClock.now - start) > .seconds(3600) { fail("the drain did not end within an hour") }
        }
        let total = (ContinuousClock.now - start).seconds
        worker.requestStop()
        done.wait()
        return (windows, total, claimMs, checkpoints)
    }

    /// Sizes of the queue's tables with their indexes (the history: all its partitions), in MiB.
    func tableSizes() throws -> [(String, Double)] {
        try ["jobs", "job_runs"].map { table in
            (
                table,
                try bench.db.query(
                    """
                    SELECT coalesce(sum(pg_total_relation_size(relid)), pg_total_relation_size($1::regclass))::float8
                      FROM pg_partition_tree($1::regclass)
                    """,
                    ["calworker.\(table)"])[0].decode(Double.self, at: 0) / 1_048_576
            )
        }
    }

    /// Fills the history with `rows` run records of 1,000 accounts (sync_account, args and
    /// subject as the real ones), then times `runs --account`, `runs --arg` and a late page
    /// against the first, each the median of 5. Returns (label, ms) pairs.
    func findingRuns(rows: Int) throws -> [(String, Double)] {
        try bench.db.execute("TRUNCATE calworker.jobs, calworker.job_runs")
        // The days the records span get their partitions first, as the cleanup job keeps them.
        try bench.db.execute(
            """
            SELECT calworker.ensure_history_partition(d::date)
              FROM generate_series((now() - $1::bigint * interval '250 milliseconds') AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC',
                                   interval '1 day') AS d
            """, [Int64(rows)])
        let chunk = 1_000_000
        var written = 0
        while written < rows {
            let count = min(chunk, rows - written)
            try bench.db.execute(
                """
                INSERT INTO calworker.job_runs (job_id, attempt, kind, queue, worker_id, started_at, finished_at, outcome, duration_ms,
                                                args, subject, priority, max_attempts)
                SELECT g, 1, 'sync_account', 'default', 'bench', t - interval '1 second', t, 'completed', 12.5,
                       jsonb_build_object('account_id', g % 1000), 'account:' || (g % 1000), 0, 20
                  FROM generate_series($1::bigint, $2::bigint) AS g,
                       LATERAL (SELECT now() - (g * interval '250 milliseconds') AS t) AS time
                """, [Int64(written + 1), Int64(written + count)])
            written += count
            say("  history: \(written) rows")
        }
        try bench.db.execute("VACUUM ANALYZE calworker.job_runs")
        func timed(_ filter: RunFilter) throws -> Double {
            var samples: [Double] = []
            for _ in 0..<5 { samples.append(try seconds { _ = try bench.queue.runs(filter, on: bench.db) } * 1000) }
            return median(samples)
        }
        var byAccount = RunFilter()
        byAccount.subject = "account:421"
        var byArg = RunFilter()
        byArg.argsContaining = #"{"account_id": 421}"#
        var firstPage = RunFilter()
        firstPage.limit = 50
        // Page 1,000 of 50: walk there along the cursor, then time that page alone.
        var late = firstPage
        for _ in 0..<999 {
            guard let cursor = try bench.queue.runs(late, on: bench.db).last?.cursor.flatMap(RunCursor.init) else { break }
            late.before = cursor
        }
        return [
            ("runs --account 421", try timed(byAccount)), ("runs --arg account_id=421", try timed(byArg)),
            ("page 1 (50 runs)", try timed(firstPage)), ("page 1,000 (50 runs, --before)", try timed(late)),
        ]
    }
}

extension VolumeBench {
    /// A day of `rows` run records 40 days old, dropped by retention as the cleanup job does
    /// (`maintainHistory`), against the same rows deleted 1,000 at a time as retention did
    /// before the history was partitioned. Returns (drop s, size MiB, batched delete s, table
    /// size after the delete MiB).
    func retention(rows: Int) throws -> (drop: Double, size: Double, delete: Double, sizeAfterDelete: Double) {
        try bench.db.execute("TRUNCATE calworker.jobs, calworker.job_runs")
        func fill(daysAgo: Int) throws -> String {
            try bench.db.execute(
                "SELECT calworker.ensure_history_partition(((now() - make_interval(days => $1)) AT TIME ZONE 'UTC')::date)",
                [daysAgo])
            try bench.db.execute(
                """
                INSERT INTO calworker.job_runs (job_id, attempt, kind, queue, worker_id, started_at, finished_at, outcome, duration_ms,
                                                args, subject, priority, max_attempts, job_state)
                SELECT g, 1, 'sync_account', 'default', 'bench', t, t, 'completed', 12.5,
                       jsonb_build_object('account_id', g % 1000), 'account:' || (g % 1000), 0, 20, 'completed'
                  FROM generate_series(1, $2::bigint) AS g,
                       LATERAL (SELECT date_trunc('day', (now() - make_interval(days => $1)) AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
                                       + (g * interval '80 milliseconds') AS t) AS time
                """, [daysAgo, Int64(rows)])
            let day = HistoryPartitions.startOfDay(Date().addingTimeInterval(-Double(daysAgo) * 86_400))
            try bench.db.execute("VACUUM ANALYZE calworker.\(HistoryPartitions.name(of: day))")
            return HistoryPartitions.name(of: day)
        }
        func size(_ table: String) throws -> Double {
            try bench.db.query("SELECT pg_total_relation_size($1)::float8", ["calworker." + table])[0].decode(Double.self, at: 0) / 1_048_576
        }
        // The reference: the same rows, deleted in batches of 1,000 as retention did.
        let old = try fill(daysAgo: 41)
        let deleteTime = try seconds {
            while try bench.db.execute(
                """
                DELETE FROM calworker.\(old) WHERE ctid = ANY(ARRAY(
                    SELECT ctid FROM calworker.\(old) WHERE finished_at < now() - interval '30 days' ORDER BY finished_at LIMIT 1000))
                """) > 0
            {}
        }
        let afterDelete = try size(old)
        let dropped = try fill(daysAgo: 40)
        let partitionSize = try size(dropped)
        var report = HistoryMaintenance()
        let dropTime = try seconds { report = try bench.queue.maintainHistory(retention: .seconds(30 * 86_400), on: bench.db) }
        guard report.dropped.contains(dropped) else { fail("retention did not drop \(dropped): \(report)") }
        return (dropTime, partitionSize, deleteTime, afterDelete)
    }
}

/// Prints a line at once, so progress shows while a long measurement runs.
func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }
