import Postgres

/// Schema version 12: the claim table keeps live jobs only, and the run history is partitioned
/// by day.
///
/// Measured before choosing (2026-12-03, this machine, pgbench draining 1,000,000 jobs with
/// the worker's statements): finishing a job by updating it in place ran at 64,255 jobs/s and
/// left a 461 MB claim table; moving it to a finished-jobs table as well as writing its run
/// record, 75,369 jobs/s; deleting it and writing only its run record, 91,765 jobs/s. The run
/// record already keeps everything about the job, so it is the job's history: a finished job
/// is its newest record, whose `job_state` says what became of it.
enum HistorySchema {
    static let migration = Migration(
        version: 12, name: "live jobs only in the claim table; run history partitioned by day",
        sql: """
            -- The old history, renamed; its rows are copied into the partitioned table and it is dropped.
            ALTER TABLE calworker.job_runs RENAME TO job_runs_v11;
            DROP INDEX calworker.job_runs_finished_idx, calworker.job_runs_backup_idx, calworker.job_runs_subject_idx,
                       calworker.job_runs_args_idx;
            ALTER TABLE calworker.job_runs_v11 DROP CONSTRAINT job_runs_pkey;

            -- One row per attempt, and one when a job ends without an attempt (cancelled while
            -- waiting, quarantined). Each keeps what it takes to understand it with the job gone,
            -- and `job_state`: what became of the job after it (available: it waits to run again).
            -- No primary key: a partitioned table's must include the finish time, and each
            -- attempt is written once by the statement that holds its job's row.
            CREATE TABLE calworker.job_runs (
                job_id       bigint           NOT NULL,
                attempt      integer          NOT NULL,
                kind         text             NOT NULL,
                queue        text             NOT NULL,
                worker_id    text             NOT NULL,
                started_at   timestamptz      NOT NULL,
                finished_at  timestamptz      NOT NULL,
                outcome      text             NOT NULL
                             CHECK (outcome IN ('completed', 'failed', 'snoozed', 'discarded', 'cancelled', 'lost')),
                error        text,
                duration_ms  double precision NOT NULL,
                figures      jsonb            NOT NULL DEFAULT '{}',
                priority     smallint,
                args         jsonb,
                unique_key   text,
                max_attempts integer,
                subject      text,
                job_state    text             NOT NULL DEFAULT 'available'
                             CHECK (job_state IN ('available', 'completed', 'discarded', 'cancelled')),
                timeout_ms   integer,
                created_at   timestamptz
            ) PARTITION BY RANGE (finished_at);
            -- Rows no day's partition takes (a clock far off, maintenance that did not run) land
            -- here instead of failing the statement that finishes their job.
            CREATE TABLE calworker.job_runs_default PARTITION OF calworker.job_runs DEFAULT;
            CREATE INDEX job_runs_job_idx ON calworker.job_runs (job_id, attempt);
            CREATE INDEX job_runs_finished_idx ON calworker.job_runs (finished_at);
            -- `calworker metrics` reads the newest verified backup on every scrape.
            CREATE INDEX job_runs_backup_idx ON calworker.job_runs (finished_at) WHERE kind = 'backup' AND outcome = 'completed';
            CREATE INDEX job_runs_subject_idx ON calworker.job_runs (subject, finished_at DESC) WHERE subject IS NOT NULL;
            CREATE INDEX job_runs_args_idx ON calworker.job_runs USING gin (args jsonb_path_ops);
            -- Jobs that ended without success: what a bulk retry looks through.
            CREATE INDEX job_runs_unsuccessful_idx ON calworker.job_runs (finished_at) WHERE job_state IN ('discarded', 'cancelled');

            -- The partition of one UTC day, created when missing (true) with the rows the default
            -- partition holds for that day moved into it. Created apart and attached, which locks
            -- the parent less than CREATE TABLE ... PARTITION OF.
            CREATE FUNCTION calworker.ensure_history_partition(day date) RETURNS boolean LANGUAGE plpgsql AS $$
            DECLARE
                name text := 'job_runs_' || to_char(day, 'YYYYMMDD');
                low  timestamptz := day::timestamp AT TIME ZONE 'UTC';
                high timestamptz := (day + 1)::timestamp AT TIME ZONE 'UTC';
            BEGIN
                IF to_regclass('calworker.' || name) IS NOT NULL THEN RETURN false; END IF;
                EXECUTE format('CREATE TABLE calworker.%I (LIKE calworker.job_runs INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', name);
                EXECUTE format('ALTER TABLE calworker.%I ADD CONSTRAINT %I CHECK (finished_at >= %L AND finished_at < %L)',
                               name, name || '_range', low, high);
                EXECUTE format('WITH moved AS (DELETE FROM calworker.job_runs_default WHERE finished_at >= $1 AND finished_at < $2 RETURNING *) '
                               'INSERT INTO calworker.%I SELECT * FROM moved', name) USING low, high;
                EXECUTE format('ALTER TABLE calworker.job_runs ATTACH PARTITION calworker.%I FOR VALUES FROM (%L) TO (%L)', name, low, high);
                -- The attach checked the range; the constraint only spared it a scan.
                EXECUTE format('ALTER TABLE calworker.%I DROP CONSTRAINT %I', name, name || '_range');
                RETURN true;
            END
            $$;

            -- Detaches and drops the partition of one UTC day; returns the bytes it held (NULL when
            -- there is none). Detaching locks the whole history briefly, under the caller's
            -- lock_timeout. First the day alone is locked against vacuum, waiting up to 5 s (an
            -- autovacuum on it gives way after deadlock_timeout), so that wait never holds the
            -- history's lock with every finishing job queued behind it.
            CREATE FUNCTION calworker.drop_history_partition(day date) RETURNS bigint LANGUAGE plpgsql AS $$
            DECLARE
                name text := 'job_runs_' || to_char(day, 'YYYYMMDD');
                size bigint;
                timeout text := current_setting('lock_timeout');
            BEGIN
                IF to_regclass('calworker.' || name) IS NULL THEN RETURN NULL; END IF;
                PERFORM set_config('lock_timeout', '5s', true);
                EXECUTE format('LOCK TABLE calworker.%I IN SHARE UPDATE EXCLUSIVE MODE', name);
                PERFORM set_config('lock_timeout', timeout, true);
                size := pg_total_relation_size(to_regclass('calworker.' || name));
                EXECUTE format('ALTER TABLE calworker.job_runs DETACH PARTITION calworker.%I', name);
                EXECUTE format('DROP TABLE calworker.%I', name);
                RETURN size;
            END
            $$;

            -- Ends the jobs of `ids` still in one of `from_states` without an attempt (a cancel of
            -- a waiting job, a quarantine): each leaves the claim table and its history gains a
            -- record saying how it ended. Returns the ids ended.
            CREATE FUNCTION calworker.end_jobs(ids bigint[], from_states text[], end_state text, reason text)
            RETURNS SETOF bigint LANGUAGE sql AS $$
                WITH gone AS (
                    DELETE FROM calworker.jobs WHERE id = ANY(ids) AND state = ANY(from_states) RETURNING *
                ), recorded AS (
                    INSERT INTO calworker.job_runs (job_id, attempt, kind, queue, worker_id, started_at, finished_at, outcome, error,
                                                    duration_ms, priority, args, unique_key, max_attempts, subject, job_state,
                                                    timeout_ms, created_at)
                    SELECT id, attempt, left(kind, 64), left(queue, 64), '-', now(), now(), end_state, coalesce(reason, last_error), 0,
                           priority, args, unique_key, max_attempts, subject, end_state, timeout_ms, created_at
                      FROM gone
                )
                SELECT id FROM gone
            $$;

            -- Moves up to `max_rows` finished jobs (NULL: all; `only_id`: that one) out of the claim
            -- table: the record of
            -- the attempt that finished each is marked with the job's end, or a record is written
            -- for a job that ended without one. For this migration, and for rows an older worker
            -- or another program left finished in the claim table.
            CREATE FUNCTION calworker.move_finished_jobs(max_rows integer, only_id bigint DEFAULT NULL) RETURNS integer LANGUAGE sql AS $$
                WITH gone AS (
                    DELETE FROM calworker.jobs WHERE id IN (
                        SELECT id FROM calworker.jobs
                         WHERE state IN ('completed', 'discarded', 'cancelled') AND (only_id IS NULL OR id = only_id)
                         ORDER BY id LIMIT max_rows FOR UPDATE SKIP LOCKED)
                    RETURNING *
                ), marked AS (
                    UPDATE calworker.job_runs AS r
                       SET job_state = g.state, timeout_ms = g.timeout_ms, created_at = g.created_at,
                           error = coalesce(r.error, g.last_error), args = coalesce(r.args, g.args),
                           priority = coalesce(r.priority, g.priority), unique_key = coalesce(r.unique_key, g.unique_key),
                           max_attempts = coalesce(r.max_attempts, g.max_attempts), subject = coalesce(r.subject, g.subject)
                      FROM gone g
                     WHERE r.job_id = g.id AND r.attempt = g.attempt
                       AND (r.outcome = g.state OR (r.outcome = 'lost' AND g.state IN ('discarded', 'cancelled')))
                    RETURNING r.job_id
                ), recorded AS (
                    INSERT INTO calworker.job_runs (job_id, attempt, kind, queue, worker_id, started_at, finished_at, outcome, error,
                                                    duration_ms, priority, args, unique_key, max_attempts, subject, job_state,
                                                    timeout_ms, created_at)
                    SELECT g.id, g.attempt, left(g.kind, 64), left(g.queue, 64), coalesce(g.worker_id, '-'),
                           coalesce(g.finished_at, now()), coalesce(g.finished_at, now()), g.state, g.last_error, 0,
                           g.priority, g.args, g.unique_key, g.max_attempts, g.subject, g.state, g.timeout_ms, g.created_at
                      FROM gone g WHERE g.id NOT IN (SELECT job_id FROM marked)
                )
                SELECT count(*)::integer FROM gone
            $$;

            -- Partitions for the days the old history covers (the last 400; older rows go to the
            -- default partition and its retention), today and the two days ahead.
            SELECT calworker.ensure_history_partition(d::date)
              FROM (SELECT DISTINCT (finished_at AT TIME ZONE 'UTC')::date AS d FROM calworker.job_runs_v11
                     WHERE finished_at > now() - interval '400 days' AND finished_at < now() + interval '3 days'
                    UNION SELECT ((now() AT TIME ZONE 'UTC')::date + n) FROM generate_series(0, 2) AS n) AS days
             ORDER BY d;

            -- Every old record. The newest record of a job whose row was pruned says how it ended;
            -- the records of finished jobs still present are marked by move_finished_jobs below.
            INSERT INTO calworker.job_runs (job_id, attempt, kind, queue, worker_id, started_at, finished_at, outcome, error, duration_ms,
                                            figures, priority, args, unique_key, max_attempts, subject, job_state)
            SELECT r.job_id, r.attempt, r.kind, r.queue, r.worker_id, r.started_at, r.finished_at, r.outcome, r.error, r.duration_ms,
                   r.figures, r.priority, r.args, r.unique_key, r.max_attempts, r.subject,
                   CASE WHEN r.newest AND NOT r.present THEN
                            CASE r.outcome WHEN 'completed' THEN 'completed' WHEN 'cancelled' THEN 'cancelled' ELSE 'discarded' END
                        ELSE 'available' END
              FROM (SELECT v.*, EXISTS (SELECT 1 FROM calworker.jobs j WHERE j.id = v.job_id) AS present,
                           row_number() OVER (PARTITION BY v.job_id ORDER BY v.finished_at DESC, v.attempt DESC) = 1 AS newest
                      FROM calworker.job_runs_v11 v) AS r;
            DROP TABLE calworker.job_runs_v11;
            SELECT calworker.move_finished_jobs(NULL);
            """)
}
