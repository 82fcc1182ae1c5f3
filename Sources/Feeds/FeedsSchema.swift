public import Postgres

/// The iCalendar feeds calworker publishes: one row per feed, its unguessable token, what it
/// shows, and what was published last (so an unchanged feed is neither rendered nor written).
public enum FeedsSchema {
    public static let migrations: [Migration] = [
        Migration(
            version: 17, name: "iCalendar feeds",
            sql: """
                -- A feed of one owner's participating calendars merged (account_id and calendar_id
                -- NULL) or of one calendar. Its object is <CALWORKER_FEEDS_TARGET><token>.ics; a new
                -- token (rotation) moves it, and the old object is deleted first.
                CREATE TABLE calworker.feeds (
                    id            bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    owner         text        NOT NULL CHECK (owner <> '' AND octet_length(owner) <= 512),
                    account_id    bigint,
                    calendar_id   text,
                    detail        text        NOT NULL CHECK (detail IN ('busy', 'full')),
                    attendees     boolean     NOT NULL DEFAULT false,
                    name          text        NOT NULL CHECK (name <> '' AND octet_length(name) <= 200),
                    token         text        NOT NULL UNIQUE CHECK (token ~ '^[A-Za-z0-9_-]{32,64}$'),
                    created_at    timestamptz NOT NULL DEFAULT now(),
                    -- Raised by every change of what the feed shows (detail, name, token), so the next
                    -- export renders it even when its events did not change.
                    changed_at    timestamptz NOT NULL DEFAULT now(),
                    -- What the last export saw and wrote.
                    fingerprint   text,
                    content_sha256 text CHECK (content_sha256 ~ '^[0-9a-f]{64}$'),
                    content_bytes bigint,
                    events        integer,
                    published_at  timestamptz,
                    last_error    text,
                    CHECK ((account_id IS NULL) = (calendar_id IS NULL)),
                    FOREIGN KEY (account_id, calendar_id) REFERENCES calworker.calendars ON DELETE CASCADE
                );
                CREATE INDEX feeds_owner_idx ON calworker.feeds (owner);
                """),
        Migration(
            version: 19, name: "feed objects calworker wrote",
            sql: """
                -- Every object calworker writes for a feed, recorded before it is written: the
                -- sweep of objects no feed holds deletes exactly these, never what a listing of
                -- the target shows (the target may hold files calworker did not write).
                CREATE TABLE calworker.feed_objects (
                    location   text        PRIMARY KEY CHECK (location <> '' AND octet_length(location) <= 2048),
                    token      text        NOT NULL CHECK (token ~ '^[A-Za-z0-9_-]{32,64}$'),
                    written_at timestamptz NOT NULL DEFAULT now()
                );
                CREATE INDEX feed_objects_token_idx ON calworker.feed_objects (token);
                """),
    ]
}
