// The console benchmark: not a test. Prints figures and their ratio to a reference measured
// in the same run.
//
//   scripts/bench-console [--history-rows N] [--live-jobs N] [--requests N] [--clients N] [--seconds N] [--worker-jobs N]
//                         [--fresh-overviews N] [--flat-out 0|1]
//
// With a history of 10,000,000 run records (29 days, one partition each, a thousand accounts)
// and 100,000 live jobs waiting:
// 1. p50 and p99 of the overview, a runs page filtered by account and kind, and a job page with
//    five attempts, one client at a time over loopback (libcurl → the console's HTTP server), against
//    the same page's statements run directly on one connection (the SQL floor); and the overview
//    computed afresh (its figures are shared by every viewer for a second).
// 2. Requests per second with 50 clients at once (the three pages in turn), with p50 and p99
//    under that load, against the stylesheet served by the same server (no database).
// 3. A worker draining noop jobs alone, beside 50 clients each refreshing a page every second,
//    and beside 50 clients requesting flat out: the ratios. The clients run on the same cores.
import Accounts
import BenchSupport
import Console
import Foundation
import HTTPClient
import HTTPServer
import JobQueue
import Jobs
import Logging
import Metrics
import Postgres
import Synchronization
import Worker

guard let adminURL = argument("--url") else { fail("--url is required (scripts/bench-console passes it)") }
let historyRows = option("--history-rows", 10_000_000)
let liveJobs = option("--live-jobs", 100_000)
let requests = option("--requests", 300)
let clients = option("--clients", 50)
let loadSeconds = Double(option("--seconds", 15))
let workerJobs = option("--worker-jobs", 200_000)

func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }

func percentile(_ values: [Double], _ share: Double) -> Double {
    let sorted = values.sorted()
    return sorted[min(sorted.count - 1, Int(Double(sorted.count) * share))]
}

let admin = try PostgresConnection.connect(adminURL)
try admin.execute("DROP DATABASE IF EXISTS cw_console_bench WITH (FORCE)")
try admin.execute("CREATE DATABASE cw_console_bench")
let url = adminURL + " dbname=cw_console_bench"
let db = try PostgresConnection.connect(url)
try CalworkerSchema.migrator.migrate(on: db)

// The history: a record every 250 ms back from now, one in 50 a failure, a thousand accounts.
say("== seeding \(historyRows) run records and \(liveJobs) live jobs")
let seedingStart = ContinuousClock.now
do {
    try db.execute(
        """
        SELECT calworker.ensure_history_partition(d::date)
          FROM generate_series((now() - $1::bigint * interval '250 milliseconds') AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC',
                               interval '1 day') AS d
        """, [Int64(historyRows)])
    var written = 0
    while written < historyRows {
        let count = min(1_000_000, historyRows - written)
        try db.execute(
            """
            INSERT INTO calworker.job_runs (job_id, attempt, kind, queue, worker_id, started_at, finished_at, outcome, error, duration_ms,
                                            args, subject, priority, max_attempts, job_state)
            SELECT g, 1, CASE WHEN g % 7 = 0 THEN 'thumbnail' ELSE 'sync_account' END, 'default', 'bench', t - interval '1 second', t,
                   CASE WHEN g % 50 = 0 THEN 'discarded' ELSE 'completed' END,
                   CASE WHEN g % 50 = 0 THEN 'HTTP 503 from Google after 5 tries' END, 12.5,
                   jsonb_build_object('account_id', g % 1000), 'account:' || (g % 1000), 0, 20,
                   CASE WHEN g % 50 = 0 THEN 'discarded' ELSE 'completed' END
              FROM generate_series($1::bigint, $2::bigint) AS g,
                   LATERAL (SELECT now() - (g * interval '250 milliseconds') AS t) AS time
            """, [Int64(written + 1), Int64(written + count)])
        written += count
        say("  history: \(written) rows")
    }
    try db.execute("SELECT setval(pg_get_serial_sequence('calworker.jobs', 'id'), $1)", [Int64(historyRows + 10)])
}
// A job with five attempts, the last one running now.
let benchJobID: Int64 = try db.query(
    """
    INSERT INTO calworker.jobs (kind, args, state, attempt, max_attempts, attempted_at, lease_until, worker_id, subject)
    VALUES ('sync_account', '{"account_id": 17}', 'running', 5, 20, now(), now() + interval '1 hour', 'bench', 'account:17')
    RETURNING id
    """)[0].decode(at: 0)
do {
    try db.execute(
        """
        INSERT INTO calworker.job_runs (job_id, attempt, kind, queue, worker_id, started_at, finished_at, outcome, error, duration_ms,
                                        args, subject, max_attempts)
        SELECT $1, a, 'sync_account', 'default', 'bench', now() - a * interval '1 minute', now() - a * interval '1 minute' + interval '2 seconds',
               'failed', 'HTTP 503', 2000, '{"account_id": 17}', 'account:17', 20
          FROM generate_series(1, 4) AS a
        """, [benchJobID])
    var left = liveJobs
    while left > 0 {
        let count = min(left, 10_000)
        _ = try JobQueue().enqueueMany(
            (0..<count).map { index in
                NewJob(kind: "sync_account", args: "{\"account_id\": \(index % 1000)}", queue: index % 2 == 0 ? "default" : "media")
            }, on: db)
        left -= count
    }
    try db.execute(
        """
        INSERT INTO calworker.accounts (email, owner, key_id, refresh_token, last_synced_at, consecutive_failures)
        SELECT 'user' || g || '@example.com', 'owner' || (g % 300), 'k', '\\x00', now() - (g % 90) * interval '1 minute', g % 5
          FROM generate_series(1, 1000) AS g
        """)
    try db.execute("VACUUM ANALYZE")
    try db.execute(
        "INSERT INTO calworker.workers (id, hostname, pid, queues, concurrency, version) VALUES ('bench', 'bench', 1, '{default,media}', 10, 'bench')"
    )
}
say(
    "  seeded in \(fmt(seconds(since: seedingStart))) s; history \(try db.query("""
    SELECT pg_size_pretty(sum(pg_total_relation_size(inhrelid))) FROM pg_inherits WHERE inhparent = 'calworker.job_runs'::regclass
    """)[0].decode(String.self, at: 0))"
        + " (partitions: \(try db.query("SELECT count(*) FROM pg_inherits WHERE inhparent = 'calworker.job_runs'::regclass")[0].decode(Int.self, at: 0)))"
)

// The console, as `calworker console` serves it.
let token = "bench-operator-token-0123456789"
let app = try ConsoleApp(
    tokens: try ConsoleTokens(operatorToken: token),
    pool: ConnectionPool(url: url, size: 4, purpose: "the console"))
let server = try HTTPServer(address: "127.0.0.1:0", limits: ConsoleApp.serverLimits) { app.respond(to: $0) }
server.start()
let base = "http://127.0.0.1:\(server.port)"
let login = try HTTPClient(service: "bench", metrics: MetricsRegistry())
    .send(
        HTTPRequest(
            method: "POST", url: base + "/login", headers: [HTTPHeader("Content-Type", "application/x-www-form-urlencoded")],
            body: Data("token=\(token)".utf8)))
guard let setCookie = login.header("Set-Cookie") else { fail("login failed: \(login.status)") }

/// A logged-in browser's requests, from any thread.
struct Session: Sendable {
    let base: String
    let cookie: String

    /// GETs `path`; its time in seconds (a non-200 answer stops the benchmark).
    func get(_ client: HTTPClient, _ path: String) throws -> Double {
        let start = ContinuousClock.now
        let response = try client.send(HTTPRequest(url: base + path, headers: [HTTPHeader("Cookie", cookie)]))
        guard response.status == 200 else {
            fail("\(path) answered \(response.status): \(String(decoding: response.body, as: UTF8.self).suffix(600))")
        }
        return seconds(since: start)
    }
}
let session = Session(base: base, cookie: String(setCookie.prefix { $0 != ";" }))

let pages: [(name: String, path: String)] = [
    ("overview", "/"),
    ("runs of an account and kind", "/runs?account=17&kind=sync_account"),
    ("a job with five attempts", "/jobs/\(benchJobID)"),
]

/// The statements each page runs, straight on one connection: the floor the page stands on.
func floor(_ index: Int, on db: PostgresConnection) throws {
    switch index {
    case 0:
        _ = try JobQueue().statistics(on: db)
        _ = try AccountStore(cipher: nil).needingAttention(failures: 3, stale: .seconds(1800), limit: 20, on: db)
    case 1:
        var filter = RunFilter(kind: "sync_account", limit: 51)
        filter.subject = "account:17"
        _ = try JobQueue().runs(filter, on: db)
    default:
        _ = try JobQueue().job(id: benchJobID, on: db)
        _ = try JobQueue().runs(RunFilter(jobID: benchJobID, limit: 1000), on: db)
    }
}

say("== one client at a time, \(requests) requests per page (ms)")
let client = HTTPClient(service: "bench", metrics: MetricsRegistry())
for (index, page) in pages.enumerated() {
    for _ in 0..<20 { _ = try session.get(client, page.path) }
    var times: [Double] = []
    var floors: [Double] = []
    for _ in 0..<requests {
        times.append(try session.get(client, page.path))
        floors.append(try seconds { try floor(index, on: db) })
    }
    say(
        "  \(page.name): p50 \(fmt(percentile(times, 0.5) * 1000, 2)), p99 \(fmt(percentile(times, 0.99) * 1000, 2)); "
            + "its statements alone p50 \(fmt(percentile(floors, 0.5) * 1000, 2)), p99 \(fmt(percentile(floors, 0.99) * 1000, 2)); "
            + "page / statements at p50 \(fmt(percentile(times, 0.5) / percentile(floors, 0.5), 2))")
}

// The overview's figures are shared by its viewers for a second: one viewer a second and a bit
// apart always has them computed afresh.
var computed: [Double] = []
for _ in 0..<option("--fresh-overviews", 30) {
    Thread.sleep(forTimeInterval: 1.1)
    computed.append(try session.get(client, "/"))
}
say(
    "  overview computed afresh (requests 1.1 s apart, past the shared second): p50 \(fmt(percentile(computed, 0.5) * 1000, 2)), "
        + "p99 \(fmt(percentile(computed, 0.99) * 1000, 2)) (\(computed.count) requests)")

/// `clients` threads requesting `paths` in turn for `duration` seconds; the latencies.
func load(_ paths: [String], duration: Double, clients: Int, session: Session) -> [Double] {
    let latencies = Mutex<[Double]>([])
    let group = DispatchGroup()
    for worker in 0..<clients {
        group.enter()
        Thread {
            let client = HTTPClient(service: "bench", metrics: MetricsRegistry())
            var mine: [Double] = []
            let end = ContinuousClock.now + .seconds(duration)
            var turn = worker
            while ContinuousClock.now < end {
                if let time = try? session.get(client, paths[turn % paths.count]) { mine.append(time) }
                turn += 1
            }
            latencies.withLock { $0 += mine }
            group.leave()
        }.start()
    }
    group.wait()
    return latencies.withLock { $0 }
}

say("== \(clients) clients at once for \(Int(loadSeconds)) s")
let mixed = load(pages.map(\.path), duration: loadSeconds, clients: clients, session: session)
let stylesheet = load(["/static/console.css"], duration: min(loadSeconds, 5), clients: clients, session: session)
say(
    "  the three pages in turn: \(fmt(Double(mixed.count) / loadSeconds)) requests/s, p50 \(fmt(percentile(mixed, 0.5) * 1000, 1)) ms, "
        + "p99 \(fmt(percentile(mixed, 0.99) * 1000, 1)) ms; the stylesheet (no database) \(fmt(Double(stylesheet.count) / min(loadSeconds, 5))) requests/s; "
        + "ratio \(fmt(Double(mixed.count) / loadSeconds / (Double(stylesheet.count) / min(loadSeconds, 5)), 3))")

// The worker, alone and beside the load.
func drain() throws -> Double {
    _ = try JobQueue().enqueueMany((0..<workerJobs).map { _ in NewJob(kind: "noop", queue: "bench") }, on: db)
    var options = WorkerOptions()
    options.queues = ["bench"]
    options.concurrency = 10
    options.once = true
    options.prefetch = 1000
    let worker = Worker(databaseURL: url, registry: JobKinds.registry(), queue: JobQueue(), options: options, logger: .disabled)
    var summary = WorkerSummary()
    let elapsed = try seconds { summary = try worker.run() }
    guard summary.completed == workerJobs else { fail("the worker completed \(summary.completed) of \(workerJobs)") }
    return Double(workerJobs) / elapsed
}

/// The worker's rate while `clients` threads request the three pages in turn, each waiting
/// `pace` seconds between requests (nil: none, flat out); with the console's requests per second.
func drainBesideLoad(pace: Double?) throws -> (jobs: Double, requests: Double) {
    let stop = Atomic(false)
    let loadDone = DispatchSemaphore(value: 0)
    let served = Mutex(0)
    let started = ContinuousClock.now
    let paths = pages.map(\.path)
    for worker in 0..<clients {
        Thread { [session] in
            let client = HTTPClient(service: "bench", metrics: MetricsRegistry())
            var turn = worker
            var count = 0
            // Paced clients start spread over the first interval, as operators' pages would be.
            if let pace { Thread.sleep(forTimeInterval: pace * Double(worker) / Double(clients)) }
            while !stop.load(ordering: .relaxed) {
                let began = ContinuousClock.now
                if (try? session.get(client, paths[turn % paths.count])) != nil { count += 1 }
                turn += 1
                if let pace { Thread.sleep(forTimeInterval: max(0, pace - seconds(since: began))) }
            }
            served.withLock { $0 += count }
            loadDone.signal()
        }.start()
    }
    Thread.sleep(forTimeInterval: 1)
    let jobs = try drain()
    stop.store(true, ordering: .relaxed)
    for _ in 0..<clients { loadDone.wait() }
    return (jobs, Double(served.withLock { $0 }) / seconds(since: started))
}

say(
    "== a worker draining \(workerJobs) noop jobs (concurrency 10, prefetch 1000): alone, beside \(clients) clients each refreshing "
        + "a page every second (5 times the console's own refresh), and beside \(clients) clients requesting flat out")
var alone: [Double] = []
var paced: [Double] = []
var flat: [Double] = []
for round in 1...3 {
    alone.append(try drain())
    let pacedRun = try drainBesideLoad(pace: 1)
    paced.append(pacedRun.jobs)
    let flatRun = option("--flat-out", 1) == 1 ? try drainBesideLoad(pace: nil) : (jobs: 0, requests: 0)
    flat.append(flatRun.jobs)
    say(
        "  round \(round): alone \(fmt(alone.last!)) jobs/s; beside refreshing clients \(fmt(pacedRun.jobs)) jobs/s "
            + "(console \(fmt(pacedRun.requests)) requests/s); beside flat-out clients \(fmt(flatRun.jobs)) jobs/s (console \(fmt(flatRun.requests)) requests/s)"
    )
}
say(
    "  medians: alone \(fmt(median(alone))), refreshing \(fmt(median(paced))) (ratio \(fmt(median(paced) / median(alone), 2))), "
        + "flat out \(fmt(median(flat))) (ratio \(fmt(median(flat) / median(alone), 2))) jobs/s")
server.stop()
try admin.execute("DROP DATABASE IF EXISTS cw_console_bench WITH (FORCE)")
