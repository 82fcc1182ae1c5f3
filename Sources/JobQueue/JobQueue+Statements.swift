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
        public static let claimCTE = claimCTE(after: false)

        /// The claim CTE; `after` adds a start position to the index scan: $5 priority, $6 due
        /// time in microseconds since the epoch, $7 id (see `ClaimPosition`). A due time before
        /// the epoch (a row another program wrote, even `-infinity`) reads as the epoch: its
        /// position is then later than it is, and a claim without a start takes what it skips.
        static func claimCTE(after: Bool) -> String {
            """
            WITH picked AS MATERIALIZED (
                SELECT id FROM calworker.jobs
                 WHERE state = 'available' AND queue = $1 AND run_at <= now()\(after ? """

                   AND (priority, run_at, id) > ($5::smallint, timestamptz 'epoch' + $6::bigint * interval '1 microsecond', $7::bigint)
                """ : "")
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
                          j.timeout_ms, j.attempted_at, j.run_at,
                          (extract(epoch FROM greatest(j.run_at, timestamptz 'epoch')) * 1000000)::bigint AS run_at_us
            )
            """
        }

        static let claimColumns = """
            SELECT id, kind, queue, args, attempt, max_attempts, priority, timeout_ms, attempted_at, run_at, run_at_us FROM claimed
            """

        public static let claim = claimCTE + claimColumns

        /// The claim from a position on (parameters $5 to $7 as in `claimCTE(after:)`).
        public static let claimAfterCTE = claimCTE(after: true)
        public static let claimAfter = claimAfterCTE + claimColumns

        /// Puts back running jobs whose lease expired (see `rescueExpired`), or ends them when
        /// they had used their attempts or were asked to stop. Parameters: $1 limit, $2
        /// backoff base (s), $3 backoff cap (s), $4 jitter, $5 one job's id or NULL.
        ///
        /// Written for rows another program may have written badly: the run record's start is
        /// the attempt's start only when that is a finite time in the past (else now, with no
        /// duration), the backoff exponent is capped before `power`, and a lease of
        /// `-infinity` still gives a message.
        public static let rescue = """
            WITH expired AS (
                SELECT id, worker_id AS old_worker, lease_until AS old_lease FROM calworker.jobs
                 WHERE lease_until < now() AND state = 'running' AND ($5::bigint IS NULL OR id = $5)
                 ORDER BY lease_until
                 LIMIT $1
                 FOR UPDATE SKIP LOCKED
            ), ending AS MATERIALIZED (
                SELECT j.id, j.attempt, j.kind, j.queue, expired.old_worker, j.priority, j.args, j.unique_key, j.max_attempts,
                       j.subject, j.timeout_ms, j.created_at,
                       CASE WHEN isfinite(j.attempted_at) AND j.attempted_at <= now() THEN j.attempted_at END AS started,
                       CASE WHEN j.cancel_requested_at IS NOT NULL THEN 'cancelled'
                            WHEN j.attempt >= j.max_attempts THEN 'discarded'
                            ELSE 'available' END AS next_state,
                       'worker ' || coalesce(expired.old_worker, '?') || ' stopped renewing its lease (expired '
                           || coalesce(to_char(expired.old_lease AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), 'at an unknown time')
                           || '); the attempt was lost' AS message
                  FROM expired JOIN calworker.jobs AS j ON j.id = expired.id
            ), requeued AS (
                UPDATE calworker.jobs AS j
                   SET state = 'available',
                       run_at = now() + make_interval(secs => least($3::double precision,
                                                                    $2::double precision * power(2, least(greatest(j.attempt - 1, 0), 60)))
                                                            * (1 + $4::double precision * (2 * random() - 1))),
                       lease_until = NULL,
                       last_error = ending.message
                  FROM ending
                 WHERE j.id = ending.id AND ending.next_state = 'available'
                RETURNING j.id
            ), ended AS (
                DELETE FROM calworker.jobs AS j USING ending
                 WHERE j.id = ending.id AND ending.next_state <> 'available'
                RETURNING j.id
            ), recorded AS (
                INSERT INTO calworker.job_runs (job_id, attempt, kind, queue, worker_id, started_at, finished_at,
                                                outcome, error, duration_ms, priority, args, unique_key, max_attempts, subject,
                                                job_state, timeout_ms, created_at)
                SELECT id, attempt, kind, queue, coalesce(old_worker, '?'), coalesce(started, now()), now(), 'lost', message,
                       coalesce(extract(epoch FROM now() - started) * 1000, 0), priority, args, unique_key, max_attempts, subject,
                       next_state, timeout_ms, created_at
                  FROM ending WHERE id IN (SELECT id FROM requeued UNION ALL SELECT id FROM ended)
            )
            SELECT id, attempt, kind, coalesce(old_worker, '?'), next_state FROM ending
             WHERE id IN (SELECT id FROM requeued UNION ALL SELECT id FROM ended)
            """

        /// Records finished attempts. Parameters: $1 ids, $2 attempts, $3 outcomes, $4 errors,
        /// $5 retry times, $6 finish times, $7 durations (ms), $8 figures (jsonb), $9 worker id.
        ///
        /// A job that will run again (failed, snoozed) is updated; one that ended leaves the
        /// claim table, and its run record, marked with how it ended, is its history.
        ///
        /// `target` looks each job up by primary key from the input (LATERAL forces that
        /// order) and locks it; the UPDATE and DELETE then touch exactly those rows. A plain
        /// UPDATE ... FROM unnest(...) with the guards in its WHERE was planned as a scan of
        /// all running jobs per input row whenever statistics said few jobs run.
        public static let finish = """
            WITH input AS (
                SELECT * FROM unnest($1::bigint[], $2::integer[], $3::text[], $4::text[], $5::timestamptz[],
                                     $6::timestamptz[], $7::double precision[], $8::jsonb[])
                       AS t(id, attempt, outcome, error, retry_at, finished_at, duration_ms, figures)
            ), target AS MATERIALIZED (
                SELECT input.*, held.kind, held.queue, held.attempted_at, held.priority, held.args AS job_args, held.unique_key,
                       held.max_attempts, held.subject, held.timeout_ms, held.created_at,
                       input.outcome IN ('failed', 'snoozed') AS again
                  FROM input
                  CROSS JOIN LATERAL (
                      SELECT j.kind, j.queue, j.attempted_at, j.priority, j.args, j.unique_key, j.max_attempts, j.subject,
                             j.timeout_ms, j.created_at
                        FROM calworker.jobs AS j
                       WHERE j.id = input.id AND j.attempt = input.attempt AND j.state = 'running' AND j.worker_id = $9
                         FOR UPDATE
                  ) AS held
            ), requeued AS (
                UPDATE calworker.jobs AS j
                   SET state = 'available',
                       run_at = coalesce(target.retry_at, j.run_at),
                       max_attempts = j.max_attempts + CASE WHEN target.outcome = 'snoozed' THEN 1 ELSE 0 END,
                       lease_until = NULL,
                       last_error = coalesce(target.error, j.last_error)
                  FROM target
                 WHERE j.id = target.id AND target.again
                RETURNING j.id
            ), ended AS (
                DELETE FROM calworker.jobs AS j USING target
                 WHERE j.id = target.id AND NOT target.again
                RETURNING j.id
            )
            INSERT INTO calworker.job_runs (job_id, attempt, kind, queue, worker_id, started_at, finished_at,
                                            outcome, error, duration_ms, figures, priority, args, unique_key, max_attempts, subject,
                                            job_state, timeout_ms, created_at)
            SELECT target.id, target.attempt, target.kind, target.queue, $9, target.attempted_at,
                   greatest(target.finished_at, target.attempted_at), target.outcome, target.error,
                   target.duration_ms, target.figures, target.priority, target.job_args, target.unique_key,
                   target.max_attempts, target.subject,
                   CASE WHEN target.again THEN 'available' ELSE target.outcome END, target.timeout_ms, target.created_at
              FROM target JOIN (SELECT id FROM requeued UNION ALL SELECT id FROM ended) AS done ON done.id = target.id
            RETURNING job_id
            """
    }
}
