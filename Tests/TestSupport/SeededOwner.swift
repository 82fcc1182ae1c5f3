public import Postgres

/// An owner's account and the calendars it owns, written straight into a test database as a
/// sync leaves them, for tests about what is built on the local copy (feeds, policies).
public enum SeededOwner {
    /// Returns the account's id. The first calendar is the primary; `synced` gives every
    /// calendar a sync token (a complete local copy, which the mirror planner waits for).
    public static func add(
        email: String = "ada@example.com", owner: String, calendars: [String], synced: Bool = false,
        on db: PostgresConnection
    ) throws -> Int64 {
        let account = try db.query(
            """
            INSERT INTO calworker.accounts (email, owner, key_id, refresh_token) VALUES ($1, $2, 'k', '\\x00') RETURNING id
            """, [email, owner])[0].decode(Int64.self, at: 0)
        for (index, calendar) in calendars.enumerated() {
            try db.execute(
                """
                INSERT INTO calworker.calendars (account_id, calendar_id, summary, time_zone, access_role, is_primary, sync_token)
                VALUES ($1, $2, $2, 'Europe/Berlin', 'owner', $3, $4)
                """, [account, calendar, index == 0, synced ? "synced" : nil])
        }
        return account
    }
}
