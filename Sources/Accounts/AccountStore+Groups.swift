public import Foundation
public import Postgres

/// What other modules read about accounts, asked here instead of in their own SQL: the
/// accounts table is this module's (docs/layout.md "Who owns which table").
extension AccountStore {
    /// The accounts of `owner` that are not disabled, by id: one sync group.
    public func group(owner: String, on db: PostgresConnection) throws -> [Account] {
        try db.query("SELECT \(Self.columns) FROM calworker.accounts WHERE owner = $1 AND state <> 'disabled' ORDER BY id", [owner])
            .map(Self.decode)
    }

    /// The ids of `owner`'s accounts, disabled ones too unless `enabledOnly`.
    public func ids(owner: String, enabledOnly: Bool = false, on db: PostgresConnection) throws -> [Int64] {
        try db.query("SELECT id FROM calworker.accounts WHERE owner = $1 AND (NOT $2 OR state <> 'disabled') ORDER BY id", [owner, enabledOnly])
            .map { try $0.decode(Int64.self, at: 0) }
    }

    /// The accounts with these ids, by id (ids without an account are left out).
    public func accounts(ids: [Int64], on db: PostgresConnection) throws -> [Int64: Account] {
        Dictionary(
            uniqueKeysWithValues: try db.query("SELECT \(Self.columns) FROM calworker.accounts WHERE id = ANY($1::bigint[])", [ids])
                .map(Self.decode).map { ($0.id, $0) })
    }

    /// Every owner with an account (not disabled unless `includingDisabled`), with the email of
    /// their first account, by owner: whom reminders and notices go to by default.
    public func owners(includingDisabled: Bool = false, on db: PostgresConnection) throws -> [(owner: String, email: String)] {
        try db.query(
            """
            SELECT owner, min(email) FROM calworker.accounts WHERE $1 OR state <> 'disabled' GROUP BY owner ORDER BY owner
            """, [includingDisabled]
        ).map { (try $0.decode(String.self, at: 0), try $0.decode(String.self, at: 1)) }
    }

    /// Active accounts whose last `failures` syncs failed, or with no successful sync since
    /// `stale` before `now`: what the alerts watch, at most `limit`.
    public func failingOrStale(failures: Int, now: Date, stale: Duration, limit: Int, on db: PostgresConnection) throws -> [Account] {
        try db.query(
            """
            SELECT \(Self.columns) FROM calworker.accounts
             WHERE state = 'active'
               AND (consecutive_failures >= $1 OR coalesce(last_synced_at, created_at) < $2::timestamptz - $3::interval)
             ORDER BY id LIMIT $4
            """, [failures, now, stale, limit]
        ).map(Self.decode)
    }

    /// Accounts needing re-authorization, with when they came to need it (their last change).
    public func needingReauth(limit: Int, on db: PostgresConnection) throws -> [(account: Account, since: Date)] {
        try db.query(
            "SELECT \(Self.columns), updated_at FROM calworker.accounts WHERE state = 'needs_reauth' ORDER BY id LIMIT $1", [limit]
        ).map { (try Self.decode($0), try $0.decode(Date.self, at: Self.columnCount)) }
    }

    /// Active accounts whose last full sync is younger than `age` (candidates for leaving to push).
    public func activeIDs(fullySyncedWithin age: Duration, on db: PostgresConnection) throws -> [Int64] {
        try db.query(
            "SELECT id FROM calworker.accounts WHERE state = 'active' AND last_full_sync_at > now() - $1::interval ORDER BY id", [age]
        ).map { try $0.decode(Int64.self, at: 0) }
    }

    /// Whether the account exists and is active.
    public func isActive(id: Int64, on db: PostgresConnection) throws -> Bool {
        try db.query("SELECT state = 'active' FROM calworker.accounts WHERE id = $1", [id]).first?.decode(Bool.self, at: 0) ?? false
    }

    /// Active accounts, by id.
    public func activeIDs(on db: PostgresConnection) throws -> [Int64] {
        try db.query("SELECT id FROM calworker.accounts WHERE state = 'active' ORDER BY id").map { try $0.decode(Int64.self, at: 0) }
    }

    /// The cursor of the account's last complete calendar listing (the local copy keeps it here,
    /// beside the account, so it goes with the account).
    public func calendarListCursor(id: Int64, on db: PostgresConnection) throws -> String? {
        try db.query("SELECT calendar_list_sync_token FROM calworker.accounts WHERE id = $1", [id]).first.flatMap { try $0.decodeOptional(at: 0) }
    }

    public func setCalendarListCursor(id: Int64, _ cursor: String?, on db: PostgresConnection) throws {
        try db.execute("UPDATE calworker.accounts SET calendar_list_sync_token = $2 WHERE id = $1", [id, cursor])
    }

    /// A reset: the account's next sync starts afresh (no cursor, never synced).
    public func forgetSyncState(id: Int64, on db: PostgresConnection) throws {
        try db.execute("UPDATE calworker.accounts SET calendar_list_sync_token = NULL, last_synced_at = NULL WHERE id = $1", [id])
    }
}
