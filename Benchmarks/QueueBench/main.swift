import BenchSupport
import Foundation
import JobQueue
// The queue benchmark: not a test. Prints figures and ratios measured in one run.
//
//   scripts/bench-queue [--fast] [--jobs N] [--concurrency N] [--prefetch N] [--batch N] [--rounds N] [--compare-run-counts]
//
// Enqueue throughput; then, in interleaved rounds on identically prepared tables, the real
// worker and the SQL limit (pgbench running the worker's own statements); then pickup
// latency of an idle worker woken by NOTIFY. Medians of the rounds are reported.
import Jobs
import Postgres

let settings = Settings.parse()
let admin = try PostgresConnection.connect(settings.adminURL)
try admin.execute("DROP DATABASE IF EXISTS cw_bench WITH (FORCE)")
try admin.execute("CREATE DATABASE cw_bench")
let url = settings.adminURL + " dbname=cw_bench"
let db = try PostgresConnection.connect(url)
try CalworkerSchema.migrator.migrate(on: db)
let bench = QueueBench(settings: settings, url: url, db: db)

if settings.volume {
    let volume = VolumeBench(bench: bench)
    say(
        "== sustained drain of \(settings.drainJobs) noop jobs, one long-running worker (concurrency \(settings.concurrency), "
            + "claim batch \(settings.batch), prefetch \(settings.prefetch)), in windows of 100,000")
    let drain = try volume.sustainedDrain(settings.drainJobs)
    for (index, seconds) in drain.windows.enumerated() {
        say(
            "  window \(index + 1): \(fmt(100_000 / seconds)) jobs/s (\(fmt(100_000 / seconds / (100_000 / drain.windows[0]), 2)) of the first); "
                + "mean claim \(fmt(drain.claimMs[index], 2)) ms" + (drain.checkpoints[index] > 0 ? "; a checkpoint began" : ""))
    }
    let overall = Double(settings.drainJobs) / drain.total
    say("  overall: \(fmt(overall)) jobs/s")
    say("  table sizes after the drain: " + (try volume.tableSizes()).map { "\($0.0) \(fmt($0.1)) MiB" }.joined(separator: ", "))
    var sustained = settings
    sustained.jobs = settings.drainJobs
    let limitBench = QueueBench(settings: sustained, url: url, db: db)
    try limitBench.prepare()
    let sqlLimit = try limitBench.sqlLimit()
    say(
        "  SQL limit, the same \(settings.drainJobs) jobs (pgbench, same statements): \(fmt(sqlLimit)) jobs/s; worker / limit = \(fmt(overall / sqlLimit, 2))"
    )
    say("  table sizes after the SQL limit's run: " + (try volume.tableSizes()).map { "\($0.0) \(fmt($0.1)) MiB" }.joined(separator: ", "))
    say("== finding runs in a history of \(settings.historyRows) records (1,000 accounts)")
    for (label, ms) in try volume.findingRuns(rows: settings.historyRows) { say("  \(label): \(fmt(ms, 2)) ms (median of 5)") }
    say("== retention of a day of 1,000,000 run records (40 days old, retention 30 days)")
    let kept = try volume.retention(rows: 1_000_000)
    say("  dropping the day's partition (the cleanup job's maintainHistory): \(fmt(kept.drop * 1000, 1)) ms for \(fmt(kept.size)) MiB")
    say(
        "  reference, the same rows deleted 1,000 at a time as before: \(fmt(kept.delete, 2)) s, and the table still held "
            + "\(fmt(kept.sizeAfterDelete)) MiB until a vacuum; drop / delete = \(fmt(kept.drop / kept.delete, 4))")
    exit(0)
}

let server = try db.query("SELECT current_setting('server_version'), current_setting('fsync'), current_setting('synchronous_commit')")[0]
print(
    "machine: \(ProcessInfo.processInfo.activeProcessorCount) cores, \(ProcessInfo.processInfo.physicalMemory >> 30) GiB; "
        + "PostgreSQL \(try server.decode(String.self, at: 0)) on the same machine (fsync \(try server.decode(String.self, at: 1)), "
        + "synchronous_commit \(try server.decode(String.self, at: 2)))")
print(
    "settings: \(settings.jobs) noop jobs per run, concurrency \(settings.concurrency), prefetch \(settings.prefetch), "
        + "claim batch \(settings.batch), \(settings.rounds) rounds, a run record written per attempt")

let bulk = try bench.prepare()
print("enqueue, 1000 jobs per statement: \(fmt(Double(settings.jobs) / bulk)) jobs/s")
let singles = 2000
print("enqueue, one statement per job: \(fmt(Double(singles) / (try bench.enqueueOneByOne(singles)))) jobs/s")

if settings.compareRunCounts {
    var rates: [Bool: (work: [Double], sql: [Double])] = [true: ([], []), false: ([], [])]
    for round in 1...settings.rounds {
        for counting in [true, false] {
            try db.execute("ALTER TABLE calworker.job_runs \(counting ? "ENABLE" : "DISABLE") TRIGGER job_runs_count")
            try bench.prepare()
            rates[counting]!.work.append(try bench.work())
            try bench.prepare()
            rates[counting]!.sql.append(try bench.sqlLimit())
            print(
                "round \(round), counting \(counting ? "on" : "off"): worker \(fmt(rates[counting]!.work.last!)) jobs/s, "
                    + "SQL limit \(fmt(rates[counting]!.sql.last!)) jobs/s")
        }
    }
    try db.execute("ALTER TABLE calworker.job_runs ENABLE TRIGGER job_runs_count")
    let on = rates[true]!
    let off = rates[false]!
    print(
        "medians, counting on / off: worker \(fmt(median(on.work))) / \(fmt(median(off.work))) jobs/s "
            + "(\(fmt(median(on.work) / median(off.work), 2))), SQL limit \(fmt(median(on.sql))) / \(fmt(median(off.sql))) jobs/s "
            + "(\(fmt(median(on.sql) / median(off.sql), 2)))")
    exit(0)
}

var workRates: [Double] = []
var sqlRates: [Double] = []
for round in 1...settings.rounds {
    try bench.prepare()
    workRates.append(try bench.work())
    try bench.prepare()
    sqlRates.append(try bench.sqlLimit())
    print("round \(round): worker \(fmt(workRates.last!)) jobs/s, SQL limit \(fmt(sqlRates.last!)) jobs/s")
}
let work = median(workRates)
let limit = median(sqlRates)
print("work (real worker, median): \(fmt(work)) jobs/s")
print("SQL limit (pgbench, same statements, batch \(settings.batch), 2 connections, median): \(fmt(limit)) jobs/s")
print("work throughput / SQL limit = \(fmt(work / limit, 2))")

let latencies = try bench.pickupLatencies()
print(
    "pickup latency with NOTIFY (idle worker, \(latencies.count) jobs enqueued one by one): "
        + "p50 \(fmt(percentile(latencies, 0.5), 2)) ms, p99 \(fmt(percentile(latencies, 0.99), 2)) ms")
