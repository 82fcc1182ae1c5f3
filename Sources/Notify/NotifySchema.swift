public import Postgres

/// Reminder settings, the exactly-once ledger and operator alerts.
public enum NotifySchema {
    /// In the schema's recorded order; a step's version is its place in the order all modules
    /// share, so one step may have parts in several modules (see `Migrator`).
    public static let migrations: [Migration] = [
        Migration(
            version: 5, name: "notifications: preferences, the sent ledger, operator alerts",
            sql: """
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
                -- Watermarks of the alert checks (how far run records have been looked at).
                CREATE TABLE calworker.notify_state (
                    name  text        PRIMARY KEY,
                    value timestamptz NOT NULL
                );
                """),
        Migration(
            version: 15, name: "notices to owners whose account needs reconnecting",
            sql: """
                -- 'reauth': the one message an account's owner gets when Google refused its token,
                -- sent once through the same ledger as reminders.
                ALTER TABLE calworker.notifications DROP CONSTRAINT notifications_kind_check;
                ALTER TABLE calworker.notifications ADD CONSTRAINT notifications_kind_check
                    CHECK (kind IN ('reminder', 'alert_digest', 'reauth'));
                """),
    ]
}
