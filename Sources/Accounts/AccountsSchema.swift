public import Postgres

/// Connected calendar accounts and their encrypted credentials.
public enum AccountsSchema {
    /// In the schema's recorded order; a step's version is its place in the order all modules
    /// share, so one step may have parts in several modules (see `Migrator`).
    public static let migrations: [Migration] = [
        Migration(
            version: 2, name: "google accounts",
            sql: """
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
                """),
        Migration(
            version: 9, name: "the last full sync of an account",
            sql: """
                -- When the account was last synced whole (calendar list and every calendar), apart from
                -- last_synced_at, which a notified sync of one calendar also moves: with push, the
                -- five-minute poll leaves an account alone until this is older than the safety interval.
                ALTER TABLE calworker.accounts ADD COLUMN last_full_sync_at timestamptz;
                UPDATE calworker.accounts SET last_full_sync_at = last_synced_at;
                """),
        Migration(
            version: 13, name: "an account's failed syncs in a row",
            sql: """
                -- Syncs that failed since the last one that succeeded: what the console and the alerts
                -- read to find a broken account in minutes, without walking its run history.
                ALTER TABLE calworker.accounts ADD COLUMN consecutive_failures integer NOT NULL DEFAULT 0 CHECK (consecutive_failures >= 0);
                """),
        Migration(
            version: 21, name: "the calendar service an account is at",
            sql: """
                -- Which provider the account's calendars live at: google for every account so far; the
                -- worker refuses (and says so) a provider it does not speak, so a name a newer worker
                -- wrote is not an error here.
                ALTER TABLE calworker.accounts ADD COLUMN provider text NOT NULL DEFAULT 'google'
                    CHECK (provider ~ '^[a-z][a-z0-9_]{0,31}$');
                """),
        Migration(
            version: 22, name: "CalDAV accounts: the URL and user name they were connected with",
            sql: """
                -- A CalDAV account (iCloud, Fastmail, Nextcloud, any RFC 4791 server) is the URL it was
                -- connected with and a user name; its app password is sealed in refresh_token, the
                -- column that holds each account's credential, under its own context.
                ALTER TABLE calworker.accounts
                    ADD COLUMN caldav_url text CHECK (caldav_url ~ '^https?://[^[:space:]]+$' AND octet_length(caldav_url) <= 2048),
                    ADD COLUMN caldav_username text CHECK (octet_length(caldav_username) BETWEEN 1 AND 512),
                    ADD CONSTRAINT accounts_caldav_fields
                        CHECK (provider <> 'caldav' OR (caldav_url IS NOT NULL AND caldav_username IS NOT NULL));
                """),
    ]
}
