public import Postgres

extension JobQueue {
    /// Deletes up to `batch` finished jobs in `states` that finished more than `olderThan`
    /// ago, oldest first; returns how many. Live jobs (queued, retrying, running) are never
    /// touched: the claim, lease and unique indexes cover them, never these. Each call is one
    /// short statement, so a caller prunes in batches that hold locks for milliseconds.
    public func pruneFinished(_ states: [JobState], olderThan age: Duration, batch: Int, on db: PostgresConnection) throws(PostgresError) -> Int {
        try db.execute("""
            DELETE FROM calworker.jobs WHERE id IN (
                SELECT id FROM calworker.jobs WHERE state = ANY($1::text[]) AND finished_at < now() - $2::interval
                 ORDER BY finished_at LIMIT $3 FOR UPDATE SKIP LOCKED)
            """, [states.map(\.rawValue), age, batch])
    }

    /// Deletes up to `batch` run records older than `olderThan`; returns how many.
    public func pruneRuns(olderThan age: Duration, batch: Int, on db: PostgresConnection) throws(PostgresError) -> Int {
        try db.execute("""
            DELETE FROM calworker.job_runs WHERE ctid = ANY(ARRAY(
                SELECT ctid FROM calworker.job_runs WHERE finished_at < now() - $1::interval ORDER BY finished_at LIMIT $2))
            """, [age, batch])
    }
}
