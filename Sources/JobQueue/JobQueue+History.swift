import Postgres

/// Finished jobs to look at or bring back: one job, or those a filter matches, in the end
/// states wanted. A finished job lives in its history only: its newest run record, whose
/// `job_state` says how it ended.
struct HistorySelection {
    var jobID: Int64?
    var filter = JobFilter()
    var states = [JobState.completed, .discarded, .cancelled].map(\.rawValue)

    /// The newest record of every matching finished job as a `latest` CTE (and its
    /// parameters): jobs not live again, whose newest record ended them in a wanted state.
    func latestCTE() -> (String, [any PostgresEncodable]) {
        let (condition, parameters) = filter.sql(from: 3, alias: "r")
        return (
            """
            candidates AS (
                SELECT DISTINCT ON (r.job_id) r.* FROM calworker.job_runs AS r
                 WHERE r.job_state = ANY($1::text[]) AND ($2::bigint IS NULL OR r.job_id = $2) AND \(condition)
                 ORDER BY r.job_id, r.finished_at DESC, r.attempt DESC
            ), latest AS (
                SELECT c.* FROM candidates AS c
                 WHERE NOT EXISTS (SELECT 1 FROM calworker.jobs AS l WHERE l.id = c.job_id)
                   AND NOT EXISTS (SELECT 1 FROM calworker.job_runs AS n
                                    WHERE n.job_id = c.job_id AND (n.finished_at, n.attempt) > (c.finished_at, c.attempt))
            )
            """, [states, jobID] + parameters
        )
    }
}

extension JobQueue {
    /// How many finished jobs the selection matches, and the newest few as job records.
    func finishedJobs(_ selection: HistorySelection, sample: Int, on db: PostgresConnection) throws -> (count: Int, sample: [JobRecord]) {
        let (latest, parameters) = selection.latestCTE()
        let count: Int = try db.query("WITH \(latest) SELECT count(*) FROM latest", parameters)[0].decode(at: 0)
        let ids = try db.query("WITH \(latest) SELECT job_id FROM latest ORDER BY job_id DESC LIMIT $8", parameters + [sample])
            .map { try $0.decode(Int64.self, at: 0) }
        return (count, try ids.compactMap { try job(id: $0, on: db) })
    }

    /// Puts the selected finished jobs back in the claim table, due now, under their own ids,
    /// with one more attempt if they had used them all. Of jobs sharing a unique key only the
    /// newest comes back, and only while no live job holds the key; a job another action
    /// brought back meanwhile is left alone. Returns the ids.
    func revive(_ selection: HistorySelection, on db: PostgresConnection) throws -> [Int64] {
        let (latest, parameters) = selection.latestCTE()
        // Values the claim table's checks refuse (a record another program wrote) stay in the
        // history rather than failing the whole action.
        return try db.query(
            """
            WITH \(latest), fitting AS (
                SELECT * FROM latest
                 WHERE octet_length(kind) BETWEEN 1 AND 64 AND octet_length(queue) BETWEEN 1 AND 64
                   AND (timeout_ms IS NULL OR timeout_ms > 0) AND coalesce(octet_length(subject), 0) <= 512
                   AND (args IS NULL OR jsonb_typeof(args) = 'object')
            ), chosen AS (
                SELECT * FROM fitting WHERE unique_key IS NULL
                UNION ALL
                SELECT * FROM (
                    SELECT DISTINCT ON (f.unique_key) f.* FROM fitting AS f
                     WHERE f.unique_key IS NOT NULL
                       AND NOT EXISTS (SELECT 1 FROM calworker.jobs AS l WHERE l.unique_key = f.unique_key AND l.state IN ('available', 'running'))
                     ORDER BY f.unique_key, f.job_id DESC) AS keyed
            )
            INSERT INTO calworker.jobs (id, kind, queue, args, state, priority, attempt, max_attempts, run_at, unique_key, timeout_ms,
                                        created_at, last_error, subject)
            OVERRIDING SYSTEM VALUE
            SELECT job_id, kind, queue, coalesce(args, '{}'), 'available', coalesce(priority, 0), attempt,
                   greatest(coalesce(max_attempts, 1), attempt + 1), now(), unique_key, timeout_ms,
                   coalesce(created_at, started_at), error, subject
              FROM chosen ORDER BY job_id
            ON CONFLICT DO NOTHING
            RETURNING id
            """, parameters
        ).map { try $0.decode(Int64.self, at: 0) }.sorted()
    }
}
