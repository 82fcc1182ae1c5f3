// The queue benchmark: not a test. Prints figures and ratios measured in one run.
//
//   scripts/bench-queue [--jobs N] [--concurrency N] [--batch N]
//
// 1. enqueue N noop jobs (batched statements, then one statement per job for a sample);
// 2. work them with the real worker (in-process, --once), a run record written per attempt;
// 3. the SQL limit: the same claim and complete statements driven by pgbench at the same
//    batch size, with as many connections as the worker uses for claiming and completing;
// 4. pickup latency: an idle worker woken by NOTIFY, enqueue -> start (database clock).
import Foundation
import JobQueue
import Jobs
import Logging
import Postgres
import Worker

struct Settings {
    var adminURL = ""
    var jobs = 100_000
    var concurrency = 100
    var batch = 100
    var prefetch = 100
    var latencySamples = 500
    var pgbench = "pgbench"

    static func parse() -> Settings {
        var settings = Settings()
        var arguments = Array(CommandLine.arguments.dropFirst())
        while !arguments.isEmpty {
            let name = arguments.removeFirst()
            guard let value = arguments.first else { fail("\(name) needs a value") }
            arguments.removeFirst()
            switch name {
            case "--url": settings.adminURL = value
            case "--jobs": settings.jobs = Int(value) ?? settings.jobs
            case "--concurrency": settings.concurrency = Int(value) ?? settings.concurrency
            case "--batch": settings.batch = Int(value) ?? settings.batch
            case "--prefetch": settings.prefetch = Int(value) ?? settings.prefetch
            case "--latency-samples": settings.latencySamples = Int(value) ?? settings.latencySamples
            case "--pgbench": settings.pgbench = value
            default: fail("unknown option \(name)")
            }
        }
        if settings.adminURL.isEmpty { fail("--url CONNINFO (of a database in a throwaway cluster) is required; use scripts/bench-queue") }
        return settings
    }
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("bench: \(message)\n".utf8))
    exit(1)
}

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = ContinuousClock.now
    try body()
    return (ContinuousClock.now - start).seconds
}

func percentile(_ sorted: [Double], _ p: Double) -> Double {
    guard !sorted.isEmpty else { return .nan }
    return sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
}

func fmt(_ value: Double, _ digits: Int = 0) -> String { String(format: "%.\(digits)f", value) }

func dumpState(_ db: PostgresConnection) {
    let queries = [
        "SELECT state, attempt, count(*), min(id), max(id), min(run_at)::text, min(attempted_at)::text, max(attempted_at)::text FROM calworker.jobs GROUP BY 1, 2",
        "SELECT outcome, attempt, count(*), min(job_id), max(job_id), min(started_at)::text, max(finished_at)::text FROM calworker.job_runs GROUP BY 1, 2",
    ]
    for sql in queries {
        guard let rows = try? db.query(sql) else { continue }
        for row in rows { print((0..<rows.columns.count).map { row.text($0) ?? "NULL" }) }
    }
}

let settings = Settings.parse()
let benchDB = "cw_bench"
let admin = try PostgresConnection.connect(settings.adminURL)
try admin.execute("DROP DATABASE IF EXISTS \(benchDB) WITH (FORCE)")
try admin.execute("CREATE DATABASE \(benchDB)")
let url = settings.adminURL + " dbname=\(benchDB)"
let db = try PostgresConnection.connect(url)
try Migrator().migrate(on: db)
let queue = JobQueue()
let server = try db.query("SELECT current_setting('server_version'), current_setting('fsync'), current_setting('synchronous_commit')")[0]
print("machine: \(ProcessInfo.processInfo.activeProcessorCount) cores, \(ProcessInfo.processInfo.physicalMemory >> 30) GiB; "
      + "PostgreSQL \(try server.decode(String.self, at: 0)) on the same machine (fsync \(try server.decode(String.self, at: 1)), "
      + "synchronous_commit \(try server.decode(String.self, at: 2)))")

// 1. Enqueue.
let enqueueBatch = 1000
let bulkTime = try seconds {
    var remaining = settings.jobs
    while remaining > 0 {
        let count = min(enqueueBatch, remaining)
        try queue.enqueueMany(Array(repeating: NewJob(kind: "noop"), count: count), on: db)
        remaining -= count
    }
}
print("enqueue, \(enqueueBatch) jobs per statement: \(settings.jobs) jobs in \(fmt(bulkTime, 2)) s = \(fmt(Double(settings.jobs) / bulkTime)) jobs/s")
let singles = 2000
let singleTime = try seconds {
    for _ in 0..<singles { _ = try queue.enqueue(NewJob(kind: "noop", queue: "singles"), on: db) }
}
print("enqueue, one statement per job: \(singles) jobs in \(fmt(singleTime, 2)) s = \(fmt(Double(singles) / singleTime)) jobs/s")
try db.execute("DELETE FROM calworker.jobs WHERE queue = 'singles'")
try db.execute("VACUUM ANALYZE calworker.jobs")

// 2. Work, with the real worker.
var options = WorkerOptions()
options.concurrency = settings.concurrency
options.claimBatch = settings.batch
options.prefetch = settings.prefetch
options.once = true
let worker = Worker(databaseURL: url, registry: JobKinds.registry(), queue: queue, options: options, logger: Logger(level: .notice, handler: TextLogHandler()))
var summary = WorkerSummary()
let workTime = try seconds { summary = try worker.run() }
let runRecords = try db.query("SELECT count(*) FROM calworker.job_runs")[0].decode(Int.self, at: 0)
let completedJobs = try db.query("SELECT count(*) FROM calworker.jobs WHERE state = 'completed'")[0].decode(Int.self, at: 0)
guard completedJobs == settings.jobs, runRecords == settings.jobs else {
    dumpState(db)
    fail("expected \(settings.jobs) completed jobs and run records, found \(completedJobs) and \(runRecords)")
}
let workRate = Double(settings.jobs) / workTime
print("work: \(settings.jobs) noop jobs in \(fmt(workTime, 2)) s = \(fmt(workRate)) jobs/s "
      + "(concurrency \(settings.concurrency), prefetch \(settings.prefetch), claim batch \(settings.batch), \(runRecords) run records written)")

// 3. The SQL limit: the same statements from pgbench.
try db.execute("TRUNCATE calworker.jobs, calworker.job_runs")
var remaining = settings.jobs
while remaining > 0 {
    let count = min(enqueueBatch, remaining)
    try queue.enqueueMany(Array(repeating: NewJob(kind: "noop"), count: count), on: db)
    remaining -= count
}
try db.execute("VACUUM ANALYZE calworker.jobs")
// The production statements, with their $n parameters turned into pgbench variables: the
// claim's results are aggregated into arrays (\gset) that feed the finish statement.
func pgbenchVariables(_ sql: String, _ names: [String]) -> String {
    var text = sql
    for (index, name) in names.enumerated().reversed() { text = text.replacingOccurrences(of: "$\(index + 1)", with: ":\(name)") }
    return text
}
let claimPart = pgbenchVariables(JobQueue.Statements.claimCTE, ["queue", "limit", "lease", "worker"])
let finishPart = pgbenchVariables(JobQueue.Statements.finish,
                                  ["ids", "attempts", "outcomes", "errors", "retry_ats", "finished_ats", "durations", "figures", "worker"])
let script = claimPart + """
    SELECT coalesce(array_agg(id), '{}')::text AS ids, coalesce(array_agg(attempt), '{}')::text AS attempts,
           array_fill('completed'::text, ARRAY[count(*)::int])::text AS outcomes,
           array_fill(NULL::text, ARRAY[count(*)::int])::text AS errors,
           array_fill(NULL::timestamptz, ARRAY[count(*)::int])::text AS retry_ats,
           array_fill(now(), ARRAY[count(*)::int])::text AS finished_ats,
           array_fill(0.01::double precision, ARRAY[count(*)::int])::text AS durations,
           array_fill('{}'::jsonb, ARRAY[count(*)::int])::text AS figures
      FROM claimed
    \\gset
    """ + "\n" + finishPart + ";\n"
let scriptURL = FileManager.default.temporaryDirectory.appendingPathComponent("cw-bench-\(getpid()).sql")
try script.write(to: scriptURL, atomically: true, encoding: .utf8)
let clients = 2  // the worker claims on one connection and completes on another
let transactions = (settings.jobs + settings.batch * clients - 1) / (settings.batch * clients)
let pgbench = Process()
pgbench.executableURL = URL(fileURLWithPath: "/usr/bin/env")
pgbench.arguments = [settings.pgbench, "-n", "-M", "prepared", "-c", String(clients), "-j", String(clients),
                     "-D", "queue=default", "-D", "limit=\(settings.batch)", "-D", "lease=30 seconds", "-D", "worker=pgbench",
                     "-t", String(transactions), "-f", scriptURL.path, url]
let pipe = Pipe()
pgbench.standardOutput = pipe
pgbench.standardError = FileHandle.standardError
var pgbenchOutput = ""
let sqlTime = try seconds {
    try pgbench.run()
    pgbenchOutput = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    pgbench.waitUntilExit()
}
guard pgbench.terminationStatus == 0 else { fail("pgbench failed:\n\(pgbenchOutput)") }
let sqlDone = try db.query("SELECT count(*) FROM calworker.job_runs")[0].decode(Int.self, at: 0)
let sqlRate = Double(sqlDone) / sqlTime
print("SQL limit (pgbench -M prepared, the worker's own claim + finish statements, batch \(settings.batch), \(clients) connections): "
      + "\(sqlDone) jobs in \(fmt(sqlTime, 2)) s = \(fmt(sqlRate)) jobs/s")
print("work throughput / SQL limit = \(fmt(workRate / sqlRate, 2))")

// 4. Pickup latency: an idle worker, jobs enqueued one at a time.
try db.execute("TRUNCATE calworker.jobs, calworker.job_runs")
var idleOptions = WorkerOptions()
idleOptions.concurrency = 10
idleOptions.pollInterval = .seconds(60)  // so every pickup below comes from NOTIFY
let idleWorker = Worker(databaseURL: url, registry: JobKinds.registry(), queue: queue, options: idleOptions, logger: .disabled)
let done = DispatchSemaphore(value: 0)
Thread { _ = try? idleWorker.run(); done.signal() }.start()
Thread.sleep(forTimeInterval: 0.5)
for _ in 0..<settings.latencySamples {
    _ = try queue.enqueue(NewJob(kind: "noop"), on: db)
    Thread.sleep(forTimeInterval: 0.004)
}
_ = try db.query("SELECT 1")
let deadline = Date().addingTimeInterval(30)
while try db.query("SELECT count(*) FROM calworker.job_runs")[0].decode(Int.self, at: 0) < settings.latencySamples, Date() < deadline {
    Thread.sleep(forTimeInterval: 0.05)
}
idleWorker.requestStop()
done.wait()
let latencies = try db.query("SELECT extract(epoch FROM attempted_at - created_at) * 1000 FROM calworker.jobs WHERE attempted_at IS NOT NULL")
    .map { try $0.decode(Double.self, at: 0) }.sorted()
print("pickup latency with NOTIFY (idle worker, \(latencies.count) jobs enqueued one by one): "
      + "p50 \(fmt(percentile(latencies, 0.5), 2)) ms, p99 \(fmt(percentile(latencies, 0.99), 2)) ms")
try? FileManager.default.removeItem(at: scriptURL)
