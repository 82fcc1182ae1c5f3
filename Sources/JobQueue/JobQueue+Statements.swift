extension JobQueue {
    /// The queue's hot statements as text. Public so that the benchmark can drive exactly
    /// these statements through pgbench when it measures the SQL limit.
    public enum Statements {
        /// The claim as a WITH clause ending in a `claimed` CTE; `claim` selects from it.
        /// Parameters: $1 queue, $2 limit, $3 lease (interval), $4 worker id.
        ///
        /// The locked set is a MATERIALIZED CTE so it is computed exactly once (a rescanned
        /// SKIP LOCKED ... LIMIT subquery can pick other rows), and the UPDATE joins it on the
        /// primary key only: a filter on state there let the planner drive the update from the
        /// claim index when statistics were stale. The rows are locked, so they cannot change.
        public static let claimCTE = """
            WITH picked AS MATERIALIZED (
                SELECT id FROM calworker.jobs
                 WHERE state = 'available' AND queue = $1 AND run_at <= now()
                 ORDER BY priority, run_at, id
                 LIMIT $2
                 FOR UPDATE SKIP LOCKED
            ), claimed AS (
                UPDATE calworker.jobs AS j
                   SET state = 'running', attempt = j.attempt + 1, attempted_at = now(),
                       lease_until = now() + $3::interval, worker_id = $4
                  FROM picked
                 WHERE j.id = picked.id
                RETURNING j.id, j.kind, j.queue, j.args::text AS args, j.attempt, j.max_attempts, j.priority,
                          j.timeout_ms, j.attempted_at, j.run_at
            )
            """

        public static let claim = claimCTE + """
            SELECT id, kind, queue, args, attempt, max_attempts, priority, timeout_ms, attempted_at, run_at FROM claimed
            """

        /// Records finished attempts. Parameters: $1 ids, $2 attempts, $3 outcomes, $4 errors,
        /// $5 retry times, $6 finish times, $7 durations (ms), $8 figures (jsonb), $9 worker id.
        ///
        /// `target` looks each job up by primary key from the input (LATERAL forces that
        /// order) and locks it; the UPDATE then touches exactly those rows. A plain
        /// UPDATE ... FROM unnest(...) with the guards in its WHERE was planned as a scan of
        /// all running jobs per input row whenever statistics said few jobs run.
        public static let finish = """
            WITH input AS (
                SELECT * FROM unnest($1::bigint[], $2::integer[], $3::text[], $4::text[], $5::timestamptz[],
                                     $6::timestamptz[], $7::double precision[], $8::jsonb[])
                       AS t(id, attempt, outcome, error, retry_at, finished_at, duration_ms, figures)
            ), target AS MATERIALIZED (
                SELECT input.*, held.kind, held.queue, held.attempted_at
                  FROM input
                  CROSS JOIN LATERAL (
                      SELECT j.kind, j.queue, j.attempted_at FROM calworker.jobs AS j
                       WHERE j.id = input.id AND j.attempt = input.attempt AND j.state = 'running' AND j.worker_id = $9
                         FOR UPDATE
                  ) AS held
            ), updated AS (
                UPDATE calworker.jobs AS j
                   SET state = CASE WHEN target.outcome IN ('failed', 'snoozed') THEN 'available' ELSE target.outcome END,
                       run_at = coalesce(target.retry_at, j.run_at),
                       max_attempts = j.max_attempts + CASE WHEN target.outcome = 'snoozed' THEN 1 ELSE 0 END,
                       finished_at = CASE WHEN target.outcome IN ('failed', 'snoozed') THEN NULL ELSE target.finished_at END,
                       lease_until = NULL,
                       last_error = coalesce(target.error, j.last_error)
                  FROM target
                 WHERE j.id = target.id
                RETURNING j.id
            )
            INSERT INTO calworker.job_runs (job_id, attempt, kind, queue, worker_id, started_at, finished_at,
                                            outcome, error, duration_ms, figures)
            SELECT target.id, target.attempt, target.kind, target.queue, $9, target.attempted_at,
                   greatest(target.finished_at, target.attempted_at), target.outcome, target.error,
                   target.duration_ms, target.figures
              FROM target JOIN updated ON updated.id = target.id
            RETURNING job_id
            """
    }
}
