import JobQueue
import Postgres
import Worker

enum MigrateCommand {
    struct Report: Encodable {
        var applied: [Int]
        var version: Int
    }

    static let command = Command(
        name: "migrate",
        summary: "Create or upgrade the calworker schema (safe to run repeatedly and concurrently)",
        usage: "migrate [--status]",
        details: "Applies pending migrations in one transaction under an advisory lock. With --status, only reports.",
        options: [.flag("status", "report the schema version without changing anything (exit 4 when not current)")]
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
        let applied: [Migrator.Step]
        do {
            applied = try migrator.migrate(on: db)
        } catch {
            throw CLIError(.schema, "migration failed: \(error)")
        }
        let report = Report(applied: applied.map(\.version), version: migrator.latestVersion)
        context.emit(report) {
            applied.isEmpty
                ? "schema already at version \(migrator.latestVersion); nothing to do"
                : applied.map { "applied \($0.version): \($0.name)" }.joined(separator: "\n") + "\nschema at version \(migrator.latestVersion)"
        }
        return .ok
    }
}
