import Foundation
import HTTPClient
import Jobs
import Metrics
import Notify
import Postgres
import TestSupport
import Testing
import Worker

@Suite struct AlertDigestTests {
    /// A run record as a worker writes it for a discarded attempt.
    func discarded(_ fixture: NotifyFixture, job: Int64, kind: String, error: String, figures: String = "{}") throws {
        try fixture.db.execute(
            """
            INSERT INTO calworker.job_runs (job_id, attempt, kind, queue, worker_id, started_at, finished_at, outcome, error, duration_ms, figures)
            VALUES ($1, 1, $2, 'default', 'w1', now(), now(), 'discarded', $3, 10, $4::jsonb)
            """, [job, kind, error, figures])
    }

    func digests(_ fixture: NotifyFixture) -> [SMTPTestServer.Received] { fixture.smtp.received().filter { $0.to == ["ops@example.com"] } }

    @Test func aBurstOfFailuresIsOneDigestAndLaterOnesWaitForTheInterval() throws {
        let fixture = try NotifyFixture(now: Date())
        fixture.environment.notify.alertInterval = .seconds(2)
        for job in 1...40 { try discarded(fixture, job: Int64(job), kind: "thumbnail", error: "photos/\(job).jpg: not an image") }
        try discarded(
            fixture, job: 99, kind: "backup", error: "backup X failed verification: chunk 3 does not authenticate",
            figures: #"{"verification_failed": 1}"#)
        try fixture.db.execute(
            "UPDATE calworker.accounts SET state = 'needs_reauth', last_error = 'invalid_grant' WHERE id = $1", [fixture.accountID])
        guard case .success(let first) = try fixture.notify(#"{"alerts": true}"#) else {
            Issue.record("the digest run failed")
            return
        }
        // 41 discards, the account, and the discard rate (41 of 41 attempts in the hour).
        #expect(first["alerts_raised"] == 43 && first["sent"] == 1, "\(first.json)")
        try #require(digests(fixture).count == 1)
        let text = QuotedPrintableTestDecoder.textPart(of: digests(fixture)[0].text) ?? ""
        #expect(
            text.contains("43 new alert(s)") && text.contains("backup failed verification (job 99)")
                && text.contains("100% of the last 60 min's attempts discarded their job (41 of 41)")
                && text.contains("account \(fixture.accountID) (ada@example.com) needs to be connected again") && text.contains("and 0 more") == false
        )
        #expect(text.contains("thumbnail job 7 was discarded") && text.contains("calworker runs show 7"))

        // Nothing new: nothing sent. A new alert inside the interval waits for it.
        guard case .success(let quiet) = try fixture.notify(#"{"alerts": true}"#) else {
            Issue.record("second run")
            return
        }
        #expect(quiet["sent"] == 0 && quiet["alerts_raised"] == 0)
        guard case .success = try fixture.notify(#"{"alert": {"subject": "disk almost full on db-1", "detail": "92% used"}}"#) else {
            Issue.record("raise")
            return
        }
        let queued = try fixture.db.query("SELECT count(*) FROM calworker.jobs WHERE kind = 'notify' AND unique_key = 'notify:alerts'")
        #expect(try queued[0].decode(Int.self, at: 0) == 1, "raising an alert queues the digest job")
        guard case .retry(_, _, let waiting) = try fixture.notify(#"{"alerts": true}"#) else {
            Issue.record("should wait for the interval")
            return
        }
        #expect(waiting["alerts_pending"] == 1 && waiting["sent"] == 0)
        Thread.sleep(forTimeInterval: 2.1)
        guard case .success(let later) = try fixture.notify(#"{"alerts": true}"#) else {
            Issue.record("third digest")
            return
        }
        #expect(later["sent"] == 1)
        let second = QuotedPrintableTestDecoder.textPart(of: digests(fixture).last!.text) ?? ""
        #expect(digests(fixture).count == 2 && second.contains("1 new alert(s)") && second.contains("disk almost full on db-1"))
    }

    /// What `notify check` exits 1 on: alerts waiting, the digest due, and nobody reached.
    @Test func aDigestThatReachedNobodyIsUndeliverableAndOneHeldByTheIntervalIsNot() throws {
        let fixture = try NotifyFixture(now: Date())
        try AlertRun.raise(key: "k1", subject: "first", detail: "", on: fixture.db)
        var settings = fixture.environment.notify
        settings.alertEmails = []
        settings.alertWebhookURL = nil
        let nobody = try AlertRun(settings: settings, db: fixture.db, metrics: MetricsRegistry()).runWithoutWorkers()
        #expect(nobody.undeliverable && nobody.pending == 1 && nobody.errors.contains { $0.contains("no recipient is configured") })
        settings = fixture.environment.notify
        settings.smtp = SMTPSettings(url: "smtp://127.0.0.1:1", username: nil, password: "", caFile: nil, plainTextToLoopback: true)
        let refused = try AlertRun(settings: settings, db: fixture.db, metrics: MetricsRegistry()).runWithoutWorkers()
        #expect(refused.undeliverable && refused.failed == 1, "\(refused.errors)")
        try fixture.db.execute("DELETE FROM calworker.notifications")
        let sent = try AlertRun(settings: fixture.environment.notify, db: fixture.db, metrics: MetricsRegistry()).runWithoutWorkers()
        #expect(!sent.undeliverable && sent.digestsSent == 1)
        try AlertRun.raise(key: "k2", subject: "second", detail: "", on: fixture.db)
        let held = try AlertRun(settings: fixture.environment.notify, db: fixture.db, metrics: MetricsRegistry()).runWithoutWorkers()
        #expect(!held.undeliverable && held.nextDigestAt != nil, "waiting for the interval is not a failure")
    }

    @Test func staleBackupsAlertOncePerDayWhenBackupsAreConfigured() throws {
        let fixture = try NotifyFixture(now: Date())
        fixture.environment.notify.alertInterval = .seconds(0)
        guard case .success(let none) = try fixture.notify(#"{"alerts": true}"#) else {
            Issue.record("run")
            return
        }
        #expect(none["alerts_raised"] == 0, "backups not configured: no backup alert")
        fixture.environment.notify.backupsConfigured = true
        guard case .success(let stale) = try fixture.notify(#"{"alerts": true}"#) else {
            Issue.record("run")
            return
        }
        #expect(stale["alerts_raised"] == 1 && stale["sent"] == 1)
        #expect(QuotedPrintableTestDecoder.textPart(of: digests(fixture).last!.text)?.contains("no backup has been verified yet") == true)
        guard case .success(let again) = try fixture.notify(#"{"alerts": true}"#) else {
            Issue.record("run")
            return
        }
        #expect(again["alerts_raised"] == 0, "once a day")
    }

    @Test(arguments: [#"{}"#, #"{"reminders": true, "alerts": true}"#, #"{"reminder": true}"#, #"{"alert": {"subject": " "}}"#])
    func badArgsAreRefused(args: String) {
        #expect(throws: (any Error).self) { try JobKinds.registry(JobEnvironment()).validate(kind: "notify", args: args) }
    }
}
