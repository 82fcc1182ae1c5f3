public import Postgres

/// Google push notification channels, and the ledger that coalesces the syncs they ask for.
public enum PushSchema {
    public static let migrations: [Migration] = [
        Migration(
            version: 9, name: "push notification channels",
            sql: """
                -- One row per channel calworker asked Google for: the events of one calendar, or the
                -- account's calendar list (calendar_id ''). The token is kept only as its SHA-256, so
                -- the receiver can check a notification's token and nothing can leak it.
                CREATE TABLE calworker.push_channels (
                    channel_id   text        PRIMARY KEY CHECK (channel_id ~ '^[A-Za-z0-9_-]{1,64}$'),
                    account_id   bigint      NOT NULL REFERENCES calworker.accounts ON DELETE CASCADE,
                    calendar_id  text        NOT NULL,
                    resource_id  text        CHECK (length(resource_id) BETWEEN 1 AND 256),
                    token_sha256 text        NOT NULL CHECK (token_sha256 ~ '^[0-9a-f]{64}$'),
                    -- pending: asked for, Google has not answered yet (its first message may come first);
                    -- active: Google granted it until expires_at; stopping: stopped by us, yet Google
                    -- still sends on it, so the next upkeep stops it again; stopped, expired, failed:
                    -- no longer used.
                    state        text        NOT NULL DEFAULT 'pending'
                                             CHECK (state IN ('pending', 'active', 'stopping', 'stopped', 'expired', 'failed')),
                    expires_at   timestamptz,
                    confirmed_at timestamptz,
                    last_message_number bigint NOT NULL DEFAULT 0,
                    last_message_at timestamptz,
                    created_at   timestamptz NOT NULL DEFAULT now(),
                    ended_at     timestamptz,
                    last_error   text
                );
                CREATE INDEX push_channels_account_idx ON calworker.push_channels (account_id, calendar_id);
                CREATE INDEX push_channels_live_idx ON calworker.push_channels (expires_at) WHERE state IN ('pending', 'active', 'stopping');
                CREATE INDEX push_channels_ended_idx ON calworker.push_channels (ended_at) WHERE ended_at IS NOT NULL;

                -- The sync a notification asked for, per calendar (calendar_id '' for the calendar
                -- list): while that job still waits for its first attempt, further notifications
                -- ride on it instead of adding jobs.
                CREATE TABLE calworker.push_syncs (
                    account_id  bigint      NOT NULL REFERENCES calworker.accounts ON DELETE CASCADE,
                    calendar_id text        NOT NULL,
                    job_id      bigint,
                    notified_at timestamptz NOT NULL DEFAULT now(),
                    PRIMARY KEY (account_id, calendar_id)
                );
                -- A notified sync looks up when its notification came (the latency histogram).
                CREATE INDEX push_syncs_job_idx ON calworker.push_syncs (job_id);
                """)
    ]
}
