import Accounts
import Basics
public import Foundation
import HTTPClient
import JobQueue
public import Metrics
public import Postgres

/// Operator alerts: conditions found in the database (jobs discarded, accounts needing
/// re-authorization, a backup that failed verification or is too old, the conditions of
/// `AlertRun+Conditions`) and alerts raised
/// explicitly, each recorded once by its key, then sent as one digest at most every
/// `alertInterval`, so a burst of a hundred failures is one message, not a hundred.
public struct AlertRun {
    let settings: NotifySettings
    let db: PostgresConnection
    let http: HTTPClient
    let now: Date

    public init(settings: NotifySettings, db: PostgresConnection, metrics: MetricsRegistry, now: Date = Date()) {
        self.settings = settings
        self.db = db
        self.http = HTTPClient(service: "webhook", metrics: metrics)
        self.now = now
    }

    public struct Report: Sendable, Equatable {
        public var raised = 0
        public var pending = 0
        public var digestsSent = 0
        public var failed = 0
        /// When the next digest may go, if alerts are waiting for the interval to pass.
        public var nextDigestAt: Date?
        public var errors: [String] = []
        /// "Reconnect your calendar" notices sent to owners.
        public var reauthNoticesSent = 0
        /// Alerts are waiting and their digest is due, but it reached no one: no recipient is
        /// configured, or every recipient's delivery failed. (A digest another process is
        /// sending right now, or one held back by the interval, is not this.)
        public var undeliverable = false
    }

    /// Records an alert; a second one with the same key is the same alert.
    @discardableResult
    public static func raise(key: String, subject: String, detail: String, on db: PostgresConnection) throws -> Bool {
        try db.execute(
            "INSERT INTO calworker.alerts (key, subject, detail) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING",
            [key, subject, detail]) == 1
    }

    /// Every check, the owners' reconnect notices, then the digest: the `alerts` job's run.
    public func run() throws -> Report {
        var report = Report()
        report.raised = try collect()
        let notices = try ReauthNotices(settings: settings, db: db, http: http, now: now).run()
        report.reauthNoticesSent = notices.sent
        report.errors += notices.errors
        try sendDigest(&report)
        return report
    }

    /// Whether any worker is alive, then the digest: run where workers are not (the
    /// scheduler's loop, `calworker notify check` from cron), since the `alerts` job needs a
    /// worker to run and so can never report that none is left.
    public func runWithoutWorkers() throws -> Report {
        var report = Report()
        report.raised = try workerConditions()
        try sendDigest(&report)
        return report
    }

    /// Sends the alerts not yet carried as one digest, unless one went out within `alertInterval`.
    func sendDigest(_ report: inout Report) throws {
        let pending = try db.query("SELECT id, subject, detail FROM calworker.alerts WHERE digest_id IS NULL ORDER BY id LIMIT 500")
            .map { (id: try $0.decode(Int64.self, at: 0), subject: try $0.decode(String.self, at: 1), detail: try $0.decode(String.self, at: 2)) }
        report.pending = pending.count
        guard let first = pending.first, let last = pending.last else { return }
        let lastDigest: Date? = try db.query("SELECT max(sent_at) FROM calworker.notifications WHERE kind = 'alert_digest' AND state = 'sent'")[0]
            .decodeOptional(at: 0)
        if let lastDigest, now.timeIntervalSince(lastDigest) < settings.alertInterval.seconds {
            report.nextDigestAt = lastDigest.addingTimeInterval(settings.alertInterval.seconds)
            return
        }
        let host = ProcessInfo.processInfo.hostName
        let shown = pending.prefix(50)
        var lines = shown.map { "- \($0.subject)" + ($0.detail.isEmpty ? "" : "\n  \($0.detail.replacingOccurrences(of: "\n", with: "\n  "))") }
        if pending.count > shown.count { lines.append("- and \(pending.count - shown.count) more (calworker status)") }
        let html =
            shown.map { "<li><strong>\(Templates.escapeHTML($0.subject))</strong><br>\(Templates.escapeHTML($0.detail))</li>" }
            .joined(separator: "\n") + (pending.count > shown.count ? "\n<li>and \(pending.count - shown.count) more</li>" : "")
        let rendered = try settings.templates.render(
            "alert-digest",
            [
                "count": String(pending.count), "host": host,
                "alerts": lines.joined(separator: "\n"), "alerts_html": html,
            ])
        let key = "digest:\(first.id)-\(last.id)"
        let ledger = NotificationLedger(db: db, lease: settings.claimLease)
        var targets: [(channel: String, recipient: String)] = settings.alertEmails.map { ("email", $0.address) }
        if let url = settings.alertWebhookURL { targets.append(("webhook", url)) }
        if targets.isEmpty {
            report.errors.append("alerts are waiting but no recipient is configured: set CALWORKER_ALERT_EMAIL or CALWORKER_ALERT_WEBHOOK_URL")
            report.undeliverable = true
        }
        for target in targets {
            let delivery = try ledger.deliver(
                kind: "alert_digest", key: key, channel: target.channel, recipient: target.recipient,
                rendered: rendered, settings: settings, http: http, now: now
            ) {
                try JSONSerialization.data(
                    withJSONObject: [
                        "type": "alerts", "host": host,
                        "alerts": pending.map { ["subject": $0.subject, "detail": $0.detail] },
                    ] as [String: Any], options: [.sortedKeys])
            }
            switch delivery {
            case .sent: report.digestsSent += 1
            case .alreadyHandled: break
            case .failed(let error):
                report.failed += 1
                report.errors.append(error)
            }
        }
        if !targets.isEmpty {
            // Reached no one, and no delivery of it is under way elsewhere: it cannot be sent.
            let states = try db.query(
                """
                SELECT count(*) FILTER (WHERE state = 'sent'), count(*) FILTER (WHERE state = 'sending')
                  FROM calworker.notifications WHERE kind = 'alert_digest' AND key = $1
                """, [key])[0]
            report.undeliverable = try states.decode(Int.self, at: 0) == 0 && states.decode(Int.self, at: 1) == 0
        }
        // The alerts are carried once the digest reached at least one target.
        try db.execute(
            """
            UPDATE calworker.alerts SET digest_id = (SELECT min(id) FROM calworker.notifications
                                                      WHERE kind = 'alert_digest' AND key = $2 AND state = 'sent')
             WHERE id = ANY($1::bigint[])
               AND EXISTS (SELECT 1 FROM calworker.notifications WHERE kind = 'alert_digest' AND key = $2 AND state = 'sent')
            """, [pending.map(\.id), key])
    }

    /// Turns conditions into alerts (each once, by key); returns how many are new.
    func collect() throws -> Int {
        var raised = 0
        let since: Date =
            try db.query("SELECT value FROM calworker.notify_state WHERE name = 'discarded_runs'").first?.decode(at: 0)
            ?? now.addingTimeInterval(-3600)
        var watermark = since
        for run in try JobQueue().discardedRuns(since: since, flag: "verification_failed", limit: 1000, on: db) {
            let (job, kind, error, verification) = (run.jobID, run.kind, run.error, run.flagged)
            watermark = max(watermark, run.finishedAt)
            let subject = verification ? "backup failed verification (job \(job))" : "\(kind) job \(job) was discarded"
            if try Self.raise(
                key: "job_discarded:\(job)", subject: subject,
                detail: error + "\nSee: calworker runs show \(job)", on: db)
            {
                raised += 1
            }
        }
        try db.execute(
            """
            INSERT INTO calworker.notify_state (name, value) VALUES ('discarded_runs', $1)
            ON CONFLICT (name) DO UPDATE SET value = greatest(calworker.notify_state.value, EXCLUDED.value)
            """, [watermark])
        for (account, changed) in try AccountStore(cipher: nil).needingReauth(limit: 100_000, on: db) {
            let (id, email) = (account.id, account.email)
            let since = Int(changed.timeIntervalSince1970)
            if try Self.raise(
                key: "needs_reauth:\(id):\(since)", subject: "account \(id) (\(email)) needs to be connected again",
                detail: (account.lastError ?? "") + "\nSee: runbooks/reauth.md; calworker accounts reconnect \(id) --refresh-token-file F",
                on: db)
            {
                raised += 1
            }
        }
        raised += try syncConditions()
        raised += try scheduleConditions()
        raised += try discardRateConditions()
        raised += try workerConditions()
        if settings.backupsConfigured {
            let newest = try JobQueue().newestCompleted(kind: "backup", withFigure: "verified", on: db)
            let limit = settings.backupMaxAge.seconds
            if newest.map({ now.timeIntervalSince($0) > limit }) ?? true {
                let day = String(ISO8601DateFormatter().string(from: now).prefix(10))
                let age =
                    newest.map { "the newest verified backup finished \(Int(now.timeIntervalSince($0) / 3600)) hours ago" }
                    ?? "no backup has been verified yet"
                if try Self.raise(
                    key: "backup_stale:\(day)", subject: "backups are stale: \(age)",
                    detail: "See: calworker backup list; calworker runs --kind backup", on: db)
                {
                    raised += 1
                }
            }
        }
        return raised
    }
}
