import Foundation
import JobQueue
import Jobs
import Metrics
import Notify
import Postgres
import TestSupport
import Testing

/// Trouble with the queue itself: many jobs discarded in a window, and no worker alive (found
/// from outside the workers: `runWithoutWorkers`, the scheduler's loop, `notify check`).
@Suite struct QueueAlertTests {
    func digestTexts(_ fixture: NotifyFixture) -> [String] {
        fixture.smtp.received().filter { $0.to == ["ops@example.com"] }.map { QuotedPrintableTestDecoder.textPart(of: $0.text) ?? "" }
    }

    /// `count` attempts of `kind` ending `outcome`, `minutesAgo` before now (the counting trigger
    /// takes them into `run_counts`, as it does a worker's).
    func record(_ fixture: NotifyFixture, _ count: Int, _ kind: String, _ outcome: String, minutesAgo: Int) throws {
        try fixture.db.execute(
            """
            INSERT INTO calworker.job_runs (job_id, attempt, kind, queue, worker_id, started_at, finished_at, outcome, duration_ms, job_state)
            SELECT 100000 + g, 1, $2, 'default', 'w', now() - make_interval(mins => $3), now() - make_interval(mins => $3), $4, 1,
                   CASE $4 WHEN 'discarded' THEN 'discarded' ELSE 'completed' END
              FROM generate_series(1, $1) AS g
            """, [count, kind, minutesAgo, outcome])
    }

    func alertRun(_ fixture: NotifyFixture) -> AlertRun {
        AlertRun(settings: fixture.environment.notify, db: fixture.db, metrics: MetricsRegistry(), now: Date())
    }

    func open(_ fixture: NotifyFixture, _ key: String) throws -> [String] {
        try fixture.db.query("SELECT subject FROM calworker.alerts WHERE key = $1", [key]).map { try $0.decode(String.self, at: 0) }
    }

    @Test func aDiscardRateOverTheThresholdAlertsOnceAndIsResolvedWhenItFalls() throws {
        let fixture = try NotifyFixture(now: Date())
        fixture.environment.notify.alertInterval = .seconds(0)
        // Outside the hour: fifty discards two hours ago count for nothing now.
        try record(fixture, 50, "thumbnail", "discarded", minutesAgo: 120)
        try record(fixture, 18, "thumbnail", "completed", minutesAgo: 10)
        try record(fixture, 2, "thumbnail", "discarded", minutesAgo: 10)
        _ = try alertRun(fixture).run()
        #expect(try open(fixture, "condition:discard_rate").isEmpty, "2 of 20 is 10%: not over the threshold")

        try record(fixture, 1, "backup", "discarded", minutesAgo: 5)
        let over = try alertRun(fixture).run()
        #expect(over.digestsSent == 1)
        #expect(try open(fixture, "condition:discard_rate") == ["14% of the last 60 min's attempts discarded their job (3 of 21)"])
        #expect(digestTexts(fixture).last?.contains("By kind: thumbnail: 2 of 20, backup: 1 of 1.") == true, "\(digestTexts(fixture).last ?? "")")
        _ = try alertRun(fixture).run()
        #expect(
            try fixture.db.query("SELECT count(*) FROM calworker.alerts WHERE key LIKE 'condition:discard_rate%'")[0].decode(Int.self, at: 0) == 1,
            "once while it lasts")

        try record(fixture, 40, "thumbnail", "completed", minutesAgo: 1)
        _ = try alertRun(fixture).run()
        #expect(try open(fixture, "condition:discard_rate").isEmpty)
        #expect(digestTexts(fixture).last?.contains("resolved: 14% of the last 60 min's attempts discarded their job") == true)

        // A five-minute window sees only the last minute's forty successes and the backup's discard.
        fixture.environment.notify.discardWindow = .seconds(300)
        fixture.environment.notify.discardRate = 0.01
        _ = try alertRun(fixture).run()
        #expect(try open(fixture, "condition:discard_rate") == ["2% of the last 5 min's attempts discarded their job (1 of 41)"])
    }

    @Test func tooFewAttemptsNeverAlertWhateverTheirShare() throws {
        let fixture = try NotifyFixture(now: Date())
        try record(fixture, 19, "sync_account", "discarded", minutesAgo: 3)
        _ = try alertRun(fixture).run()
        #expect(try open(fixture, "condition:discard_rate").isEmpty, "19 of 19 discarded, but under 20 attempts")
    }

    @Test func noWorkerAliveAlertsFromOutsideTheWorkersAndIsResolvedWhenOneIsBack() throws {
        let fixture = try NotifyFixture(now: Date())
        fixture.environment.notify.alertInterval = .seconds(0)
        _ = try alertRun(fixture).runWithoutWorkers()
        #expect(try open(fixture, "condition:workers_gone").isEmpty, "no worker and nothing waiting: a quiet installation")

        _ = try JobQueue().enqueue(NewJob(kind: "noop", runAt: Date().addingTimeInterval(-600)), on: fixture.db)
        let gone = try alertRun(fixture).runWithoutWorkers()
        #expect(gone.raised == 1 && gone.digestsSent == 1, "\(gone)")
        #expect(try open(fixture, "condition:workers_gone") == ["no calworker worker is running, and jobs have waited over 5 min"])

        try WorkerRegistry.register(id: "w1", hostname: "h", pid: 1, queues: ["default"], concurrency: 1, version: "t", on: fixture.db)
        _ = try alertRun(fixture).runWithoutWorkers()
        #expect(try open(fixture, "condition:workers_gone").isEmpty)
        #expect(digestTexts(fixture).last?.contains("resolved: no calworker worker is running") == true)

        // A worker that died without saying so: its heartbeat stops.
        try fixture.db.execute("UPDATE calworker.workers SET heartbeat_at = now() - interval '7 minutes'")
        _ = try alertRun(fixture).runWithoutWorkers()
        let subject = try #require(try open(fixture, "condition:workers_gone").first)
        #expect(subject.hasPrefix("no calworker worker has been alive since "))
        #expect(digestTexts(fixture).last?.contains("Jobs are waiting.") == true)
        // The alerts job running in a worker sees that worker: resolved from inside too.
        try fixture.db.execute("UPDATE calworker.workers SET heartbeat_at = now()")
        _ = try alertRun(fixture).run()
        #expect(try open(fixture, "condition:workers_gone").isEmpty)
    }

    /// The scheduler checks at its first pass, so a test need not wait a minute; `notify check`
    /// is the same check for cron.
    @Test func theSchedulerAndNotifyCheckRaiseTheAlertFromTheirOwnProcesses() throws {
        let fixture = try NotifyFixture(now: Date())
        _ = try JobQueue().enqueue(NewJob(kind: "noop", runAt: Date().addingTimeInterval(-900)), on: fixture.db)
        let jobs = FileManager.default.temporaryDirectory.appendingPathComponent("cw-nojobs-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: jobs, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: jobs) }
        let environment = [
            "CALWORKER_SMTP_URL": fixture.smtp.url, "CALWORKER_SMTP_USERNAME": SMTPTestServer.username,
            "CALWORKER_SMTP_PASSWORD": SMTPTestServer.password, "CALWORKER_SMTP_CA_FILE": fixture.smtp.certificate,
            "CALWORKER_SMTP_FROM": "calworker <calworker@example.com>", "CALWORKER_ALERT_EMAIL": "ops@example.com",
            "CALWORKER_ALERT_INTERVAL": "1s", "CALWORKER_JOBS_DIR": jobs, "CALWORKER_LOG_FORMAT": "text",
        ]
        let scheduler = try CalworkerProcess(
            ["schedule", "run", "--loop", "--jobs", jobs], databaseURL: fixture.database.url, environment: environment)
        defer { if scheduler.isRunning { scheduler.signal(SIGKILL) } }
        #expect(eventually(timeout: 30) { (try? open(fixture, "condition:workers_gone").count) == 1 }, "\(scheduler.standardError)")
        #expect(eventually(timeout: 30) { digestTexts(fixture).contains { $0.contains("no calworker worker is running") } })
        scheduler.signal(SIGTERM)
        #expect(scheduler.wait(timeout: 30) == 0)

        try WorkerRegistry.register(id: "w1", hostname: "h", pid: 1, queues: ["default"], concurrency: 1, version: "t", on: fixture.db)
        Thread.sleep(forTimeInterval: 1.2)  // CALWORKER_ALERT_INTERVAL since the scheduler's digest
        let checked = try CalworkerProcess.run(["notify", "check", "--json"], databaseURL: fixture.database.url, environment: environment)
        #expect(checked.status == 0, "\(checked.stderr)")
        let report = try JSONSerialization.jsonObject(with: Data(checked.stdout.utf8)) as? [String: Any] ?? [:]
        #expect(report["raised"] as? Int == 1 && report["digests_sent"] as? Int == 1, "the resolution, sent: \(checked.stdout)")
        #expect(try open(fixture, "condition:workers_gone").isEmpty)
    }
}
