import Foundation
import JobQueue
import Postgres
import TestSupport
import Testing

/// The three ways metrics leave calworker: a textfile and a Pushgateway push at the end of a
/// `work --once` run, and `calworker metrics` reading the queue from the database.
@Suite struct MetricsExportTests {
    let env = ["CALWORKER_RETRY_BASE": "50ms", "CALWORKER_LOG_LEVEL": "warning"]

    /// Completed, discarded, failed-then-retried: a run with every outcome a cron run sees.
    static func enqueueMixedWork(on db: PostgresConnection) throws {
        let queue = JobQueue()
        try queue.enqueueMany((0..<20).map { _ in NewJob(kind: "noop", args: #"{"sleep_ms": 5}"#) }, on: db)
        try queue.enqueueMany((0..<4).map { _ in NewJob(kind: "noop", args: #"{"fail": "discard"}"#) }, on: db)
        try queue.enqueueMany((0..<6).map { _ in NewJob(kind: "noop", args: #"{"fail": "retry"}"#, maxAttempts: 2) }, on: db)
    }

    @Test func theTextfileOfAOnceRunPassesPromtoolAndAgreesWithTheRunRecords() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let db = try database.connect()
        try Self.enqueueMixedWork(on: db)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cw-textfile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("calworker.prom").path

        let run = try CalworkerProcess.run(["work", "--once", "--metrics-file", path], databaseURL: database.url, environment: env)
        #expect(run.status == 0, "\(run.stderr)")
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let check = try Promtool.checkMetrics(text)
        #expect(check.ok, "promtool: \(check.output)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["calworker.prom"], "no temporary file left behind")

        let metrics = ExpositionSamples(text)
        let byOutcome = try db.query("SELECT outcome, count(*) FROM calworker.job_runs GROUP BY outcome")
        var total = 0
        for row in byOutcome {
            let outcome: String = try row.decode(at: 0)
            let count: Int = try row.decode(at: 1)
            total += count
            #expect(metrics.value("calworker_jobs_finished_total", ["kind": "noop", "outcome": outcome]) == Double(count), "outcome \(outcome)")
        }
        #expect(total >= 30)
        let retries = try db.query("SELECT count(*) FROM calworker.job_runs WHERE attempt > 1")[0].decode(Int.self, at: 0)
        #expect(metrics.value("calworker_jobs_started_total", ["attempt": "first"]) == 30)
        #expect(metrics.value("calworker_jobs_started_total", ["attempt": "retry"]) == Double(retries))
        #expect(metrics.value("calworker_job_duration_seconds_count", ["kind": "noop"]) == Double(total))
        #expect(metrics.value("calworker_job_duration_seconds_bucket", ["kind": "noop", "le": "+Inf"]) == Double(total))
        // 20 jobs slept 5 ms each: the declared figure metric adds them up in seconds.
        #expect(abs((metrics.value("calworker_noop_sleep_seconds_total") ?? 0) - 0.1) < 1e-9)
        #expect(metrics.value("calworker_queue_metrics_up") == 1)
        #expect((metrics.value("calworker_work_last_success_timestamp_seconds") ?? 0) > Date().timeIntervalSince1970 - 600)
        let live = try db.query("SELECT count(*) FROM calworker.jobs WHERE state = 'available'")[0].decode(Int.self, at: 0)
        #expect(metrics.value("calworker_queue_jobs", ["queue": "default"]) == Double(live))
    }

    @Test func aBadMetricsFileNameIsAUsageError() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let run = try CalworkerProcess.run(["work", "--once", "--metrics-file", "/tmp/calworker.txt"], databaseURL: database.url)
        #expect(run.status == 2)
        #expect(run.stderr.contains(".prom"))
    }

    @Test func aRealPushgatewayAcceptsThePushAndServesItBack() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        try Self.enqueueMixedWork(on: try database.connect())
        let gateway = try PushgatewayServer()
        let run = try CalworkerProcess.run(["work", "--once", "--pushgateway", gateway.url], databaseURL: database.url, environment: env)
        #expect(run.status == 0, "\(run.stderr)")
        let served = ExpositionSamples(try gateway.scrape())
        let group = ["job": "calworker", "instance": ProcessInfo.processInfo.hostName]
        #expect(served.value("calworker_jobs_started_total", group.merging(["attempt": "first"]) { a, _ in a }) == 30)
        #expect(served.value("calworker_jobs_finished_total", group.merging(["outcome": "completed"]) { a, _ in a }) == 20)
        #expect(served.value("calworker_work_last_success_timestamp_seconds", group) != nil)
        // The Pushgateway stamps each group with the time of its last successful push.
        #expect(served.value("push_time_seconds", group) != nil)
    }

    @Test func anUnreachablePushgatewayFailsTheRunWithAClearMessage() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let port = try freeTCPPort()
        let run = try CalworkerProcess.run(
            ["work", "--once", "--pushgateway", "http://127.0.0.1:\(port)"],
            databaseURL: database.url, environment: env)
        #expect(run.status == 1)
        #expect(run.stderr.contains("cannot push metrics to the Pushgateway"))
    }

    @Test func metricsCommandReadsTheQueueAndPassesPromtool() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let db = try database.connect()
        let queue = JobQueue()
        try queue.enqueueMany((0..<3).map { _ in NewJob(kind: "noop", queue: "mail", runAt: Date().addingTimeInterval(-30)) }, on: db)
        _ = try queue.enqueue(NewJob(kind: "noop", queue: "mail", runAt: Date().addingTimeInterval(3600)), on: db)
        let claimed = try queue.claim(queue: "mail", limit: 1, workerID: "w1", on: db)
        try queue.finish(
            [
                FinishedAttempt(
                    jobID: claimed[0].id, attempt: 1, outcome: .discarded, error: "bad input",
                    finishedAt: Date(), durationMs: 3)
            ], workerID: "w1", on: db)

        // Accounts of every freshness: synced a minute ago, 2 h ago (failing 4 times since),
        // 3 days ago, never; and a disabled one, which no bucket counts.
        try db.execute(
            """
            INSERT INTO calworker.accounts (email, owner, key_id, refresh_token, state, last_synced_at, consecutive_failures) VALUES
              ('a@example.com', 'o', 'k', '\\x00', 'active', now() - interval '1 minute', 0),
              ('b@example.com', 'o', 'k', '\\x00', 'active', now() - interval '2 hours', 4),
              ('c@example.com', 'o', 'k', '\\x00', 'active', now() - interval '3 days', 1),
              ('d@example.com', 'o', 'k', '\\x00', 'active', NULL, 12),
              ('e@example.com', 'o', 'k', '\\x00', 'disabled', NULL, 0)
            """)

        // The cleanup definition fired twice: its older fire's job completed, its newer one's
        // was discarded; the backup fired once and its job is still waiting.
        try db.execute(
            """
            INSERT INTO calworker.schedule_fires (name, wall_time, fire_at, job_id) VALUES
              ('cleanup', 'a', now() - interval '2 hours', 7001), ('cleanup', 'b', now() - interval '1 hour', 7002),
              ('backup', 'c', now() - interval '30 minutes', 7003)
            """)
        try db.execute(
            """
            INSERT INTO calworker.job_runs (job_id, attempt, kind, queue, worker_id, started_at, finished_at, outcome, duration_ms, job_state)
            VALUES (7001, 1, 'cleanup', 'default', 'w', now() - interval '2 hours', now() - interval '119 minutes', 'completed', 1, 'completed'),
                   (7002, 1, 'cleanup', 'default', 'w', now() - interval '1 hour', now() - interval '59 minutes', 'discarded', 1, 'discarded')
            """)

        let jobs = TestEnvironment.packageRoot.appendingPathComponent("jobs").path
        let run = try CalworkerProcess.run(["metrics"], databaseURL: database.url, environment: ["CALWORKER_JOBS_DIR": jobs])
        #expect(run.status == 0, "\(run.stderr)")
        let now = Date().timeIntervalSince1970
        let cleanupFire = ExpositionSamples(run.stdout).value("calworker_schedule_last_fire_timestamp_seconds", ["definition": "cleanup"]) ?? 0
        let cleanupSuccess = ExpositionSamples(run.stdout).value("calworker_schedule_last_success_timestamp_seconds", ["definition": "cleanup"]) ?? 0
        #expect(abs(cleanupFire - (now - 3600)) < 120 && abs(cleanupSuccess - (now - 119 * 60)) < 120, "\(cleanupFire) \(cleanupSuccess)")
        #expect(ExpositionSamples(run.stdout).value("calworker_schedule_last_fire_timestamp_seconds", ["definition": "backup"]) != nil)
        #expect(
            ExpositionSamples(run.stdout).value("calworker_schedule_last_success_timestamp_seconds", ["definition": "backup"]) == nil,
            "no success yet")
        let check = try Promtool.checkMetrics(run.stdout)
        #expect(check.ok, "promtool: \(check.output)")
        let metrics = ExpositionSamples(run.stdout)
        #expect(metrics.value("calworker_queue_jobs", ["queue": "mail", "state": "due"]) == 2)
        #expect(metrics.value("calworker_queue_jobs", ["queue": "mail", "state": "scheduled"]) == 1)
        #expect(metrics.value("calworker_queue_jobs", ["queue": "mail", "state": "running"]) == 0)
        #expect((metrics.value("calworker_queue_oldest_due_job_age_seconds", ["queue": "mail"]) ?? 0) >= 29)
        #expect(metrics.value("calworker_job_runs_recent", ["kind": "noop", "outcome": "discarded"]) == 1)
        #expect(metrics.value("calworker_queue_metrics_up") == 1)
        for (age, count) in [("lt_10m", 1.0), ("lt_1h", 0), ("lt_24h", 1), ("older", 1), ("never", 1)] {
            #expect(metrics.value("calworker_accounts_by_sync_age", ["age": age]) == count, "\(age)")
        }
        for (failures, count) in [("0", 1.0), ("1", 1), ("2", 0), ("3-9", 1), ("10+", 1)] {
            #expect(metrics.value("calworker_accounts_by_consecutive_failures", ["failures": failures]) == count, "\(failures)")
        }
        #expect((metrics.value("calworker_account_oldest_sync_age_seconds") ?? 0) >= 3 * 86_400)

        let json = try CalworkerProcess.run(["metrics", "--json"], databaseURL: database.url)
        let families = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]]
        #expect(families?.contains { $0["name"] as? String == "calworker_queue_jobs" } == true)
    }

    @Test func metricsCommandSaysSoWhenTheDatabaseIsAway() throws {
        let run = try CalworkerProcess.run(["metrics"], databaseURL: "host=/nonexistent port=1 user=x dbname=x")
        #expect(run.status == 3)
        #expect(ExpositionSamples(run.stdout).value("calworker_queue_metrics_up") == 0)
        #expect(run.stderr.contains("CALWORKER_DATABASE_URL"))
    }
}
