import Foundation
import JobQueue
import Jobs
import Postgres
import TestSupport
import Testing

/// The least-privilege worker role: migrations run as the owner and grant it rows and
/// functions; it does a worker's whole job (enqueue, claim, finish, make and drop the
/// history's partitions) and nothing an attacker holding its password would want.
@Suite struct SchemaGrantsTests {
    /// The roles of `docker/postgres/calworker-roles.sql`, migrated by the owner with the
    /// worker's grants.
    func migrated() throws -> DatabaseRoles {
        let roles = try DatabaseRoles()
        let owner = try roles.connect(as: roles.owner)
        defer { owner.close() }
        try CalworkerSchema.migrator.migrate(on: owner, grantingTo: roles.worker)
        return roles
    }

    /// The SQLSTATE a statement fails with, nil when it succeeds.
    func refusal(_ db: PostgresConnection, _ sql: String) -> String? {
        do {
            try db.execute(sql)
            return nil
        } catch {
            return error.sqlState
        }
    }

    @Test func theWorkerRoleDoesAWorkersJob() throws {
        let roles = try migrated()
        defer { roles.drop() }
        let db = try roles.connect(as: roles.worker)
        defer { db.close() }
        let queue = JobQueue()
        let ids = try queue.enqueueMany((0..<3).map { _ in NewJob(kind: "noop", maxAttempts: 2) }, on: db)
        let claimed = try queue.claim(queue: "default", limit: 3, workerID: "w", on: db)
        #expect(claimed.count == 3)
        _ = try queue.finish(claimed.map { FinishedAttempt(jobID: $0.id, attempt: 1, outcome: .completed, durationMs: 1) }, workerID: "w", on: db)
        #expect(try queue.job(id: ids[0], on: db)?.state == .completed, "the finish wrote its record")
        #expect(try db.query("SELECT sum(attempts)::int FROM calworker.run_counts")[0].decode(Int.self, at: 0) == 3, "the counting trigger ran")
        #expect(try CalworkerSchema.migrator.status(on: db).isCurrent, "it reads the schema's version")

        // Partitions: a day ahead made and an old day dropped, with the owner's rights.
        let now = Date()
        let old = now.addingTimeInterval(-40 * 86_400)
        #expect(
            try db.query("SELECT calworker.ensure_history_partition(((now() - interval '40 days') AT TIME ZONE 'UTC')::date)")[0]
                .decode(Bool.self, at: 0))
        let report = try queue.maintainHistory(retention: .seconds(30 * 86_400), now: now, on: db)
        #expect(report.created == [HistoryPartitions.name(of: HistoryPartitions.startOfDay(now.addingTimeInterval(3 * 86_400)))])
        #expect(report.dropped == [HistoryPartitions.name(of: HistoryPartitions.startOfDay(old))])
        let owner = try #require(
            try db.query(
                """
                SELECT tableowner FROM pg_tables WHERE schemaname = 'calworker' AND tablename = $1
                """, [report.created[0]]
            ).first?.decode(String.self, at: 0))
        #expect(owner == roles.owner, "the new day belongs to the owner, not the worker")
        // The owner's default privileges reach the new day: the worker reads it directly too.
        #expect(refusal(db, "SELECT count(*) FROM calworker.\(report.created[0])") == nil)
    }

    @Test func theWorkerRoleCannotDropTruncateAlterOrReadOutsideTheSchema() throws {
        let roles = try migrated()
        defer { roles.drop() }
        let owner = try roles.connect(as: roles.owner)
        defer { owner.close() }
        try owner.execute("CREATE TABLE public.payroll (amount int)")
        try owner.execute("CREATE SCHEMA elsewhere")
        try owner.execute("CREATE TABLE elsewhere.notes (body text)")
        let db = try roles.connect(as: roles.worker)
        defer { db.close() }
        let denied = "42501"
        #expect(refusal(db, "DROP TABLE calworker.jobs") == denied)
        #expect(refusal(db, "DROP TABLE calworker.job_runs_default") == denied)
        #expect(refusal(db, "TRUNCATE calworker.jobs") == denied)
        #expect(refusal(db, "TRUNCATE calworker.accounts") == denied)
        #expect(refusal(db, "ALTER TABLE calworker.jobs ADD COLUMN x int") == denied)
        #expect(refusal(db, "DROP SCHEMA calworker CASCADE") == denied)
        #expect(refusal(db, "DROP FUNCTION calworker.end_jobs(bigint[], text[], text, text)") == denied)
        #expect(refusal(db, "CREATE TABLE calworker.mine (x int)") == denied)
        #expect(refusal(db, "CREATE TABLE public.mine (x int)") == denied)
        #expect(refusal(db, "SELECT * FROM public.payroll") == denied)
        #expect(refusal(db, "SELECT * FROM elsewhere.notes") == denied)
        #expect(refusal(db, "DELETE FROM calworker.schema_migrations") == denied, "the applied steps are read-only")
        #expect(refusal(db, "INSERT INTO calworker.schema_migrations (version, name) VALUES (999, 'x')") == denied)
        #expect(refusal(db, "CREATE DATABASE cwr_not_allowed") == denied)
        // The database's other roles and PUBLIC cannot call the owner's-rights functions.
        #expect(
            try owner.query(
                """
                SELECT has_function_privilege('public', 'calworker.drop_history_partition(date)', 'EXECUTE')
                """)[0].decode(Bool.self, at: 0) == false)
        #expect(
            try owner.query(
                "SELECT has_function_privilege($1, 'calworker.drop_history_partition(date)', 'EXECUTE')",
                [roles.backup])[0].decode(Bool.self, at: 0) == false)
    }

    @Test func aTableALaterMigrationAddsIsTheWorkersToo() throws {
        let roles = try migrated()
        defer { roles.drop() }
        let owner = try roles.connect(as: roles.owner)
        defer { owner.close() }
        try owner.execute("CREATE TABLE calworker.later (id bigint GENERATED ALWAYS AS IDENTITY, note text)")
        let db = try roles.connect(as: roles.worker)
        defer { db.close() }
        #expect(refusal(db, "INSERT INTO calworker.later (note) VALUES ('by default privileges')") == nil)
        #expect(refusal(db, "DROP TABLE calworker.later") == "42501")
    }

    /// `migrate --worker-role role` is refused, saying `words`, and migrates nothing.
    func expectRefused(_ role: String, saying words: String, on owner: PostgresConnection, sourceLocation: SourceLocation = #_sourceLocation)
        throws
    {
        #expect(sourceLocation: sourceLocation) {
            try CalworkerSchema.migrator.migrate(on: owner, grantingTo: role)
        } throws: { error in
            (error as? SchemaGrants.Refusal)?.description.contains(words) == true
        }
        #expect(
            try CalworkerSchema.migrator.databaseVersion(on: owner) == 0, "\(role): the refusal rolled the migration back",
            sourceLocation: sourceLocation)
    }

    @Test func grantsRefuseAMissingRoleTheOwnerAndASuperuserAndMigrateNothing() throws {
        let roles = try DatabaseRoles()
        defer { roles.drop() }
        let owner = try roles.connect(as: roles.owner)
        defer { owner.close() }
        let admin = try roles.connectAsSuperuser()
        defer { admin.close() }
        let superuser = try admin.query("SELECT current_user::text")[0].decode(String.self, at: 0)
        for (role, words) in [("cwr_nobody_here", "does not exist"), (roles.owner, "owns the calworker schema"), (superuser, "superuser")] {
            try expectRefused(role, saying: words, on: owner)
        }
        // A role name that needs quoting is quoted by the server, not spliced in.
        let odd = "cwr \"odd\"; DROP TABLE x; " + String(roles.owner.suffix(14))
        func run(_ template: String) throws {
            try admin.execute(try admin.query("SELECT format($1, $2::text)", [template, odd])[0].decode(String.self, at: 0))
        }
        try run("CREATE ROLE %I")
        // Its grants in this database go first (as the superuser), then the role.
        defer {
            try? run("DROP OWNED BY %I")
            try? run("DROP ROLE %I")
        }
        try CalworkerSchema.migrator.migrate(on: owner, grantingTo: odd)
        #expect(try owner.query("SELECT has_table_privilege($1, 'calworker.jobs', 'INSERT')", [odd])[0].decode(Bool.self, at: 0))
        #expect(try owner.query("SELECT has_table_privilege($1, 'calworker.jobs', 'TRUNCATE')", [odd])[0].decode(Bool.self, at: 0) == false)
    }

    /// Roles for which the grants would mean nothing: a member of the owner could SET ROLE and
    /// drop the tables, pg_read_all_data reads everything, CREATEROLE can grant itself the owner.
    @Test func grantsRefuseRolesThatCouldDoMoreThanAWorker() throws {
        let roles = try DatabaseRoles()
        defer { roles.drop() }
        let owner = try roles.connect(as: roles.owner)
        defer { owner.close() }
        let admin = try roles.connectAsSuperuser()
        defer { admin.close() }
        // Cluster-wide roles, named after this test's own tag (hex digits) and dropped after it.
        let tag = String(roles.owner.dropLast("_owner".count))
        let made = [
            (tag + "_member", "GRANT \(roles.owner) TO \(tag)_member", "member of the schema's owner"),
            (tag + "_reader", "GRANT pg_read_all_data TO \(tag)_reader", "pg_read_all_data"),
            (tag + "_writer", "GRANT pg_write_all_data TO \(tag)_writer", "pg_write_all_data"),
            (tag + "_maker", "ALTER ROLE \(tag)_maker CREATEROLE", "CREATEROLE"),
            (tag + "_replica", "ALTER ROLE \(tag)_replica REPLICATION", "REPLICATION"),
        ]
        defer { for (role, _, _) in made { _ = try? admin.execute("DROP ROLE IF EXISTS \(role)") } }
        for (role, grant, _) in made {
            try admin.execute("CREATE ROLE \(role) LOGIN")
            try admin.execute(grant)
        }
        for (role, words) in made.map({ ($0.0, $0.2) }) + [("pg_read_all_data", "predefined roles"), ("pg_monitor", "predefined roles")] {
            try expectRefused(role, saying: words, on: owner)
        }
        // The compose file's worker role is none of these.
        try CalworkerSchema.migrator.migrate(on: owner, grantingTo: roles.worker)
        // And the backup role (pg_read_all_data, for pg_dump) is refused as a worker.
        #expect(throws: SchemaGrants.Refusal.self) { try CalworkerSchema.migrator.migrate(on: owner, grantingTo: roles.backup) }
    }

    /// An installation the superuser migrated before the roles existed, handed to the owner by
    /// `docker/postgres/hand-over-schema.sql` (runbooks/database-roles.md), then upgraded by
    /// the owner with the worker's grants: everything in the schema is the owner's, and the
    /// worker's role does its job.
    @Test func anInstallationTheSuperuserMadeIsHandedToTheOwner() throws {
        let roles = try DatabaseRoles()
        defer { roles.drop() }
        let superuserURL = TestEnvironment.adminURL + " dbname=\(roles.database)"
        let admin = try PostgresConnection.connect(superuserURL)
        defer { admin.close() }
        try CalworkerSchema.migrator.migrate(on: admin, upTo: 15)
        let queue = JobQueue()
        let waiting = try queue.enqueue(NewJob(kind: "noop"), on: admin)
        try DatabaseRoles.psql(file: "docker/postgres/hand-over-schema.sql", url: superuserURL, variables: ["owner": roles.owner])
        try DatabaseRoles.psql(file: "docker/postgres/hand-over-schema.sql", url: superuserURL, variables: ["owner": roles.owner])
        let foreign = try admin.query(
            """
            SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = 'calworker' AND c.relowner <> (SELECT oid FROM pg_roles WHERE rolname = $1)
            UNION ALL
            SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
             WHERE n.nspname = 'calworker' AND p.proowner <> (SELECT oid FROM pg_roles WHERE rolname = $1)
            """, [roles.owner]
        ).map { try $0.decode(String.self, at: 0) }
        #expect(foreign.isEmpty, "everything in the schema is the owner's: \(foreign)")

        let owner = try roles.connect(as: roles.owner)
        defer { owner.close() }
        #expect(
            try CalworkerSchema.migrator.migrate(on: owner, grantingTo: roles.worker).map(\.version)
                == Array(16...CalworkerSchema.migrator.latestVersion))
        let db = try roles.connect(as: roles.worker)
        defer { db.close() }
        #expect(try queue.claim(queue: "default", limit: 5, workerID: "w", on: db).map(\.id) == [waiting.id], "the job from before waits for it")
        #expect(try queue.maintainHistory(retention: .seconds(30 * 86_400), on: db).created.count == 1, "the day ahead, with the owner's rights")
        #expect(refusal(db, "TRUNCATE calworker.jobs") == "42501")
    }
}
