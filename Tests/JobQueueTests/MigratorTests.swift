import Accounts
import Foundation
import JobQueue
import Jobs
import LocalCopy
import Mirroring
import Notify
import Postgres
import Push
import RequestBudgets
import Scheduling
import TestSupport
import Testing

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
        // The history's partitions by day are checked in HistoryRetentionTests.
        let tables = try db.query(
            """
            SELECT tablename FROM pg_tables WHERE schemaname = 'calworker' AND tablename !~ '^job_runs_[0-9]{8}$' ORDER BY 1
            """
        ).map { try $0.decode(String.self, at: 0) }
        #expect(
            tables == [
                "accounts", "alerts", "audit", "calendars", "events", "feed_objects", "feeds", "job_runs", "job_runs_default", "jobs", "mirror_links",
                "notification_settings", "notifications",
                "notify_state", "owner_settings", "project_request_budgets", "push_channels", "push_syncs", "queue_pauses",
                "request_budgets", "run_counts", "schedule_fires", "schema_migrations", "workers",
            ])
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
        ("queue", QueueSchema.migrations, ["jobs", "job_runs", "workers", "queue_pauses", "audit", "job_runs", "job_runs_default", "run_counts"]),
        ("accounts", AccountsSchema.migrations, ["accounts"]),
        ("local copy", LocalCopySchema.migrations, ["calendars", "events"]),
        ("mirroring", MirroringSchema.migrations, ["owner_settings", "mirror_links"]),
        ("request budgets", RequestBudgetsSchema.migrations, ["request_budgets", "project_request_budgets"]),
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
        try db.execute(
            """
            INSERT INTO calworker.accounts (email, owner, key_id, refresh_token, last_synced_at)
            VALUES ('old@example.com', 'o', 'k', '\\x00', '2026-11-30T10:00:00Z')
            """)
        // As a version-8 installation inserts: today's enqueue names columns it does not have yet.
        let job: Int64 = try db.query(
            """
            INSERT INTO calworker.jobs (kind, run_at) VALUES ('noop', now() + interval '30 seconds') RETURNING id
            """)[0].decode(at: 0)
        let applied = try CalworkerSchema.migrator.migrate(on: db)
        #expect(applied.map(\.version) == Array(9...CalworkerSchema.migrator.latestVersion))
        #expect(try db.query("SELECT last_full_sync_at = last_synced_at FROM calworker.accounts").first?.decode(Bool.self, at: 0) == true)
        #expect(try JobQueue().job(id: job, on: db)?.state == .available)
        let granted = try db.query("SELECT granted FROM calworker.take_request_budgets(1, 10, 1, 5, 'p', 100, 10)").first?.decode(Int.self, at: 0)
        #expect(granted == 5)
        #expect(
            try db.query("SELECT granted FROM calworker.take_request_budget(1, 10, 1, 5)").first?.decode(Int.self, at: 0) == 5,
            "the account-only function older workers call is still there")
    }

    /// Version 11 (self-contained history) on an installation with history: every record
    /// stays, and those whose job is still there take its args, priority and subject.
    @Test func anUpgradeKeepsEveryRunRecordAndFillsInWhatItsJobStillKnows() throws {
        let database = try TestDatabase.makeEmpty()
        defer { database.drop() }
        let db = try database.connect()
        try CalworkerSchema.migrator.migrate(on: db, upTo: 10)
        let kept: Int64 = try db.query(
            """
            INSERT INTO calworker.jobs (kind, args, priority) VALUES ('sync_account', '{"account_id": 7}', 3) RETURNING id
            """)[0].decode(at: 0)
        for (job, attempt) in [(kept, 1), (999_999, 1), (999_999, 2)] {
            try db.execute(
                """
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

    /// Version 12 (live jobs only in the claim table, history by day) on an installation with
    /// finished jobs and history: every record stays, each finished job leaves the claim table
    /// and reads as it ended, and a discarded one can still be retried.
    @Test func anUpgradeMovesFinishedJobsIntoTheHistoryKeepingEveryRecord() throws {
        let database = try TestDatabase.makeEmpty()
        defer { database.drop() }
        let db = try database.connect()
        try CalworkerSchema.migrator.migrate(on: db, upTo: 11)
        func job(_ state: String, attempt: Int, lastError: String? = nil) throws -> Int64 {
            try db.query(
                """
                INSERT INTO calworker.jobs (kind, args, state, attempt, max_attempts, finished_at, last_error, subject, unique_key)
                VALUES ('sync_account', '{"account_id": 7}', $1, $2, 3,
                        CASE WHEN $1 IN ('completed', 'discarded', 'cancelled') THEN now() - interval '2 days' END, $3, 'account:7',
                        'k' || $2::integer::text || $1::text)
                RETURNING id
                """, [state, attempt, lastError])[0].decode(at: 0)
        }
        func record(_ id: Int64, _ attempt: Int, _ outcome: String, daysAgo: Int) throws {
            try db.execute(
                """
                INSERT INTO calworker.job_runs (job_id, attempt, kind, queue, worker_id, started_at, finished_at, outcome, duration_ms, args, subject)
                VALUES ($1, $2, 'sync_account', 'default', 'w', now() - make_interval(days => $3), now() - make_interval(days => $3),
                        $4, 5, '{"account_id": 7}', 'account:7')
                """, [id, attempt, daysAgo, outcome])
        }
        let waiting = try job("available", attempt: 1)
        try record(waiting, 1, "failed", daysAgo: 0)
        let completed = try job("completed", attempt: 2)
        try record(completed, 1, "failed", daysAgo: 3)
        try record(completed, 2, "completed", daysAgo: 2)
        let discarded = try job("discarded", attempt: 3, lastError: "boom")
        for attempt in 1...3 { try record(discarded, attempt, attempt == 3 ? "discarded" : "failed", daysAgo: 2) }
        let cancelledWaiting = try job("cancelled", attempt: 0)
        let pruned: Int64 = 999_999
        try record(pruned, 1, "lost", daysAgo: 20)
        try record(pruned, 2, "completed", daysAgo: 20)
        try record(555_555, 1, "completed", daysAgo: 900)  // older than any partition: the default one keeps it
        #expect(try db.query("SELECT count(*) FROM calworker.job_runs").first?.decode(Int.self, at: 0) == 9)

        #expect(try CalworkerSchema.migrator.migrate(on: db).map(\.version) == Array(12...CalworkerSchema.migrator.latestVersion))
        #expect(
            try db.query("SELECT count(*) FROM calworker.job_runs").first?.decode(Int.self, at: 0) == 10,
            "every record, and one for the job cancelled before it ran")
        #expect(
            try db.query("SELECT array_agg(id) FROM calworker.jobs").first?.decode([Int64].self, at: 0) == [waiting],
            "only the live job is left in the claim table")
        let queue = JobQueue()
        #expect(try queue.job(id: waiting, on: db)?.state == .available)
        #expect(try queue.job(id: completed, on: db)?.state == .completed)
        #expect(try queue.job(id: discarded, on: db)?.state == .discarded)
        #expect(try queue.job(id: discarded, on: db)?.lastError == "boom", "the job's last error joins its last record")
        #expect(try queue.job(id: cancelledWaiting, on: db)?.state == .cancelled)
        #expect(try queue.job(id: pruned, on: db)?.state == .completed)
        #expect(try queue.job(id: 555_555, on: db)?.state == .completed)
        #expect(try queue.runs(RunFilter(jobID: discarded), on: db).count == 3)
        let states = try db.query("SELECT job_state FROM calworker.job_runs WHERE job_id = $1 ORDER BY attempt", [discarded])
            .map { try $0.decode(String.self, at: 0) }
        #expect(states == ["available", "available", "discarded"])
        let days = try db.query(
            """
            SELECT count(*) FROM pg_inherits WHERE inhparent = 'calworker.job_runs'::regclass
            """)[0].decode(Int.self, at: 0)
        #expect(days >= 6, "partitions for the days the history had, today and the days ahead, and the default one")
        #expect(try db.query("SELECT count(*) FROM calworker.job_runs_default").first?.decode(Int.self, at: 0) == 1)

        let retried = try queue.retry(id: discarded, on: db)
        #expect(retried.state == .available && retried.attempt == 3 && retried.maxAttempts == 4 && retried.args.contains("account_id"))
        #expect(retried.uniqueKey == "k3discarded")
    }

    /// Version 20: pauses of names no job can be in (a pause that did not check the rule wrote
    /// them) are removed, and the table keeps the rule from then on.
    @Test func pausesOfNamesNoQueueCanHaveAreRemovedAndRefusedFromThenOn() throws {
        let database = try TestDatabase.makeEmpty()
        defer { database.drop() }
        let db = try database.connect()
        try CalworkerSchema.migrator.migrate(on: db, upTo: 19)
        try db.execute(
            "INSERT INTO calworker.queue_pauses (queue, paused_by) VALUES ('mail', 'ada@h'), ('..', 'eve@h'), ('default ', 'eve@h'), ('a/b', 'eve@h')"
        )
        _ = try CalworkerSchema.migrator.migrate(on: db)
        #expect(try db.query("SELECT queue FROM calworker.queue_pauses").map { try $0.decode(String.self, at: 0) } == ["mail"])
        #expect(throws: PostgresError.self) { try db.execute("INSERT INTO calworker.queue_pauses (queue, paused_by) VALUES ('..', 'eve@h')") }
    }
}
