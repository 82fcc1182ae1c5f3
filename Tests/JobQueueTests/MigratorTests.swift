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
        #expect(tables == ["accounts", "alerts", "audit", "calendars", "events", "job_runs", "jobs", "notification_settings", "notifications",
                          "notify_state", "owner_settings", "project_request_budgets", "push_channels", "push_syncs", "queue_pauses",
                          "request_budgets", "schedule_fires", "schema_migrations", "workers"])
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
        ("queue", QueueSchema.migrations, ["jobs", "job_runs", "workers", "queue_pauses", "audit"]),
        ("accounts", AccountsSchema.migrations, ["accounts"]),
        ("sync", SyncSchema.migrations, ["calendars", "events", "owner_settings", "request_budgets", "project_request_budgets"]),
        ("push", PushSchema.migrations, ["push_channels", "push_syncs"]),
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
    /// split (`pg_dump --schema-only` of it at version 8, kept beside this test).
    @Test func theSplitSchemaIsTheOneInstallationsAlreadyHave() throws {
        #expect(CalworkerSchema.migrator.steps.map(\.version) == Array(1...CalworkerSchema.migrator.latestVersion))
        let database = try TestDatabase.makeEmpty()
        defer { database.drop() }
        try CalworkerSchema.migrator.migrate(on: try database.connect(), upTo: 8)
        let fixture = TestEnvironment.packageRoot.appendingPathComponent("Tests/JobQueueTests/Fixtures/schema-before-split.sql")
        let before = try String(contentsOf: fixture, encoding: .utf8)
        #expect(try PgDump.schemaOnly(database.url) == before)
    }

    /// Version 9 (push channels, the project's budget, the last full sync) on an installation
    /// that has data: nothing is lost, and what it adds starts from what was there.
    @Test func anInstallationAtVersion8UpgradesKeepingItsData() throws {
        let database = try TestDatabase.makeEmpty()
        defer { database.drop() }
        let db = try database.connect()
        try CalworkerSchema.migrator.migrate(on: db, upTo: 8)
        try db.execute("""
            INSERT INTO calworker.accounts (email, owner, key_id, refresh_token, last_synced_at)
            VALUES ('old@example.com', 'o', 'k', '\\x00', '2026-11-30T10:00:00Z')
            """)
        // As a version-8 installation inserts: today's enqueue names columns it does not have yet.
        let job: Int64 = try db.query("""
            INSERT INTO calworker.jobs (kind, run_at) VALUES ('noop', now() + interval '30 seconds') RETURNING id
            """)[0].decode(at: 0)
        let applied = try CalworkerSchema.migrator.migrate(on: db)
        #expect(applied.map(\.version) == [9, 10, 11])
        #expect(try db.query("SELECT last_full_sync_at = last_synced_at FROM calworker.accounts").first?.decode(Bool.self, at: 0) == true)
        #expect(try JobQueue().job(id: job, on: db)?.state == .available)
        let granted = try db.query("SELECT granted FROM calworker.take_request_budgets(1, 10, 1, 5, 'p', 100, 10)").first?.decode(Int.self, at: 0)
        #expect(granted == 5)
        #expect(try db.query("SELECT granted FROM calworker.take_request_budget(1, 10, 1, 5)").first?.decode(Int.self, at: 0) == 5,
                "the account-only function older workers call is still there")
    }

    /// Version 11 (self-contained history) on an installation with history: every record
    /// stays, and those whose job is still there take its args, priority and subject.
    @Test func anUpgradeKeepsEveryRunRecordAndFillsInWhatItsJobStillKnows() throws {
        let database = try TestDatabase.makeEmpty()
        defer { database.drop() }
        let db = try database.connect()
        try CalworkerSchema.migrator.migrate(on: db, upTo: 10)
        let kept: Int64 = try db.query("""
            INSERT INTO calworker.jobs (kind, args, priority) VALUES ('sync_account', '{"account_id": 7}', 3) RETURNING id
            """)[0].decode(at: 0)
        for (job, attempt) in [(kept, 1), (999_999, 1), (999_999, 2)] {
            try db.execute("""
                INSERT INTO calworker.job_runs (job_id, attempt, kind, queue, worker_id, started_at, finished_at, outcome, duration_ms)
                VALUES ($1, $2, 'sync_account', 'default', 'w', now(), now(), 'failed', 1)
                """, [job, attempt])
        }
        try CalworkerSchema.migrator.migrate(on: db)
        #expect(try db.query("SELECT count(*) FROM calworker.job_runs").first?.decode(Int.self, at: 0) == 3)
        let run = try #require(try JobQueue().runs(RunFilter(jobID: kept), on: db).first)
        #expect(run.subject == "account:7" && run.priority == 3 && run.args?.contains("\"account_id\": 7") == true)
        #expect(try JobQueue().job(id: kept, on: db) != nil)
        #expect(try JobQueue().runs(RunFilter(jobID: 999_999), on: db).allSatisfy { $0.args == nil }, "a pruned job's old records stay, as they were")
    }
}
