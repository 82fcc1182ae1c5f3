import Postgres

/// One versioned step of the `calworker` schema. Steps are append-only: a released step is
/// never edited, a change is a new step.
public struct Migration: Sendable {
    public let version: Int
    public let name: String
    let sql: StaticString
}

/// Every migration this build knows, in order. The last version is the one a worker requires.
public enum Migrations {
    public static let all: [Migration] = [
        Migration(version: 1, name: "queue: jobs, job_runs, workers", sql: """
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
        Migration(version: 2, name: "google accounts, calendars and the local event copy", sql: """
        -- One connected Google account. Tokens are AES-256-GCM ciphertexts (nonce, data, tag)
        -- under the key named by key_id; the key itself is never stored.
        CREATE TABLE calworker.accounts (
            id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            email         text        NOT NULL UNIQUE CHECK (email <> ''),
            owner         text        NOT NULL CHECK (owner <> ''),
            state         text        NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'disabled', 'needs_reauth')),
            key_id        text        NOT NULL,
            refresh_token bytea       NOT NULL,
            access_token  bytea,
            access_token_expires_at timestamptz,
            -- Set by quotaExceeded: no sync before this time.
            paused_until  timestamptz,
            calendar_list_sync_token text,
            last_synced_at timestamptz,
            last_error    text,
            created_at    timestamptz NOT NULL DEFAULT now(),
            updated_at    timestamptz NOT NULL DEFAULT now()
        );

        -- The account's calendar list. excluded is the operator's switch; deleted mirrors
        -- the calendar list's own flag.
        CREATE TABLE calworker.calendars (
            account_id    bigint  NOT NULL REFERENCES calworker.accounts ON DELETE CASCADE,
            calendar_id   text    NOT NULL,
            summary       text,
            time_zone     text,
            access_role   text    NOT NULL,
            is_primary    boolean NOT NULL DEFAULT false,
            deleted       boolean NOT NULL DEFAULT false,
            excluded      boolean NOT NULL DEFAULT false,
            sync_token    text,
            -- Raised when a full sync starts; rows not seen by the full sync that ends with
            -- this generation become tombstones (reconciliation after 410, nothing wiped first).
            full_sync_generation bigint NOT NULL DEFAULT 0,
            last_synced_at timestamptz,
            PRIMARY KEY (account_id, calendar_id)
        );

        -- Every event of every synced calendar as Google returned it (raw), with the fields
        -- the mirror planner reads pulled out. Cancelled events stay as tombstones.
        CREATE TABLE calworker.events (
            account_id     bigint      NOT NULL,
            calendar_id    text        NOT NULL,
            event_id       text        NOT NULL,
            etag           text,
            status         text        NOT NULL,
            summary        text,
            start_date     date,
            start_time     timestamptz,
            start_time_zone text,
            end_date       date,
            end_time       timestamptz,
            end_time_zone  text,
            recurrence     text[],
            recurring_event_id text,
            original_start jsonb,
            transparency   text,
            event_type     text,
            updated        timestamptz,
            is_mirror      boolean     NOT NULL DEFAULT false,
            raw            jsonb       NOT NULL,
            seen_generation bigint     NOT NULL DEFAULT 0,
            synced_at      timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (account_id, calendar_id, event_id),
            FOREIGN KEY (account_id, calendar_id) REFERENCES calworker.calendars ON DELETE CASCADE
        );
        """),
        Migration(version: 3, name: "per-owner mirror settings", sql: """
        -- Per sync group (owner): the title of busy blocks and how far ahead they reach.
        -- Absent means the defaults, "Busy" and 90 days.
        CREATE TABLE calworker.owner_settings (
            owner       text    PRIMARY KEY CHECK (owner <> ''),
            busy_title  text    NOT NULL DEFAULT 'Busy' CHECK (busy_title <> ''),
            mirror_days integer NOT NULL DEFAULT 90 CHECK (mirror_days BETWEEN 1 AND 730)
        );
        """),
        Migration(version: 4, name: "index of backup runs, for the last verified backup's age", sql: """
        -- `calworker metrics` reads the newest verified backup on every scrape; without this it
        -- would scan every run record when there is none.
        CREATE INDEX job_runs_backup_idx ON calworker.job_runs (finished_at) WHERE kind = 'backup' AND outcome = 'completed';
        """),
        Migration(version: 5, name: "notifications: preferences, the sent ledger, operator alerts", sql: """
        -- Per owner (a platform user): where reminders go and when. No row means the defaults:
        -- e-mail to the owner's first account, 30 minutes ahead, UTC, no quiet hours.
        CREATE TABLE calworker.notification_settings (
            owner        text    PRIMARY KEY CHECK (owner <> ''),
            email        text,
            webhook_url  text,
            channel      text    NOT NULL DEFAULT 'email' CHECK (channel IN ('email', 'webhook', 'both', 'off')),
            lead_minutes integer NOT NULL DEFAULT 30 CHECK (lead_minutes BETWEEN 0 AND 10080),
            time_zone    text    NOT NULL DEFAULT 'UTC',
            quiet_start  time,
            quiet_end    time,
            all_day_at   time    NOT NULL DEFAULT '08:00',
            CHECK ((quiet_start IS NULL) = (quiet_end IS NULL))
        );
        -- One row per message that must go out at most once: claimed (sending) before it is
        -- sent, marked sent after. The unique key is what makes two workers, or a rerun after a
        -- crash, send it once.
        CREATE TABLE calworker.notifications (
            id            bigserial   PRIMARY KEY,
            kind          text        NOT NULL CHECK (kind IN ('reminder', 'alert_digest')),
            key           text        NOT NULL,
            recipient     text        NOT NULL,
            channel       text        NOT NULL CHECK (channel IN ('email', 'webhook')),
            state         text        NOT NULL CHECK (state IN ('sending', 'sent', 'failed')),
            attempts      integer     NOT NULL DEFAULT 1,
            claimed_until timestamptz,
            created_at    timestamptz NOT NULL DEFAULT now(),
            sent_at       timestamptz,
            last_error    text,
            subject       text,
            UNIQUE (kind, key, recipient, channel)
        );
        CREATE INDEX notifications_created_idx ON calworker.notifications (created_at);
        -- Operator alerts waiting for (or carried by) a digest; the key makes each condition
        -- alert once.
        CREATE TABLE calworker.alerts (
            id        bigserial   PRIMARY KEY,
            key       text        NOT NULL UNIQUE,
            subject   text        NOT NULL,
            detail    text        NOT NULL DEFAULT '',
            raised_at timestamptz NOT NULL DEFAULT now(),
            digest_id bigint      REFERENCES calworker.notifications ON DELETE SET NULL
        );
        CREATE INDEX alerts_pending_idx ON calworker.alerts (id) WHERE digest_id IS NULL;
        -- Reminders read upcoming events of an owner's accounts every minute or five.
        CREATE INDEX events_upcoming_idx ON calworker.events (account_id, start_time) WHERE NOT is_mirror;
        CREATE INDEX events_series_idx ON calworker.events (account_id) WHERE recurrence IS NOT NULL OR recurring_event_id IS NOT NULL;
        -- Watermarks of the alert checks (how far run records have been looked at).
        CREATE TABLE calworker.notify_state (
            name  text        PRIMARY KEY,
            value timestamptz NOT NULL
        );
        """),
        Migration(version: 6, name: "schedule fires; indexes for the cleanup job", sql: """
        -- One row per fire of a scheduled definition, by the wall-clock time it was scheduled
        -- for: schedulers running side by side insert it before enqueueing, so each fire
        -- enqueues once.
        CREATE TABLE calworker.schedule_fires (
            name      text        NOT NULL,
            wall_time text        NOT NULL,
            fire_at   timestamptz NOT NULL,
            job_id    bigint,
            PRIMARY KEY (name, wall_time)
        );
        CREATE INDEX schedule_fires_at_idx ON calworker.schedule_fires (name, fire_at);
        -- The cleanup job prunes by age in small batches; these keep each batch an index range.
        CREATE INDEX jobs_finished_idx ON calworker.jobs (finished_at) WHERE state IN ('completed', 'discarded', 'cancelled');
        CREATE INDEX events_tombstones_idx ON calworker.events (synced_at) WHERE status = 'cancelled';
        """),
        Migration(version: 7, name: "Google request budgets shared by every worker", sql: """
        -- One token bucket per account for every process writing as it: an account's own sync
        -- in one worker and another account's mirror lane writing as it in another together
        -- stay within one budget, below Google's per-user limit. Unlogged: a take writes no WAL
        -- and waits for no disk flush; after a crash the buckets start again full, as after a
        -- quiet minute, which loses nothing worth a flush per request.
        CREATE UNLOGGED TABLE calworker.request_budgets (
            account_id  bigint      PRIMARY KEY REFERENCES calworker.accounts ON DELETE CASCADE,
            tokens      float8      NOT NULL,
            refilled_at timestamptz NOT NULL
        );
        -- Takes up to p_wanted requests' worth (refilling at p_per_second, at most p_capacity);
        -- returns how many were granted and, when none, how long until one is. The row lock
        -- makes concurrent takers queue: none can spend what another took.
        CREATE FUNCTION calworker.take_request_budget(p_account bigint, p_capacity float8, p_per_second float8, p_wanted int)
        RETURNS TABLE (granted int, wait_seconds float8) LANGUAGE plpgsql AS $$
        DECLARE
            v_tokens    float8;
            v_at        timestamptz;
            v_now       timestamptz;
            v_available float8;
            v_granted   int;
        BEGIN
            SELECT b.tokens, b.refilled_at INTO v_tokens, v_at FROM calworker.request_budgets b WHERE b.account_id = p_account FOR UPDATE;
            IF NOT FOUND THEN
                INSERT INTO calworker.request_budgets (account_id, tokens, refilled_at) VALUES (p_account, p_capacity, clock_timestamp())
                ON CONFLICT (account_id) DO NOTHING;
                SELECT b.tokens, b.refilled_at INTO v_tokens, v_at FROM calworker.request_budgets b WHERE b.account_id = p_account FOR UPDATE;
            END IF;
            v_now := greatest(clock_timestamp(), v_at);
            v_available := least(p_capacity, v_tokens + extract(epoch FROM v_now - v_at) * p_per_second);
            v_granted := greatest(0, least(p_wanted, floor(v_available)))::int;
            UPDATE calworker.request_budgets b SET tokens = v_available - v_granted, refilled_at = v_now WHERE b.account_id = p_account;
            RETURN QUERY SELECT v_granted, CASE WHEN v_granted > 0 THEN 0::float8 ELSE (1 - v_available) / p_per_second END;
        END
        $$;
        """),
        Migration(version: 8, name: "bounds on job names; ages that tolerate infinite timestamps", sql: """
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
    ]

    public static var latestVersion: Int { all.last?.version ?? 0 }
}
