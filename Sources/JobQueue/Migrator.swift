import Postgres

/// Applies migrations and checks the schema version a worker runs against.
public struct Migrator: Sendable {
    /// The schema's state relative to this build.
    public enum SchemaStatus: Equatable, Sendable {
        case current(version: Int)
        case behind(database: Int, known: Int)
        case ahead(database: Int, known: Int)

        public var isCurrent: Bool { if case .current = self { true } else { false } }

        /// What an operator should do, in words.
        public var explanation: String {
            switch self {
            case .current(let version):
                "schema is at version \(version), as this build expects"
            case .behind(0, let known):
                "the calworker schema does not exist yet (this build needs version \(known)); run `calworker migrate`"
            case .behind(let database, let known):
                "schema is at version \(database), this build needs \(known); run `calworker migrate`"
            case .ahead(let database, let known):
                "schema is at version \(database), newer than this build knows (\(known)); deploy a newer calworker or roll back the migration"
            }
        }
    }

    /// Fixed key for `pg_advisory_xact_lock`, so concurrent `migrate` runs take turns.
    static let lockKey: Int64 = 0x63_61_6C_77_6F_72_6B  // "calwork"

    public let migrations: [Migration]

    public init(migrations: [Migration] = Migrations.all) {
        self.migrations = migrations
    }

    public var latestVersion: Int { migrations.last?.version ?? 0 }

    /// The highest applied version; 0 when the schema has never been migrated.
    public func databaseVersion(on db: PostgresConnection) throws(PostgresError) -> Int {
        let exists = try db.query("SELECT to_regclass('calworker.schema_migrations') IS NOT NULL")
        guard try exists[0].decode(Bool.self, at: 0) else { return 0 }
        let rows = try db.query("SELECT coalesce(max(version), 0) FROM calworker.schema_migrations")
        return try rows[0].decode(Int.self, at: 0)
    }

    public func status(on db: PostgresConnection) throws(PostgresError) -> SchemaStatus {
        let version = try databaseVersion(on: db)
        if version == latestVersion { return .current(version: version) }
        return version < latestVersion
            ? .behind(database: version, known: latestVersion)
            : .ahead(database: version, known: latestVersion)
    }

    /// Applies what is missing, all in one transaction under an advisory lock, and returns the
    /// versions applied now (empty when already current). Refuses a schema newer than known.
    @discardableResult
    public func migrate(on db: PostgresConnection) throws -> [Migration] {
        try db.transaction { db in
            try db.execute("SELECT pg_advisory_xact_lock($1)", [Self.lockKey])
            try db.executeScript("""
                CREATE SCHEMA IF NOT EXISTS calworker;
                CREATE TABLE IF NOT EXISTS calworker.schema_migrations (
                    version    integer     PRIMARY KEY,
                    name       text        NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now()
                );
                """)
            let current = try databaseVersion(on: db)
            if current > latestVersion {
                throw PostgresError(.usage, SchemaStatus.ahead(database: current, known: latestVersion).explanation)
            }
            let pending = migrations.filter { $0.version > current }
            for migration in pending {
                try db.executeScript(migration.sql)
                try db.execute("INSERT INTO calworker.schema_migrations (version, name) VALUES ($1, $2)",
                               [migration.version, migration.name])
            }
            return pending
        }
    }
}
