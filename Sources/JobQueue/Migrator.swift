public import Postgres

/// Applies the schema's steps and checks the version a worker runs against.
///
/// The schema is every module's migrations put together (`Migration`): the parts of one
/// version, from whichever modules have one, make one step, applied in one transaction and
/// recorded once in `calworker.schema_migrations`, as steps always were. So an installation
/// migrated before the modules declared their own parts upgrades without a change: its
/// recorded versions are the same steps.
public struct Migrator: Sendable {
    /// One version: its parts, in the order the modules were given.
    public struct Step: Sendable {
        public let version: Int
        public let parts: [Migration]
        public var name: String { parts.map(\.name).joined(separator: "; ") }
    }

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
            case .behind(let database, let known) where database >= known:
                "schema is at version \(database) but lacks steps this build needs; run `calworker migrate`"
            case .behind(let database, let known):
                "schema is at version \(database), this build needs \(known); run `calworker migrate`"
            case .ahead(let database, let known):
                "schema is at version \(database), newer than this build knows (\(known)); deploy a newer calworker or roll back the migration"
            }
        }
    }

    /// Fixed key for `pg_advisory_xact_lock`, so concurrent `migrate` runs take turns.
    static let lockKey: Int64 = 0x63_61_6C_77_6F_72_6B  // "calwork"

    /// Every step this build knows, by version.
    public let steps: [Step]

    /// - Parameter groups: each module's migrations; a module that depends on another's
    ///   tables comes after it (within a version, parts run in this order).
    public init(groups: [[Migration]]) {
        var byVersion: [Int: [Migration]] = [:]
        for group in groups {
            for migration in group { byVersion[migration.version, default: []].append(migration) }
        }
        steps = byVersion.keys.sorted().map { Step(version: $0, parts: byVersion[$0]!) }
    }

    public var latestVersion: Int { steps.last?.version ?? 0 }

    /// The highest applied version; 0 when the schema has never been migrated.
    public func databaseVersion(on db: PostgresConnection) throws(PostgresError) -> Int {
        try appliedVersions(on: db).max() ?? 0
    }

    func appliedVersions(on db: PostgresConnection) throws(PostgresError) -> Set<Int> {
        let exists = try db.query("SELECT to_regclass('calworker.schema_migrations') IS NOT NULL")
        guard try exists[0].decode(Bool.self, at: 0) else { return [] }
        var versions = Set<Int>()
        for row in try db.query("SELECT version FROM calworker.schema_migrations") { versions.insert(try row.decode(Int.self, at: 0)) }
        return versions
    }

    public func status(on db: PostgresConnection) throws(PostgresError) -> SchemaStatus {
        let applied = try appliedVersions(on: db)
        let version = applied.max() ?? 0
        if version > latestVersion { return .ahead(database: version, known: latestVersion) }
        if steps.contains(where: { !applied.contains($0.version) }) { return .behind(database: version, known: latestVersion) }
        return .current(version: version)
    }

    /// Applies what is missing, all in one transaction under an advisory lock, and returns the
    /// steps applied now (empty when already current). Refuses a schema newer than known.
    /// `upTo` stops at a version (tests of upgrades from an older installation). `workerRole`
    /// is granted what workers need (`SchemaGrants`) in the same transaction, every time, so
    /// the tables of the steps applied now are covered too.
    @discardableResult
    public func migrate(on db: PostgresConnection, upTo limit: Int? = nil, grantingTo workerRole: String? = nil) throws -> [Step] {
        try db.transaction { db in
            try db.execute("SELECT pg_advisory_xact_lock($1)", [Self.lockKey])
            try db.executeScript(
                """
                CREATE SCHEMA IF NOT EXISTS calworker;
                CREATE TABLE IF NOT EXISTS calworker.schema_migrations (
                    version    integer     PRIMARY KEY,
                    name       text        NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now()
                );
                """)
            let applied = try appliedVersions(on: db)
            if let newest = applied.max(), newest > latestVersion {
                throw PostgresError(.usage, SchemaStatus.ahead(database: newest, known: latestVersion).explanation)
            }
            let pending = steps.filter { !applied.contains($0.version) && $0.version <= (limit ?? latestVersion) }
            for step in pending {
                for part in step.parts { try db.executeScript(part.sql) }
                try db.execute("INSERT INTO calworker.schema_migrations (version, name) VALUES ($1, $2)", [step.version, step.name])
            }
            if let workerRole { try SchemaGrants.grant(to: workerRole, on: db) }
            return pending
        }
    }
}
