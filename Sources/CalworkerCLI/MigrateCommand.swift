import JobQueue
import Postgres
import Worker

enum MigrateCommand {
    struct Report: Encodable {
        var applied: [Int]
        var version: Int
        /// The role granted a worker's rights, if any.
        var workerRole: String?

        enum CodingKeys: String, CodingKey {
            case applied, version
            case workerRole = "worker_role"
        }
    }

    static let command = Command(
        name: "migrate",
        summary: "Create or upgrade the calworker schema (safe to run repeatedly and concurrently)",
        usage: "migrate [--status] [--worker-role ROLE]",
        details: """
            Applies pending migrations in one transaction under an advisory lock. With --status, only reports.
            Run it as the role that should own the schema. With --worker-role, the same transaction grants ROLE
            what workers, the scheduler and the console need (rows of every table, the sequences, the functions)
            and nothing more: it cannot create, alter, drop or truncate. See runbooks/database-roles.md.
            """,
        options: [
            .flag("status", "report the schema version without changing anything (exit 4 when not current)"),
            .value("worker-role", "ROLE", "grant this existing role a worker's rights in the schema (every run; idempotent)"),
        ]
    ) { arguments, context in
        // A migration may rewrite a big table: an hour per statement, and a minute to get its locks.
        var timeouts = context.databaseTimeouts.statement(.seconds(3600))
        timeouts.lock = .seconds(60)
        let db = try context.connect(timeouts: timeouts)
        let migrator = context.registry.schema
        if arguments.has("status") {
            let status = try migrator.status(on: db)
            context.emit(["version": try migrator.databaseVersion(on: db), "known": migrator.latestVersion]) { status.explanation }
            return status.isCurrent ? .ok : .schema
        }
        let workerRole = arguments.value("worker-role")
        if let workerRole, workerRole.isEmpty || workerRole.utf8.count > 63 {
            throw CLIError(.usage, "--worker-role needs a role name of 1 to 63 bytes")
        }
        let applied: [Migrator.Step]
        do {
            applied = try migrator.migrate(on: db, grantingTo: workerRole)
        } catch let refusal as SchemaGrants.Refusal {
            throw CLIError(.usage, "--worker-role: \(refusal.description); nothing was migrated")
        } catch {
            throw CLIError(.schema, "migration failed: \(error)")
        }
        let report = Report(applied: applied.map(\.version), version: migrator.latestVersion, workerRole: workerRole)
        context.emit(report) {
            var lines =
                applied.isEmpty
                ? ["schema already at version \(migrator.latestVersion); nothing to do"]
                : applied.map { "applied \($0.version): \($0.name)" } + ["schema at version \(migrator.latestVersion)"]
            if let workerRole { lines.append("granted \(workerRole) a worker's rights in the calworker schema") }
            return lines.joined(separator: "\n")
        }
        return .ok
    }
}
