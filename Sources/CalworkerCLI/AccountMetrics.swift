import Accounts
import Metrics
import Worker

/// The accounts' freshness read from the database on each scrape, in bounded buckets: how
/// long since each active account last synced, and how many syncs in a row failed since.
enum AccountMetrics {
    static func collect(probe: DatabaseProbe) -> [MetricFamilySnapshot] {
        guard let freshness = try? probe.run({ try AccountFreshness.read(on: $0) }) else { return [] }
        var families: [MetricFamilySnapshot] = [
            .gauge(
                "calworker_accounts_by_sync_age",
                help: "Active accounts by the age of their last successful sync (lt_10m, lt_1h, lt_24h, older, never).",
                AccountFreshness.syncAgeBuckets.map { ([MetricLabel("age", $0)], Double(freshness.bySyncAge[$0] ?? 0)) }),
            .gauge(
                "calworker_accounts_by_consecutive_failures",
                help: "Active accounts by failed syncs since their last successful one (0, 1, 2, 3-9, 10+).",
                AccountFreshness.failureBuckets.map { ([MetricLabel("failures", $0)], Double(freshness.byFailures[$0] ?? 0)) }),
        ]
        // No sample until an account has synced: alert on absent() as well as on the age.
        if let oldest = freshness.oldestSyncAgeSeconds {
            families.append(
                .gauge(
                    "calworker_account_oldest_sync_age_seconds",
                    help: "Seconds since the least recent last successful sync among active accounts that ever synced.",
                    [([], max(0, oldest))]))
        }
        return families
    }
}
