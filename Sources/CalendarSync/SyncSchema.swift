public import Postgres

/// The local copy (calendars, events), owners' mirror settings and the shared request budgets.
public enum SyncSchema {
    /// In the schema's recorded order; a step's version is its place in the order all modules
    /// share, so one step may have parts in several modules (see `Migrator`).
    public static let migrations: [Migration] = [
        Migration(
            version: 2, name: "calendars and the local event copy",
            sql: """
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
        Migration(
            version: 3, name: "per-owner mirror settings",
            sql: """
                -- Per sync group (owner): the title of busy blocks and how far ahead they reach.
                -- Absent means the defaults, "Busy" and 90 days.
                CREATE TABLE calworker.owner_settings (
                    owner       text    PRIMARY KEY CHECK (owner <> ''),
                    busy_title  text    NOT NULL DEFAULT 'Busy' CHECK (busy_title <> ''),
                    mirror_days integer NOT NULL DEFAULT 90 CHECK (mirror_days BETWEEN 1 AND 730)
                );
                """),
        Migration(
            version: 6, name: "index for pruning tombstones",
            sql: """
                -- The cleanup job prunes tombstones by age in small batches; this keeps each batch an
                -- index range.
                CREATE INDEX events_tombstones_idx ON calworker.events (synced_at) WHERE status = 'cancelled';
                """),
        Migration(
            version: 7, name: "Google request budgets shared by every worker",
            sql: """
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
        Migration(
            version: 9, name: "the OAuth project's request budget",
            sql: """
                -- The OAuth project's budget (Google: 10,000 requests a minute per project), shared by
                -- every account and worker beside each account's own: a fan-out over thousands of
                -- accounts slows down as a whole instead of drawing rateLimitExceeded for everybody.
                CREATE UNLOGGED TABLE calworker.project_request_budgets (
                    project     text        PRIMARY KEY,
                    tokens      float8      NOT NULL,
                    refilled_at timestamptz NOT NULL
                );
                -- take_request_budget, granting only what the account's and the project's buckets both
                -- hold. Rows are locked account first, then project, so takers never deadlock.
                CREATE FUNCTION calworker.take_request_budgets(p_account bigint, p_capacity float8, p_per_second float8, p_wanted int,
                                                               p_project text, p_project_capacity float8, p_project_per_second float8)
                RETURNS TABLE (granted int, wait_seconds float8) LANGUAGE plpgsql AS $$
                DECLARE
                    a_tokens  float8;
                    a_at      timestamptz;
                    p_tokens  float8;
                    p_at      timestamptz;
                    v_now     timestamptz;
                    a_avail   float8;
                    p_avail   float8;
                    v_granted int;
                BEGIN
                    SELECT b.tokens, b.refilled_at INTO a_tokens, a_at FROM calworker.request_budgets b WHERE b.account_id = p_account FOR UPDATE;
                    IF NOT FOUND THEN
                        INSERT INTO calworker.request_budgets (account_id, tokens, refilled_at) VALUES (p_account, p_capacity, clock_timestamp())
                        ON CONFLICT (account_id) DO NOTHING;
                        SELECT b.tokens, b.refilled_at INTO a_tokens, a_at FROM calworker.request_budgets b WHERE b.account_id = p_account FOR UPDATE;
                    END IF;
                    SELECT b.tokens, b.refilled_at INTO p_tokens, p_at FROM calworker.project_request_budgets b WHERE b.project = p_project FOR UPDATE;
                    IF NOT FOUND THEN
                        INSERT INTO calworker.project_request_budgets (project, tokens, refilled_at) VALUES (p_project, p_project_capacity, clock_timestamp())
                        ON CONFLICT (project) DO NOTHING;
                        SELECT b.tokens, b.refilled_at INTO p_tokens, p_at FROM calworker.project_request_budgets b WHERE b.project = p_project FOR UPDATE;
                    END IF;
                    v_now := greatest(clock_timestamp(), a_at, p_at);
                    a_avail := least(p_capacity, a_tokens + extract(epoch FROM v_now - a_at) * p_per_second);
                    p_avail := least(p_project_capacity, p_tokens + extract(epoch FROM v_now - p_at) * p_project_per_second);
                    v_granted := greatest(0, least(p_wanted, floor(a_avail), floor(p_avail)))::int;
                    UPDATE calworker.request_budgets b SET tokens = a_avail - v_granted, refilled_at = v_now WHERE b.account_id = p_account;
                    UPDATE calworker.project_request_budgets b SET tokens = p_avail - v_granted, refilled_at = v_now WHERE b.project = p_project;
                    RETURN QUERY SELECT v_granted, CASE WHEN v_granted > 0 THEN 0::float8
                        ELSE greatest((1 - a_avail) / p_per_second, (1 - p_avail) / p_project_per_second, 0::float8) END;
                END
                $$;
                """),
        Migration(
            version: 18, name: "mirror policies: direction, detail and filters per pair of calendars",
            sql: """
                -- What an owner decided about busy blocks from one of their calendars into another (one
                -- direction). No row: mirrored, busy only, nothing filtered (docs/sync.md's default).
                CREATE TABLE calworker.mirror_links (
                    owner           text    NOT NULL CHECK (owner <> '' AND octet_length(owner) <= 512),
                    source_calendar text    NOT NULL CHECK (source_calendar <> ''),
                    target_calendar text    NOT NULL CHECK (target_calendar <> '' AND target_calendar <> source_calendar),
                    enabled         boolean NOT NULL DEFAULT true,
                    detail          text    NOT NULL DEFAULT 'busy' CHECK (detail IN ('busy', 'title', 'title_location')),
                    skip_all_day    boolean NOT NULL DEFAULT false,
                    skip_tentative  boolean NOT NULL DEFAULT false,
                    -- Minutes after midnight in the owner's zone (notification_settings.time_zone).
                    work_start      integer CHECK (work_start BETWEEN 0 AND 1439),
                    work_end        integer CHECK (work_end BETWEEN 1 AND 1440),
                    skip_title      text    CHECK (octet_length(skip_title) BETWEEN 1 AND 200),
                    updated_at      timestamptz NOT NULL DEFAULT now(),
                    PRIMARY KEY (owner, source_calendar, target_calendar),
                    CHECK ((work_start IS NULL) = (work_end IS NULL) AND (work_start IS NULL OR work_start < work_end))
                );
                """),
    ]
}
