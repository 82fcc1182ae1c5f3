import Foundation
import JobQueue
import Jobs
public import Postgres
import Synchronization

/// A fresh, migrated database of its own for one test, cloned from a template migrated once
/// per test process, so tests can run in parallel without seeing each other's jobs.
public final class TestDatabase: Sendable {
    public let name: String
    /// Conninfo for this database.
    public let url: String

    private static let template = Mutex<String?>(nil)

    public static func make() throws -> TestDatabase {
        let template = try templateName()
        // Identifiers cannot be bound parameters; this name is generated here from hex digits.
        let name = "cw_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        let admin = try PostgresConnection.connect(TestEnvironment.adminURL)
        defer { admin.close() }
        try admin.execute("CREATE DATABASE \(name) TEMPLATE \(template)")
        return TestDatabase(name: String(name), url: TestEnvironment.adminURL + " dbname=\(name)")
    }

    /// A new database with nothing in it (no calworker schema), e.g. a restore target.
    public static func makeEmpty() throws -> TestDatabase {
        // Identifiers cannot be bound parameters; this name is generated here from hex digits.
        let name = "cw_empty_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        let admin = try PostgresConnection.connect(TestEnvironment.adminURL)
        defer { admin.close() }
        try admin.execute("CREATE DATABASE \(name)")
        return TestDatabase(name: String(name), url: TestEnvironment.adminURL + " dbname=\(name)")
    }

    private init(name: String, url: String) {
        self.name = name
        self.url = url
    }

    public func connect() throws -> PostgresConnection { try PostgresConnection.connect(url) }

    /// Drops the database, disconnecting anyone still in it.
    public func drop() {
        guard let admin = try? PostgresConnection.connect(TestEnvironment.adminURL) else { return }
        defer { admin.close() }
        _ = try? admin.execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
    }

    private static func templateName() throws -> String {
        try template.withLock { cached in
            if let cached { return cached }
            let name = "cw_template_\(getpid())_\(UInt32.random(in: 0...UInt32.max))"
            let admin = try PostgresConnection.connect(TestEnvironment.adminURL)
            defer { admin.close() }
            try admin.execute("CREATE DATABASE \(name)")
            let db = try PostgresConnection.connect(TestEnvironment.adminURL + " dbname=\(name)")
            try CalworkerSchema.migrator.migrate(on: db)
            db.close()
            cached = name
            return name
        }
    }
}

extension TestDatabase {
    /// Ends every session of this database but `keeping` (as a restart or a failover would
    /// end them), through the server: the clients learn of it only when they next use them.
    /// Touches this test's own database only.
    public func terminateSessions(keeping keeper: PostgresConnection? = nil) throws {
        let admin = try PostgresConnection.connect(TestEnvironment.adminURL)
        defer { admin.close() }
        let keep: Int32 = try keeper?.query("SELECT pg_backend_pid()")[0].decode(at: 0) ?? 0
        try admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> $2 AND pid <> pg_backend_pid()",
            [name, keep])
    }
}
