public import Postgres

/// How fresh the active accounts' local copies are, in the few bounded buckets metrics and
/// alerts use (never an account id in a label): by the age of the last successful sync, and by
/// the failed syncs since it.
public struct AccountFreshness: Sendable, Equatable {
    /// Active accounts by the age of their last successful sync: `lt_10m`, `lt_1h`, `lt_24h`,
    /// `older`, `never`; every bucket present, zero or not.
    public var bySyncAge: [String: Int]
    /// The oldest last successful sync among active accounts that ever synced, in seconds;
    /// nil when none has.
    public var oldestSyncAgeSeconds: Double?
    /// Active accounts by failed syncs in a row: `0`, `1`, `2`, `3-9`, `10+`.
    public var byFailures: [String: Int]

    public static let syncAgeBuckets = ["lt_10m", "lt_1h", "lt_24h", "older", "never"]
    public static let failureBuckets = ["0", "1", "2", "3-9", "10+"]

    /// One pass over the accounts table.
    public static func read(on db: PostgresConnection) throws -> AccountFreshness {
        let row = try db.query(
            """
            SELECT count(*) FILTER (WHERE last_synced_at >= now() - interval '10 minutes'),
                   count(*) FILTER (WHERE last_synced_at < now() - interval '10 minutes' AND last_synced_at >= now() - interval '1 hour'),
                   count(*) FILTER (WHERE last_synced_at < now() - interval '1 hour' AND last_synced_at >= now() - interval '24 hours'),
                   count(*) FILTER (WHERE last_synced_at < now() - interval '24 hours'),
                   count(*) FILTER (WHERE last_synced_at IS NULL),
                   calworker.age_seconds(min(last_synced_at)),
                   count(*) FILTER (WHERE consecutive_failures = 0),
                   count(*) FILTER (WHERE consecutive_failures = 1),
                   count(*) FILTER (WHERE consecutive_failures = 2),
                   count(*) FILTER (WHERE consecutive_failures BETWEEN 3 AND 9),
                   count(*) FILTER (WHERE consecutive_failures >= 10)
              FROM calworker.accounts WHERE state = 'active'
            """)[0]
        var ages: [String: Int] = [:]
        for (index, bucket) in syncAgeBuckets.enumerated() { ages[bucket] = try row.decode(Int.self, at: index) }
        var failures: [String: Int] = [:]
        for (index, bucket) in failureBuckets.enumerated() { failures[bucket] = try row.decode(Int.self, at: 6 + index) }
        return AccountFreshness(bySyncAge: ages, oldestSyncAgeSeconds: try row.decodeOptional(at: 5), byFailures: failures)
    }
}
