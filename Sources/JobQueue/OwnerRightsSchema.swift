import Postgres

/// Schema version 16: the history's partitions are made and dropped with the schema owner's
/// rights, so workers can run as a role that owns nothing.
///
/// Creating a day's partition and detaching one need ownership of `calworker.job_runs`, which
/// a least-privilege worker role (`calworker migrate --worker-role`) must not have: with it
/// the role could drop or truncate every table. The two functions the cleanup job calls now
/// run as their owner (`SECURITY DEFINER`), with a fixed `search_path` so a caller cannot
/// slip its own objects in, and only roles granted `EXECUTE` may call them.
enum OwnerRightsSchema {
    static let migration = Migration(
        version: 16, name: "history partitions made and dropped with the schema owner's rights",
        sql: """
            ALTER FUNCTION calworker.ensure_history_partition(date) SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
            ALTER FUNCTION calworker.drop_history_partition(date) SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
            REVOKE EXECUTE ON FUNCTION calworker.ensure_history_partition(date) FROM PUBLIC;
            REVOKE EXECUTE ON FUNCTION calworker.drop_history_partition(date) FROM PUBLIC;
            """)
}
