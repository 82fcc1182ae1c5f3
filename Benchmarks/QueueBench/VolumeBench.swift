import Basics
import BenchSupport
import Foundation
import JobQueue
import Jobs
import Logging
import Metrics
import Postgres
import Worker

/// The queue at volume (issue 17's measurements, before the history is reshaped): a sustained
/// drain in windows of 100,000 jobs, and finding runs in a large history.
struct VolumeBench {
    let bench: QueueBench

    /// Enqueues `count` noop jobs, drains them with one long-running worker, and returns the
    /// seconds each window of `window` jobs took, in order.
    func sustainedDrain(_ count: Int, window: Int = 100_000) throws -> (windows: [Double], total: Double) {
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
        let worker = Worker(databaseURL: bench.url, registry: JobKinds.registry(), queue: bench.queue, options: options,
                            logger: Logger(level: .warning, handler: TextLogHandler()), metrics: metrics)
        let finished = metrics.counter("calworker_jobs_finished_total", help: "", labels: ["kind", "outcome"]).labels("noop", "completed")
        let done = DispatchSemaphore(value: 0)
        let start = ContinuousClock.now
        Thread { _ = try? worker.run(); done.signal() }.start()
        var windows: [Double] = []
        var last = start
        while Int(finished.current) < count {
            Thread.sleep(forTimeInterval: 0.02)
            let reached = Int(finished.current) / window
            while windows.count < reached {
                let now = ContinuousClock.now
                windows.append((now - last).seconds)
                last = now
            }
            if (ContinuousClock.now - start) > .seconds(3600) { fail("the drain did not end within an hour") }
        }
        let total = (ContinuousClock.now - start).seconds
        worker.requestStop()
        done.wait()
        return (windows, total)
    }

    /// Sizes of the queue's tables with their indexes, in MiB.
    func tableSizes() throws -> [(String, Double)] {
        try ["jobs", "job_runs"].map { table in
            (table, try bench.db.query("SELECT pg_total_relation_size($1)::float8", ["calworker.\(table)"])[0].decode(Double.self, at: 0) / 1_048_576)
        }
    }

    /// Fills the history with `rows` run records of 1,000 accounts (sync_account, args and
    /// subject as the real ones), then times `runs --account`, `runs --arg` and a late page
    /// against the first, each the median of 5. Returns (label, ms) pairs.
    func findingRuns(rows: Int) throws -> [(String, Double)] {
        try bench.db.execute("TRUNCATE calworker.jobs, calworker.job_runs")
        let chunk = 1_000_000
        var written = 0
        while written < rows {
            let count = min(chunk, rows - written)
            try bench.db.execute("""
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
        return [("runs --account 421", try timed(byAccount)), ("runs --arg account_id=421", try timed(byArg)),
                ("page 1 (50 runs)", try timed(firstPage)), ("page 1,000 (50 runs, --before)", try timed(late))]
    }
}

/// Prints a line at once, so progress shows while a long measurement runs.
func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }
