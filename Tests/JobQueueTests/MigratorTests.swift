import Accounts
import CalendarSync
import Foundation
import JobQueue
import Jobs
import Notify
import Postgres
import Testing
import Scheduling
import TestSupport

@Suite struct MigratorTests {

    @Test func migratesFromEmptyAndRerunsAsANoOp() throws {
        let database = try TestDatabase.makeEmpty()
        defer { database.drop() }
        let db = try database.connect()
        #expect(try CalworkerSchema.migrator.status(on: db) == .behind(database: 0, known: CalworkerSchema.migrator.latestVersion))
        let first = try CalworkerSchema.migrator.migrate(on: db)
        #expect(first.map(\.version) == CalworkerSchema.migrator.steps.map(\.version))
        #expect(try CalworkerSchema.migrator.status(on: db) == .current(version: CalworkerSchema.migrator.latestVersion))
        let second = try CalworkerSchema.migrator.migrate(on: db)
        #expect(second.isEmpty)
        let tables = try db.query("SELECT tablename FROM pg_tables WHERE schemaname = 'calworker' ORDER BY 1").map { try $0.decode(String.self, at: 0) }
        #expect(tables == ["accounts", "alerts", "calendars", "events", "job_runs", "jobs", "notification_settings", "notifications", "notify_state",
                          "owner_settings", "request_budgets", "schedule_fires", "schema_migrations", "workers"])
    }

    @Test func concurrentMigrationsTakeTurns() throws {
        let database = try TestDatabase.makeEmpty()
        defer { database.drop() }
        let url = database.url
        let results = SharedList<Result<Int, any Error>>()
        concurrently(4) { _ in
            results.append(Result { try CalworkerSchema.migrator.migrate(on: try PostgresConnection.connect(url)).count })
        }
        let counts = results.values.compactMap { try? $0.get() }
        #expect(counts.count == 4, "every concurrent migrate succeeded: \(results.values)")
        #expect(counts.sorted() == [0, 0, 0, CalworkerSchema.migrator.steps.count])
    }

    @Test func aSchemaNewerThanTheBuildIsRefused() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let db = try database.connect()
        try db.execute("INSERT INTO calworker.schema_migrations (version, name) VALUES ($1, $2)", [999, "from the future"])
        let status = try CalworkerSchema.migrator.status(on: db)
        #expect(status == .ahead(database: 999, known: CalworkerSchema.migrator.latestVersion))
        #expect(status.explanation.contains("newer"))
        #expect(throws: (any Error).self) { try CalworkerSchema.migrator.migrate(on: db) }
    }

    /// Every table is created by the module that owns it, and only there.
    @Test(arguments: [
        ("queue", QueueSchema.migrations, ["jobs", "job_runs", "workers"]),
        ("accounts", AccountsSchema.migrations, ["accounts"]),
        ("sync", SyncSchema.migrations, ["calendars", "events", "owner_settings", "request_budgets"]),
        ("notify", NotifySchema.migrations, ["notification_settings", "notifications", "alerts", "notify_state"]),
        ("scheduling", SchedulingSchema.migrations, ["schedule_fires"]),
    ])
    func eachModuleCreatesItsOwnTables(module: String, migrations: [Migration], tables: [String]) {
        let created = migrations.flatMap { migration in
            migration.sql.withUTF8Buffer { String(decoding: $0, as: UTF8.self) }
                .matches(of: /CREATE (?:UNLOGGED )?TABLE calworker\.([a-z_]+)/).map { String($0.1) }
        }
        #expect(created.sorted() == tables.sorted(), "\(module)")
    }

    /// The steps the modules declare are the steps installations already recorded: the same
    /// versions, and a schema identical to the one the single list of steps built before the
    /// split (`pg_dump --schema-only` of it, kept beside this test).
    @Test func theSplitSchemaIsTheOneInstallationsAlreadyHave() throws {
        #expect(CalworkerSchema.migrator.steps.map(\.version) == Array(1...CalworkerSchema.migrator.latestVersion))
        let database = try TestDatabase.make()
        defer { database.drop() }
        let fixture = TestEnvironment.packageRoot.appendingPathComponent("Tests/JobQueueTests/Fixtures/schema-before-split.sql")
        let before = try String(contentsOf: fixture, encoding: .utf8)
        #expect(try PgDump.schemaOnly(database.url) == before)
    }
}
