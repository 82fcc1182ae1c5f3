public import Postgres

/// The queue's tables: jobs, their run records, the workers; what the queue's own statements need.
public enum QueueSchema {
    /// In the schema's recorded order; a step's version is its place in the order all modules
    /// share, so one step may have parts in several modules (see `Migrator`).
    public static let migrations: [Migration] = [
        Migration(
            version: 1, name: "queue: jobs, job_runs, workers",
            sql: """
                CREATE TABLE calworker.jobs (
                    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    kind          text        NOT NULL CHECK (kind <> ''),
                    queue         text        NOT NULL DEFAULT 'default' CHECK (queue <> ''),
                    args          jsonb       NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(args) = 'object'),
                    state         text        NOT NULL DEFAULT 'available'
                                  CHECK (state IN ('available', 'running', 'completed', 'discarded', 'cancelled')),
                    priority      smallint    NOT NULL DEFAULT 0,
                    attempt       integer     NOT NULL DEFAULT 0,
                    max_attempts  integer     NOT NULL DEFAULT 20 CHECK (max_attempts >= 1),
                    run_at        timestamptz NOT NULL DEFAULT now(),
                    unique_key    text,
                    timeout_ms    integer     CHECK (timeout_ms > 0),
                    created_at    timestamptz NOT NULL DEFAULT now(),
                    attempted_at  timestamptz,
                    finished_at   timestamptz,
                    lease_until   timestamptz,
                    worker_id     text,
                    cancel_requested_at timestamptz,
                    last_error    text,
                    CHECK (state <> 'running' OR lease_until IS NOT NULL)
                );

                -- The claim index holds available jobs only, so finished jobs never slow a claim.
                CREATE INDEX jobs_claim_idx ON calworker.jobs (queue, priority, run_at, id) WHERE state = 'available';
                -- Rescue scans running jobs by lease expiry. The predicate is on lease_until, not on
                -- state = 'running': with the latter, statements that look jobs up by id and also check
                -- state = 'running' (finish, lease renewal) were planned through this index whenever
                -- statistics said few jobs run, and became O(running x batch) under load.
                CREATE INDEX jobs_lease_idx ON calworker.jobs (lease_until) WHERE lease_until IS NOT NULL;
                -- A unique key holds while its job is live (queued, waiting to retry, or running).
                CREATE UNIQUE INDEX jobs_unique_live_idx ON calworker.jobs (unique_key)
                    WHERE unique_key IS NOT NULL AND state IN ('available', 'running');

                -- One row per attempt. No foreign key to jobs: the two have separate retention.
                CREATE TABLE calworker.job_runs (
                    job_id      bigint           NOT NULL,
                    attempt     integer          NOT NULL,
                    kind        text             NOT NULL,
                    queue       text             NOT NULL,
                    worker_id   text             NOT NULL,
                    started_at  timestamptz      NOT NULL,
                    finished_at timestamptz      NOT NULL,
                    outcome     text             NOT NULL
                                CHECK (outcome IN ('completed', 'failed', 'snoozed', 'discarded', 'cancelled', 'lost')),
                    error       text,
                    duration_ms double precision NOT NULL,
                    figures     jsonb            NOT NULL DEFAULT '{}',
                    PRIMARY KEY (job_id, attempt)
                );
                CREATE INDEX job_runs_finished_idx ON calworker.job_runs (finished_at);

                CREATE TABLE calworker.workers (
                    id           text        PRIMARY KEY,
                    hostname     text        NOT NULL,
                    pid          integer     NOT NULL,
                    queues       text[]      NOT NULL,
                    concurrency  integer     NOT NULL,
                    version      text        NOT NULL,
                    started_at   timestamptz NOT NULL DEFAULT now(),
                    heartbeat_at timestamptz NOT NULL DEFAULT now(),
                    stopping     boolean     NOT NULL DEFAULT false
                );

                -- One wake-up per queue per statement, for every insert path (our CLI, the platform
                -- inserting in its own transaction): delivered on commit, dropped on rollback.
                CREATE FUNCTION calworker.notify_jobs_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    PERFORM pg_notify('calworker_jobs', q.queue)
                    FROM (SELECT DISTINCT queue FROM inserted WHERE state = 'available' AND run_at <= now()) AS q;
                    RETURN NULL;
                END
                $$;
                CREATE TRIGGER jobs_notify_inserted AFTER INSERT ON calworker.jobs
                    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT
                    EXECUTE FUNCTION calworker.notify_jobs_inserted();
                """),
        Migration(
            version: 4, name: "index of backup runs, for the last verified backup's age",
            sql: """
                -- `calworker metrics` reads the newest verified backup on every scrape; without this it
                -- would scan every run record when there is none.
                CREATE INDEX job_runs_backup_idx ON calworker.job_runs (finished_at) WHERE kind = 'backup' AND outcome = 'completed';
                """),
        Migration(
            version: 6, name: "index for pruning finished jobs",
            sql: """
                -- The cleanup job prunes finished jobs by age in small batches; this keeps each batch an
                -- index range.
                CREATE INDEX jobs_finished_idx ON calworker.jobs (finished_at) WHERE state IN ('completed', 'discarded', 'cancelled');
                """),
        Migration(
            version: 8, name: "bounds on job names; ages that tolerate infinite timestamps",
            sql: """
                -- Seconds since a timestamp, for ages an operator sees (oldest due job, heartbeats):
                -- NULL for NULL, and a large finite number instead of an error for a row another program
                -- wrote with '-infinity' ("cannot subtract infinite timestamps" failed every scrape).
                CREATE FUNCTION calworker.age_seconds(t timestamptz) RETURNS float8 LANGUAGE sql STABLE AS $$
                    SELECT CASE WHEN t IS NULL THEN NULL
                                WHEN isfinite(t) THEN extract(epoch FROM now() - t)::float8
                                WHEN t < now() THEN 1e12::float8
                                ELSE -1e12::float8 END
                $$;
                -- What calworker's own producers already refuse, refused for every other writer too (a
                -- 5 MB kind once made `calworker queue` print 225 MB). NOT VALID: rows already there are
                -- not checked now; the queue's quarantine shortens them when it discards them.
                ALTER TABLE calworker.jobs ADD CONSTRAINT jobs_kind_length CHECK (octet_length(kind) <= 64) NOT VALID;
                ALTER TABLE calworker.jobs ADD CONSTRAINT jobs_queue_length CHECK (octet_length(queue) <= 64) NOT VALID;
                """),
        Migration(
            version: 9, name: "workers wake for jobs due within a minute",
            sql: """
                -- Also announce jobs due within a minute (a push notification's sync waits a moment so
                -- a burst becomes one): 'queue@EPOCH' tells workers when to look, so such a job starts
                -- when due instead of at the next poll. Older workers ignore the new payload.
                CREATE OR REPLACE FUNCTION calworker.notify_jobs_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    PERFORM pg_notify('calworker_jobs', q.queue)
                    FROM (SELECT DISTINCT queue FROM inserted WHERE state = 'available' AND run_at <= now()) AS q;
                    PERFORM pg_notify('calworker_jobs', s.queue || '@' || to_char(extract(epoch FROM s.due), 'FM9999999999990.000'))
                    FROM (SELECT queue, min(run_at) AS due FROM inserted
                           WHERE state = 'available' AND run_at > now() AND run_at <= now() + interval '1 minute' GROUP BY queue) AS s;
                    RETURN NULL;
                END
                $$;
                """),
        Migration(
            version: 10, name: "paused queues and the operators' audit log",
            sql: """
                -- A queue an operator paused: no worker claims from it until it is resumed; running
                -- jobs finish. Workers read this at most a second apart, and on every wake-up.
                CREATE TABLE calworker.queue_pauses (
                    queue     text        PRIMARY KEY CHECK (queue <> '' AND octet_length(queue) <= 64),
                    reason    text        CHECK (octet_length(reason) <= 2000),
                    paused_by text        NOT NULL,
                    paused_at timestamptz NOT NULL DEFAULT now()
                );

                -- Every operator action on jobs and queues: who (user@host), from where (cli, console),
                -- what, on what (the job, the queue or the filter), and how many jobs it touched.
                CREATE TABLE calworker.audit (
                    id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    at      timestamptz NOT NULL DEFAULT now(),
                    actor   text        NOT NULL,
                    origin  text        NOT NULL,
                    action  text        NOT NULL,
                    target  jsonb       NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(target) = 'object'),
                    count   integer
                );
                CREATE INDEX audit_at_idx ON calworker.audit (at);
                """),
        Migration(
            version: 11, name: "self-contained run history with subjects",
            sql: """
                -- What a job is about (`account:12`), declared by its kind from its args at enqueue.
                ALTER TABLE calworker.jobs ADD COLUMN subject text CHECK (octet_length(subject) <= 512);
                -- Each run record keeps what it takes to understand the attempt after the job row is
                -- pruned: the args, priority, unique key, attempts allowed, subject.
                ALTER TABLE calworker.job_runs
                    ADD COLUMN priority     smallint,
                    ADD COLUMN args         jsonb,
                    ADD COLUMN unique_key   text,
                    ADD COLUMN max_attempts integer,
                    ADD COLUMN subject      text;
                -- Records of jobs still present take their job's values; an account id in the args is
                -- the subject every kind about an account declares.
                UPDATE calworker.jobs SET subject = 'account:' || (args->>'account_id')
                 WHERE jsonb_typeof(args->'account_id') = 'number';
                UPDATE calworker.job_runs r
                   SET priority = j.priority, args = j.args, unique_key = j.unique_key, max_attempts = j.max_attempts, subject = j.subject
                  FROM calworker.jobs j WHERE j.id = r.job_id;
                CREATE INDEX job_runs_subject_idx ON calworker.job_runs (subject, finished_at DESC) WHERE subject IS NOT NULL;
                CREATE INDEX job_runs_args_idx ON calworker.job_runs USING gin (args jsonb_path_ops);
                """),
        HistorySchema.migration,
        RunCountsSchema.migration,
        OwnerRightsSchema.migration,
        Migration(
            version: 20, name: "one rule for queue names, in the pauses too",
            sql: """
                -- Pauses of names no job can be in (enqueue refuses them): written by a pause
                -- that did not check the rule, and impossible to resume from the console.
                DELETE FROM calworker.queue_pauses WHERE queue !~ '^[A-Za-z0-9_-]{1,64}$';
                ALTER TABLE calworker.queue_pauses ADD CONSTRAINT queue_pauses_queue_name CHECK (queue ~ '^[A-Za-z0-9_-]{1,64}$');
                """),
    ]
}
