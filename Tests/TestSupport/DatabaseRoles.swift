import Foundation
public import Postgres

/// calworker's three database roles, made the way the compose stack makes them: psql runs
/// `docker/postgres/calworker-roles.sql` as the cluster's superuser on a database of its own.
/// Roles belong to the whole cluster, so each instance names its own (`cwr_<hex>_owner`, ...)
/// and `drop()` removes the database and exactly those roles.
public final class DatabaseRoles: Sendable {
    public let owner: String
    public let worker: String
    public let backup: String
    /// The database the owner owns (empty: `calworker migrate` has not run).
    public let database: String

    public init() throws {
        let tag = "cwr_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(12)
        owner = tag + "_owner"
        worker = tag + "_worker"
        backup = tag + "_backup"
        database = tag + "_db"
        let admin = try PostgresConnection.connect(TestEnvironment.adminURL)
        defer { admin.close() }
        // Identifiers cannot be bound parameters; this name is generated here from hex digits.
        try admin.execute("CREATE DATABASE \(database)")
        do {
            try Self.psql(
                file: "docker/postgres/calworker-roles.sql", url: TestEnvironment.adminURL,
                variables: [
                    "owner": owner, "worker": worker, "backup": backup, "database": database,
                    // Quotes in a password must survive psql's :'variable' quoting.
                    "owner_password": "o'wner", "worker_password": "w;orker", "backup_password": "b\\ackup",
                ])
        } catch {
            drop()
            throw error
        }
    }

    /// Runs one of the repository's SQL files with psql, stopping at the first error.
    public static func psql(file: String, url: String, variables: [String: String]) throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("cw-psql-\(UUID().uuidString)").path
        defer {
            try? FileManager.default.removeItem(atPath: base + ".out")
            try? FileManager.default.removeItem(atPath: base + ".err")
        }
        let arguments =
            ["--no-psqlrc", "--set", "ON_ERROR_STOP=1", "--dbname", url]
            + variables.sorted { $0.key < $1.key }.flatMap { ["-v", "\($0.key)=\($0.value)"] }
            + ["-f", TestEnvironment.packageRoot.appendingPathComponent(file).path]
        let child = try ChildProcess(
            executable: try PgDump.tool("psql"), arguments: arguments, environment: ProcessInfo.processInfo.environment,
            stdout: base + ".out", stderr: base + ".err")
        guard child.wait(timeout: 60) == 0 else {
            throw ConnectError(message: "psql \(file) failed: \((try? String(contentsOfFile: base + ".err", encoding: .utf8)) ?? "")")
        }
    }

    /// Conninfo for the roles' database as `role` (the test cluster trusts local connections).
    public func url(as role: String) -> String { TestEnvironment.adminURL + " user=\(role) dbname=\(database)" }

    public func connect(as role: String) throws -> PostgresConnection { try PostgresConnection.connect(url(as: role)) }

    /// The cluster's superuser, in the roles' database (to make and drop roles of the test's own).
    public func connectAsSuperuser() throws -> PostgresConnection {
        try PostgresConnection.connect(TestEnvironment.adminURL + " dbname=\(database)")
    }

    /// Drops the database (and any scratch database a backup's verification left behind,
    /// which the backup role owns), then the three roles.
    public func drop() {
        guard let admin = try? PostgresConnection.connect(TestEnvironment.adminURL) else { return }
        defer { admin.close() }
        _ = try? admin.execute("DROP DATABASE IF EXISTS \(database) WITH (FORCE)")
        let leftovers =
            (try? admin.query(
                "SELECT datname FROM pg_database WHERE datdba = (SELECT oid FROM pg_roles WHERE rolname = $1)",
                [backup]
            ).map { try $0.decode(String.self, at: 0) }) ?? []
        // Names read from the catalog, quoted by the server.
        for name in leftovers {
            if let statement = try? admin.query("SELECT format('DROP DATABASE IF EXISTS %I WITH (FORCE)', $1::text)", [name])[0]
                .decode(String.self, at: 0)
            {
                _ = try? admin.execute(statement)
            }
        }
        for role in [worker, backup, owner] { _ = try? admin.execute("DROP ROLE IF EXISTS \(role)") }
    }
}
