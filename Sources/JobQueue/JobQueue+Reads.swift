public import Foundation
public import Postgres

/// What other modules read about the queue and its history, asked here instead of in their
/// own SQL: these tables are this module's (docs/layout.md "Who owns which table").
extension JobQueue {
    /// How many jobs of `queues` are due now and not held by a pause.
    public func dueCount(queues: [String], on db: PostgresConnection) throws -> Int {
        try db.query(
            """
            SELECT count(*) FROM calworker.jobs
             WHERE state = 'available' AND queue = ANY($1::text[]) AND run_at <= now()
               AND NOT EXISTS (SELECT 1 FROM calworker.queue_pauses p WHERE p.queue = jobs.queue)
            """, [queues])[0].decode(Int.self, at: 0)
    }

    /// When each of these jobs last finished with its job completed (jobs that never did are left out).
    public func completedAt(jobIDs: [Int64], on db: PostgresConnection) throws -> [Int64: Date] {
        var finished: [Int64: Date] = [:]
        for row in try db.query(
            """
            SELECT job_id, max(finished_at) FROM calworker.job_runs
             WHERE job_id = ANY($1::bigint[]) AND job_state = 'completed' GROUP BY job_id
            """, [jobIDs])
        {
            finished[try row.decode(Int64.self, at: 0)] = try row.decode(Date.self, at: 1)
        }
        return finished
    }

    /// One attempt that ended with its job discarded.
    public struct DiscardedRun: Sendable {
        public var jobID: Int64
        public var kind: String
        public var error: String
        public var finishedAt: Date
        /// The figures said `<figure> = 1` (a backup whose verification failed, say).
        public var flagged: Bool
    }

    /// Attempts finished after `since` whose job was discarded, oldest first, at most `limit`;
    /// `flag` names a figure to report (`verification_failed`).
    public func discardedRuns(since: Date, flag: String, limit: Int, on db: PostgresConnection) throws -> [DiscardedRun] {
        try db.query(
            """
            SELECT job_id, kind, coalesce(error, ''), finished_at, coalesce((figures->>$2)::float8, 0) = 1
              FROM calworker.job_runs WHERE outcome = 'discarded' AND finished_at > $1 ORDER BY finished_at LIMIT $3
            """, [since, flag, limit]
        ).map {
            DiscardedRun(
                jobID: try $0.decode(at: 0), kind: try $0.decode(at: 1), error: try $0.decode(at: 2), finishedAt: try $0.decode(at: 3),
                flagged: try $0.decode(at: 4))
        }
    }

    /// When the newest attempt of `kind` completed whose figure `figure` was 1 (the newest
    /// verified backup, say); nil when none did.
    public func newestCompleted(kind: String, withFigure figure: String, on db: PostgresConnection) throws -> Date? {
        try db.query(
            """
            SELECT max(finished_at) FROM calworker.job_runs
             WHERE kind = $1 AND outcome = 'completed' AND (figures->>$2)::float8 = 1
            """, [kind, figure])[0].decodeOptional(at: 0)
    }

    /// Attempts per kind and how many of them discarded their job, over the minutes from
    /// `window` before `now` to `now`, most discards first (at most 100 kinds).
    public func attemptsByKind(now: Date, window: Duration, on db: PostgresConnection) throws -> [(kind: String, discarded: Int, attempts: Int)] {
        try db.query(
            """
            SELECT kind, coalesce(sum(attempts) FILTER (WHERE outcome = 'discarded'), 0)::bigint, sum(attempts)::bigint
              FROM calworker.run_counts WHERE minute >= date_trunc('minute', $1::timestamptz - $2::interval) AND minute <= $1
             GROUP BY kind ORDER BY 2 DESC, kind LIMIT 100
            """, [now, window]
        ).map { (try $0.decode(String.self, at: 0), try $0.decode(Int.self, at: 1), try $0.decode(Int.self, at: 2)) }
    }

    /// The workers' newest heartbeat, how many are registered, and whether a job has been due
    /// for longer than `dueFor` before `now`.
    public func workerLiveness(now: Date, dueFor: Duration, on db: PostgresConnection) throws -> (newest: Date?, workers: Int, overdue: Bool) {
        let row = try db.query(
            """
            SELECT max(heartbeat_at), count(*),
                   EXISTS (SELECT 1 FROM calworker.jobs WHERE state = 'available' AND run_at < $1::timestamptz - $2::interval)
              FROM calworker.workers
            """, [now, dueFor])[0]
        return (try row.decodeOptional(at: 0), try row.decode(at: 1), try row.decode(at: 2))
    }
}
