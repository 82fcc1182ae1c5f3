public import Postgres

/// The account's lock: one session advisory lock per account, held by whatever writes the
/// account's local copy or its push channels, so two syncs of one account (a cron sync and a
/// notified one, two workers) never write the same calendar, or open the same channel, at once.
///
/// A session lock, taken on the caller's connection: reentrant on that session (a sync's channel
/// upkeep may take it inside the sync's own hold), released when the body ends, and released by
/// the server if the session dies with a killed job. Waiting is bounded by the connection's
/// lock limit (`CALWORKER_DATABASE_LOCK_TIMEOUT`).
public enum AccountLock {
    public static func holding<T>(_ accountID: Int64, on db: PostgresConnection, _ body: () throws -> T) throws -> T {
        let key = "calworker.sync_account:\(accountID)"
        try db.execute("SELECT pg_advisory_lock(hashtextextended($1, 0))", [key])
        defer { _ = try? db.execute("SELECT pg_advisory_unlock(hashtextextended($1, 0))", [key]) }
        return try body()
    }
}
