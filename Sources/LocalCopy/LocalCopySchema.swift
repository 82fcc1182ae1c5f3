public import Postgres

/// The local copy: each account's calendars and their events.
public enum LocalCopySchema {
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
            version: 5, name: "indexes reminders read upcoming events by",
            sql: """
                -- Reminders read upcoming events of an owner's accounts every minute or five.
                CREATE INDEX events_upcoming_idx ON calworker.events (account_id, start_time) WHERE NOT is_mirror;
                CREATE INDEX events_series_idx ON calworker.events (account_id) WHERE recurrence IS NOT NULL OR recurring_event_id IS NOT NULL;
                """),
        Migration(
            version: 6, name: "index for pruning tombstones",
            sql: """
                -- The cleanup job prunes tombstones by age in small batches; this keeps each batch an
                -- index range.
                CREATE INDEX events_tombstones_idx ON calworker.events (synced_at) WHERE status = 'cancelled';
                """),
        Migration(
            version: 21, name: "the local copy in neutral columns, whichever service an event came from",
            sql: """
                -- Every field the planner, reminders and feeds read gets a column of its own, filled by
                -- each provider's layout (its raw payload stays beside them in raw): before, these were
                -- read out of Google's JSON at query time. Values another program wrote badly become
                -- NULL here instead of stopping the upgrade.
                CREATE FUNCTION pg_temp.cw_date(value text) RETURNS date LANGUAGE plpgsql AS $$
                BEGIN RETURN value::date; EXCEPTION WHEN others THEN RETURN NULL; END $$;
                CREATE FUNCTION pg_temp.cw_time(value text) RETURNS timestamptz LANGUAGE plpgsql AS $$
                BEGIN RETURN value::timestamptz; EXCEPTION WHEN others THEN RETURN NULL; END $$;
                ALTER TABLE calworker.events
                    ADD COLUMN original_start_date date,
                    ADD COLUMN original_start_time timestamptz,
                    ADD COLUMN original_start_time_zone text,
                    ADD COLUMN mirror_source text,
                    ADD COLUMN ical_uid text,
                    ADD COLUMN location text,
                    ADD COLUMN visibility text,
                    ADD COLUMN reminders_use_default boolean,
                    -- The calendar's own user's answer to an invitation (needsAction, declined, tentative, accepted).
                    ADD COLUMN self_response text;
                UPDATE calworker.events SET
                    original_start_date = pg_temp.cw_date(original_start->>'date'),
                    original_start_time = pg_temp.cw_time(original_start->>'dateTime'),
                    original_start_time_zone = original_start->>'timeZone',
                    mirror_source = raw->'extendedProperties'->'private'->>'calworkerSource',
                    ical_uid = raw->>'iCalUID',
                    location = raw->>'location',
                    visibility = raw->>'visibility',
                    reminders_use_default = CASE WHEN jsonb_typeof(raw->'reminders'->'useDefault') = 'boolean'
                                                 THEN (raw->'reminders'->>'useDefault')::boolean END,
                    self_response = (SELECT a->>'responseStatus'
                                       FROM jsonb_array_elements(CASE WHEN jsonb_typeof(raw->'attendees') = 'array' THEN raw->'attendees' ELSE '[]' END) a
                                      WHERE a->'self' = 'true'::jsonb LIMIT 1);
                ALTER TABLE calworker.events DROP COLUMN original_start;
                """),
    ]
}
