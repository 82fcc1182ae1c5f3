import Accounts
import Basics
import Foundation
import JobQueue
import Postgres
import Scheduling

/// The conditions that alert once while they last and send "resolved" when they end: accounts
/// failing or stale, schedules that stopped firing, a high discard rate, no worker alive.
extension AlertRun {
    /// Active accounts whose syncs failed `syncFailures` times in a row, or that have had no
    /// successful sync for `syncStale`: one alert each while it lasts, and a "resolved" one
    /// when it ends (if the first went out; an alert that ends before its digest is dropped).
    func syncConditions() throws -> Int {
        var current: [String: (subject: String, detail: String)] = [:]
        for account in try AccountStore(cipher: nil).failingOrStale(
            failures: settings.syncFailures, now: now, stale: settings.syncStale, limit: 1000, on: db)
        {
            let (id, email, failures, error, last) = (
                account.id, account.email, account.consecutiveFailures, account.lastError ?? "", account.lastSyncedAt
            )
            let see = "See: calworker runs --account \(id); calworker accounts show \(id)"
            if failures >= settings.syncFailures {
                current["condition:sync_failing:\(id)"] = (
                    "account \(id) (\(email)): its last \(failures) syncs failed",
                    (error.isEmpty ? "" : error + "\n") + see
                )
            } else {
                let since = last.map { "since \(ISO8601DateFormatter().string(from: $0))" } ?? "ever"
                current["condition:sync_stale:\(id)"] = (
                    "account \(id) (\(email)) has not synced successfully \(since)",
                    "Is a worker running the sync_account jobs? calworker queue; calworker runs --kind sync_account\n" + see
                )
            }
        }
        return try reconcile(current, prefix: "condition:sync_")
    }

    /// Scheduled definitions whose newest fire (by a scheduler or cron's `enqueue --file`) is
    /// older than twice their longest normal gap: the scheduler is dead or the timer is off.
    /// Nothing while no fire was ever recorded (scheduling not set up yet); a definition that
    /// never fired counts from the oldest fire of any.
    func scheduleConditions() throws -> Int {
        let periods = settings.schedulePeriods()
        guard !periods.isEmpty, let started = try ScheduleFires.first(on: db) else { return 0 }
        let newest = try ScheduleFires.newest(names: Array(periods.keys), now: now, on: db).mapValues(\.at)
        var current: [String: (subject: String, detail: String)] = [:]
        for (name, period) in periods {
            let last = newest[name] ?? started
            guard now.timeIntervalSince(last) > 2 * period else { continue }
            let when = newest[name].map { "since \(ISO8601DateFormatter().string(from: $0))" } ?? "at all"
            current["condition:schedule_late:\(name)"] = (
                "schedule \(name) has not fired \(when)",
                "It fires at least every \(Int(period / 60)) min. Is `calworker schedule run --loop` "
                    + "running, or the cron file or systemd timer installed? See: calworker jobs validate"
            )
        }
        return try reconcile(current, prefix: "condition:schedule_late:")
    }

    /// Raises each current condition once (by its key) and ends the open ones under `prefix`
    /// that no longer hold: an ended alert's key gets its id appended, freeing the key for the
    /// next time, and a "resolved" alert follows the one that was sent.
    func reconcile(_ current: [String: (subject: String, detail: String)], prefix: String) throws -> Int {
        var raised = 0
        let open = try db.query(
            """
            SELECT id, key, subject, digest_id IS NOT NULL FROM calworker.alerts
             WHERE starts_with(key, $1) AND position('@' IN key) = 0
            """, [prefix])
        for row in open {
            let id: Int64 = try row.decode(at: 0)
            let key: String = try row.decode(at: 1)
            guard current[key] == nil else { continue }
            if try row.decode(Bool.self, at: 3) {
                try db.execute("UPDATE calworker.alerts SET key = key || '@' || id WHERE id = $1", [id])
                if try Self.raise(
                    key: "resolved:\(key)@\(id)", subject: "resolved: " + (try row.decode(String.self, at: 2)),
                    detail: "", on: db)
                {
                    raised += 1
                }
            } else {
                try db.execute("DELETE FROM calworker.alerts WHERE id = $1", [id])
            }
        }
        for (key, alert) in current.sorted(by: { $0.key < $1.key }) {
            if try Self.raise(key: key, subject: alert.subject, detail: alert.detail, on: db) { raised += 1 }
        }
        return raised
    }

    /// More than `discardRate` of the attempts in `discardWindow` (at least
    /// `discardMinimumAttempts`) ended with their job discarded: one alert while it lasts,
    /// naming the kinds that were discarded. The individual discards alert on their own.
    func discardRateConditions() throws -> Int {
        let discardedByKind = try JobQueue().attemptsByKind(now: now, window: settings.discardWindow, on: db)
        let discarded = discardedByKind.reduce(0) { $0 + $1.discarded }
        let attempts = discardedByKind.reduce(0) { $0 + $1.attempts }
        var current: [String: (subject: String, detail: String)] = [:]
        if attempts >= NotifySettings.discardMinimumAttempts && Double(discarded) > settings.discardRate * Double(attempts) {
            let window = Int(settings.discardWindow.seconds / 60)
            let kinds = discardedByKind.filter { $0.discarded > 0 }.prefix(5).map { "\($0.kind): \($0.discarded) of \($0.attempts)" }
            current["condition:discard_rate"] = (
                "\(Int((100 * Double(discarded) / Double(attempts)).rounded()))% of the last \(window) min's attempts discarded their job "
                    + "(\(discarded) of \(attempts))",
                "By kind: \(kinds.joined(separator: ", ")).\nSee: calworker runs --state discarded --since \(window)m"
            )
        }
        return try reconcile(current, prefix: "condition:discard_rate")
    }

    /// No worker alive for `workersGone`: the newest heartbeat is older, or none is registered
    /// while a job has been due that long (workers that stopped cleanly leave no row).
    func workerConditions() throws -> Int {
        let liveness = try JobQueue().workerLiveness(now: now, dueFor: settings.workersGone, on: db)
        let (newest, waiting) = (liveness.newest, liveness.overdue)
        var current: [String: (subject: String, detail: String)] = [:]
        let see =
            "Start workers (systemctl start calworker-worker, docker compose up -d worker); see runbooks/stuck-jobs.md. "
            + "calworker workers; calworker queue"
        if let newest, now.timeIntervalSince(newest) > settings.workersGone.seconds {
            current["condition:workers_gone"] = (
                "no calworker worker has been alive since \(ISO8601DateFormatter().string(from: newest))",
                (waiting ? "Jobs are waiting. " : "") + see
            )
        } else if newest == nil && waiting {
            current["condition:workers_gone"] = (
                "no calworker worker is running, and jobs have waited over \(Int(settings.workersGone.seconds / 60)) min", see
            )
        }
        return try reconcile(current, prefix: "condition:workers_gone")
    }
}
