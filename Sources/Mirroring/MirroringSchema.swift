public import Postgres

/// What owners decided about their busy blocks: the title and reach (owner settings) and the
/// policy of each pair of calendars (mirror links).
public enum MirroringSchema {
    /// Steps 3 and 18 of the order all modules share (see `Migrator`).
    public static let migrations: [Migration] = [
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
