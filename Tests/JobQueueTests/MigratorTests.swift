import Foundation
import JobQueue
import Postgres
import Testing
import TestSupport

@Suite struct MigratorTests {
    /// An empty database (not cloned from the migrated template).
    func emptyDatabase() throws -> (name: String, url: String) {
        let name = "cw_empty_\(UInt32.random(in: 0...UInt32.max))"
        let admin = try PostgresConnection.connect(TestEnvironment.adminURL)
        try admin.execute("CREATE DATABASE \(name)")
        return (name, TestEnvironment.adminURL + " dbname=\(name)")
    }

    @Test func migratesFromEmptyAndRerunsAsANoOp() throws {
        let (_, url) = try emptyDatabase()
        let db = try PostgresConnection.connect(url)
        #expect(try Migrator().status(on: db) == .behind(database: 0, known: Migrations.latestVersion))
        let first = try Migrator().migrate(on: db)
        #expect(first.map(\.version) == Migrations.all.map(\.version))
        #expect(try Migrator().status(on: db) == .current(version: Migrations.latestVersion))
        let second = try Migrator().migrate(on: db)
        #expect(second.isEmpty)
        let tables = try db.query("SELECT tablename FROM pg_tables WHERE schemaname = 'calworker' ORDER BY 1").map { try $0.decode(String.self, at: 0) }
        #expect(tables == ["accounts", "alerts", "calendars", "events", "job_runs", "jobs", "notification_settings", "notifications", "notify_state",
                          "owner_settings", "request_budgets", "schedule_fires", "schema_migrations", "workers"])
    }

    @Test func concurrentMigrationsTakeTurns() throws {
        let (_, url) = try emptyDatabase()
        let results = SharedList<Result<Int, any Error>>()
        concurrently(4) { _ in
            results.append(Result { try Migrator().migrate(on: try PostgresConnection.connect(url)).count })
        }
        let counts = results.values.compactMap { try? $0.get() }
        #expect(counts.count == 4, "every concurrent migrate succeeded: \(results.values)")
        #expect(counts.sorted() == [0, 0, 0, Migrations.all.count])
    }

    @Test func aSchemaNewerThanTheBuildIsRefused() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let db = try database.connect()
        try db.execute("INSERT INTO calworker.schema_migrations (version, name) VALUES ($1, $2)", [999, "from the future"])
        let status = try Migrator().status(on: db)
        #expect(status == .ahead(database: 999, known: Migrations.latestVersion))
        #expect(status.explanation.contains("newer"))
        #expect(throws: (any Error).self) { try Migrator().migrate(on: db) }
    }
}
