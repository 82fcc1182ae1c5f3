import Basics
public import Foundation
public import Postgres

/// The queue's state as an operator watches it: what `calworker metrics`, `/metrics` and
/// `calworker status` report. Read with index-backed statements only, so a scrape stays cheap
/// however many finished jobs the table holds.
public struct QueueStatistics: Sendable, Equatable, Codable {
    public struct Depth: Sendable, Equatable, Codable {
        public var queue: String
        /// Ready to run now.
        public var due = 0
        /// Waiting for their run_at (scheduled jobs, retries in backoff).
        public var scheduled = 0
        public var running = 0
        /// Seconds the oldest due job has waited; nil when none is due.
        public var oldestDueAgeSeconds: Double?
        /// An operator paused it: nothing is claimed from it.
        public var paused = false
    }

    /// Attempts that ended recently, by kind and outcome, with the newest error.
    public struct RecentRuns: Sendable, Equatable, Codable {
        public var kind: String
        public var outcome: String
        public var count: Int
        public var lastError: String?
        public var lastFinishedAt: Date
    }

    public var depths: [Depth]
    public var recentRuns: [RecentRuns]
    /// Workers with a heartbeat younger than the lease.
    public var workersAlive: Int
    /// Of those, the ones draining after SIGTERM.
    public var workersStopping: Int
    /// Registered workers whose heartbeat is older than the lease (dead or partitioned).
    public var workersStale: Int
    /// The window `recentRuns` covers.
    public var recentWindowSeconds: Double
    /// When the newest backup that passed its restore test finished; nil if none ever did.
    public var lastVerifiedBackupAt: Date?
}

extension JobQueue {
    /// Reads the statistics. `recent` is the window for finished attempts (default one hour).
    public func statistics(recent: Duration = .seconds(3600), on db: PostgresConnection) throws -> QueueStatistics {
        // Available jobs come from the claim index, running ones from the lease index (running
        // implies a lease); a single scan over both states would read the whole table.
        let depthRows = try db.query(
            """
            SELECT queue,
                   count(*) FILTER (WHERE run_at <= now()),
                   count(*) FILTER (WHERE run_at > now()),
                   0,
                   calworker.age_seconds(min(run_at) FILTER (WHERE run_at <= now()))
              FROM calworker.jobs WHERE state = 'available' GROUP BY queue
            UNION ALL
            SELECT queue, 0, 0, count(*), NULL
              FROM calworker.jobs WHERE lease_until IS NOT NULL AND state = 'running' GROUP BY queue
            """)
        var depths: [String: QueueStatistics.Depth] = [:]
        for row in depthRows {
            let queue: String = try row.decode(at: 0)
            var depth = depths[queue] ?? QueueStatistics.Depth(queue: queue)
            depth.due += try row.decode(Int.self, at: 1)
            depth.scheduled += try row.decode(Int.self, at: 2)
            depth.running += try row.decode(Int.self, at: 3)
            if let age: Double = try row.decodeOptional(at: 4) { depth.oldestDueAgeSeconds = age }
            depths[queue] = depth
        }
        // Queues that workers serve are reported even when empty: a series that vanishes when
        // its queue drains would look like a failed scrape to an alert on the oldest job's age.
        let servedRows = try db.query("SELECT DISTINCT unnest(queues) FROM calworker.workers")
        for row in servedRows {
            let queue: String = try row.decode(at: 0)
            if depths[queue] == nil { depths[queue] = QueueStatistics.Depth(queue: queue) }
        }
        for pause in try pausedQueues(on: db) {
            depths[pause.queue, default: QueueStatistics.Depth(queue: pause.queue)].paused = true
        }
        // From the per-minute counts (`RunCountsSchema`), not the history: a few hundred rows
        // whatever the throughput. Whole minutes that began within the window.
        let runRows = try db.query(
            """
            SELECT kind, outcome, sum(attempts)::bigint,
                   (array_agg(last_error ORDER BY last_at DESC) FILTER (WHERE last_error IS NOT NULL))[1], max(last_at)
              FROM calworker.run_counts
             WHERE minute >= now() - $1::interval
             GROUP BY kind, outcome ORDER BY kind, outcome
            """, [recent])
        let recentRuns = try runRows.map { row in
            QueueStatistics.RecentRuns(
                kind: try row.decode(at: 0), outcome: try row.decode(at: 1), count: try row.decode(at: 2),
                lastError: try row.decodeOptional(at: 3), lastFinishedAt: try row.decode(at: 4))
        }
        let workerRows = try db.query(
            """
            SELECT count(*) FILTER (WHERE heartbeat_at > now() - $1::interval),
                   count(*) FILTER (WHERE heartbeat_at > now() - $1::interval AND stopping),
                   count(*) FILTER (WHERE heartbeat_at <= now() - $1::interval)
              FROM calworker.workers
            """, [lease])
        let backupRows = try db.query(
            """
            SELECT max(finished_at) FROM calworker.job_runs
             WHERE kind = 'backup' AND outcome = 'completed' AND figures->'verified' = '1'::jsonb
            """)
        return QueueStatistics(
            depths: depths.values.sorted { $0.queue < $1.queue }, recentRuns: recentRuns,
            workersAlive: try workerRows[0].decode(at: 0), workersStopping: try workerRows[0].decode(at: 1),
            workersStale: try workerRows[0].decode(at: 2), recentWindowSeconds: recent.seconds,
            lastVerifiedBackupAt: try backupRows[0].decodeOptional(at: 0))
    }
}
