import BenchSupport
import Foundation
import JobQueue
import Jobs
import Logging
import Postgres
import Worker

/// The measurements, each on a table prepared the same way.
struct QueueBench {
    let settings: Settings
    let url: String
    let db: PostgresConnection
    let queue = JobQueue()

    /// Empties the tables, enqueues `settings.jobs` noop jobs in batches, and analyzes, so every
    /// measured run starts from the same state. Returns the enqueue time.
    @discardableResult
    func prepare() throws -> Double {
        try db.execute("TRUNCATE calworker.jobs, calworker.job_runs")
        let time = try seconds {
            var remaining = settings.jobs
            while remaining > 0 {
                let count = min(1000, remaining)
                try queue.enqueueMany(Array(repeating: NewJob(kind: "noop"), count: count), on: db)
                remaining -= count
            }
        }
        try db.execute("VACUUM ANALYZE calworker.jobs")
        try db.execute("CHECKPOINT")
        return time
    }

    func enqueueOneByOne(_ count: Int) throws -> Double {
        try db.execute("TRUNCATE calworker.jobs, calworker.job_runs")
        return try seconds {
            for _ in 0..<count { _ = try queue.enqueue(NewJob(kind: "noop"), on: db) }
        }
    }

    /// The real worker, in-process, `once` mode. Returns jobs per second.
    func work() throws -> Double {
        var options = WorkerOptions()
        options.concurrency = settings.concurrency
        options.claimBatch = settings.batch
        options.prefetch = settings.prefetch
        options.once = true
        let worker = Worker(
            databaseURL: url, registry: JobKinds.registry(), queue: queue, options: options,
            logger: Logger(level: .warning, handler: TextLogHandler()))
        let time = try seconds { _ = try worker.run() }
        try verifyAllCompleted(worker: nil)
        return Double(settings.jobs) / time
    }

    /// pgbench running the worker's own claim and finish statements (from
    /// `JobQueue.Statements`, `$n` parameters mapped to pgbench variables) at the same batch
    /// size, on two connections as the worker claims on one and completes on another.
    func sqlLimit() throws -> Double {
        func variables(_ sql: String, _ names: [String]) -> String {
            var text = sql
            for (index, name) in names.enumerated().reversed() { text = text.replacingOccurrences(of: "$\(index + 1)", with: ":\(name)") }
            return text
        }
        // The worker's claim from the last position taken (a pgbench client's variables last
        // from one transaction to the next), from the top again when a claim came back empty.
        let claim = variables(JobQueue.Statements.claimAfterCTE, ["queue", "limit", "lease", "worker", "after_priority", "after_due", "after_id"])
        let finish = variables(
            JobQueue.Statements.finish,
            ["ids", "attempts", "outcomes", "errors", "retry_ats", "finished_ats", "durations", "figures", "worker"])
        let script =
            claim + """
                SELECT coalesce(array_agg(id), '{}')::text AS ids, coalesce(array_agg(attempt), '{}')::text AS attempts,
                       array_fill('completed'::text, ARRAY[count(*)::int])::text AS outcomes,
                       array_fill(NULL::text, ARRAY[count(*)::int])::text AS errors,
                       array_fill(NULL::timestamptz, ARRAY[count(*)::int])::text AS retry_ats,
                       array_fill(now(), ARRAY[count(*)::int])::text AS finished_ats,
                       array_fill(0.01::double precision, ARRAY[count(*)::int])::text AS durations,
                       array_fill('{}'::jsonb, ARRAY[count(*)::int])::text AS figures,
                       coalesce((array_agg(priority ORDER BY priority DESC, run_at_us DESC, id DESC))[1], -32768) AS after_priority,
                       coalesce((array_agg(run_at_us ORDER BY priority DESC, run_at_us DESC, id DESC))[1], 0) AS after_due,
                       coalesce((array_agg(id ORDER BY priority DESC, run_at_us DESC, id DESC))[1], 0) AS after_id
                  FROM claimed
                \\gset
                """ + "\n" + finish + ";\n"
        let scriptURL = FileManager.default.temporaryDirectory.appendingPathComponent("cw-bench-\(getpid()).sql")
        try script.write(to: scriptURL, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: scriptURL) }
        let clients = 2
        let transactions = (settings.jobs + settings.batch * clients - 1) / (settings.batch * clients)
        let pgbench = Process()
        pgbench.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        pgbench.arguments = [
            settings.pgbench, "-n", "-M", "prepared", "-c", String(clients), "-j", String(clients),
            "-D", "queue=default", "-D", "limit=\(settings.batch)", "-D", "lease=30 seconds", "-D", "worker=pgbench",
            "-D", "after_priority=-32768", "-D", "after_due=0", "-D", "after_id=0",
            "-t", String(transactions), "-f", scriptURL.path, url,
        ]
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("cw-bench-\(getpid()).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: log) }
        pgbench.standardOutput = try FileHandle(forWritingTo: log)
        pgbench.standardError = FileHandle.standardError
        let time = try seconds {
            try pgbench.run()
            pgbench.waitUntilExit()
        }
        guard pgbench.terminationStatus == 0 else { fail("pgbench failed: \((try? String(contentsOf: log, encoding: .utf8)) ?? "")") }
        try verifyAllCompleted(worker: "pgbench")
        return Double(settings.jobs) / time
    }

    func verifyAllCompleted(worker: String?) throws {
        let runs = try db.query("SELECT count(*) FROM calworker.job_runs")[0].decode(Int.self, at: 0)
        let completed = try db.query("SELECT count(*) FROM calworker.job_runs WHERE job_state = 'completed'")[0].decode(Int.self, at: 0)
        let left = try db.query("SELECT count(*) FROM calworker.jobs")[0].decode(Int.self, at: 0)
        guard runs == settings.jobs, completed == settings.jobs, left == 0 else {
            fail(
                "\(worker ?? "worker"): expected \(settings.jobs) completed jobs and run records and no job left, "
                    + "found \(completed), \(runs) and \(left)")
        }
    }

    /// An idle worker (polling once a minute, so NOTIFY does the waking) and jobs enqueued one
    /// at a time; enqueue -> start on the database clock. Returns the sorted latencies in ms.
    func pickupLatencies() throws -> [Double] {
        try db.execute("TRUNCATE calworker.jobs, calworker.job_runs")
        var options = WorkerOptions()
        options.concurrency = 10
        options.pollInterval = .seconds(60)
        let worker = Worker(databaseURL: url, registry: JobKinds.registry(), queue: queue, options: options, logger: .disabled)
        let done = DispatchSemaphore(value: 0)
        Thread {
            _ = try? worker.run()
            done.signal()
        }.start()
        Thread.sleep(forTimeInterval: 0.5)
        for _ in 0..<settings.latencySamples {
            _ = try queue.enqueue(NewJob(kind: "noop"), on: db)
            Thread.sleep(forTimeInterval: 0.004)
        }
        let deadline = Date().addingTimeInterval(30)
        while try db.query("SELECT count(*) FROM calworker.job_runs")[0].decode(Int.self, at: 0) < settings.latencySamples,
            Date() < deadline
        {
            Thread.sleep(forTimeInterval: 0.05)
        }
        worker.requestStop()
        done.wait()
        return try db.query("SELECT extract(epoch FROM started_at - created_at) * 1000 FROM calworker.job_runs")
            .map { try $0.decode(Double.self, at: 0) }.sorted()
    }
}
