import Basics
import Foundation
import Postgres

/// The conditions that alert once while they last and send "resolved" when they end: accounts
/// failing or stale, schedules that stopped firing, a high discard rate, no worker alive.
extension AlertRun {
    /// Active accounts whose syncs failed `syncFailures` times in a row, or that have had no
    /// successful sync for `syncStale`: one alert each while it lasts, and a "resolved" one
    /// when it ends (if the first went out; an alert that ends before its digest is dropped).
    func syncConditions() throws -> Int {
        var current: [String: (subject: String, detail: String)] = [:]
        for row in try db.query(
            """
            SELECT id, email, consecutive_failures, coalesce(last_error, ''), last_synced_at
              FROM calworker.accounts
             WHERE state = 'active'
               AND (consecutive_failures >= $1 OR coalesce(last_synced_at, created_at) < $2::timestamptz - $3::interval)
             ORDER BY id LIMIT 1000
            """, [settings.syncFailures, now, settings.syncStale])
        {
            let id: Int64 = try row.decode(at: 0)
            let email: String = try row.decode(at: 1)
            let failures: Int = try row.decode(at: 2)
            let error: String = try row.decode(at: 3)
            let last: Date? = try row.decodeOptional(at: 4)
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
        guard !periods.isEmpty,
            let started: Date = try db.query("SELECT min(fire_at) FROM calworker.schedule_fires")[0].decodeOptional(at: 0)
        else { return 0 }
        var newest: [String: Date] = [:]
        for row in try db.query(
            """
            SELECT n.name, f.fire_at FROM unnest($1::text[]) AS n(name)
              JOIN LATERAL (SELECT fire_at FROM calworker.schedule_fires s WHERE s.name = n.name AND s.fire_at <= $2
                             ORDER BY s.fire_at DESC LIMIT 1) f ON true
            """, [Array(periods.keys), now])
        {
            newest[try row.decode(String.self, at: 0)] = try row.decode(Date.self, at: 1)
        }
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
        var discardedByKind: [(kind: String, discarded: Int, attempts: Int)] = []
        for row in try db.query(
            """
            SELECT kind, coalesce(sum(attempts) FILTER (WHERE outcome = 'discarded'), 0)::bigint, sum(attempts)::bigint
              FROM calworker.run_counts WHERE minute >= date_trunc('minute', $1::timestamptz - $2::interval) AND minute <= $1
             GROUP BY kind ORDER BY 2 DESC, kind LIMIT 100
            """, [now, settings.discardWindow])
        {
            discardedByKind.append((try row.decode(at: 0), try row.decode(at: 1), try row.decode(at: 2)))
        }
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
        let row = try db.query(
            """
            SELECT max(heartbeat_at), count(*),
                   EXISTS (SELECT 1 FROM calworker.jobs WHERE state = 'available' AND run_at < $1::timestamptz - $2::interval)
              FROM calworker.workers
            """, [now, settings.workersGone])[0]
        let newest: Date? = try row.decodeOptional(at: 0)
        let waiting: Bool = try row.decode(at: 2)
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
