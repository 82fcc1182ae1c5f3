import Backup
import Foundation
import JobArgs
import JobQueue
import Jobs
import Media
import Worker

enum BackupCommand {
    static let command = Command(
        name: "backup",
        summary: "List, verify and restore encrypted database backups, or start one now",
        usage: """
                   backup list [--target PREFIX]
                   calworker backup latest [--target PREFIX]
                   calworker backup verify ID [--target PREFIX]
                   calworker backup restore ID --into DBURL [--force] [--target PREFIX]
                   calworker backup run [--target PREFIX]
            """,
        details: """
            Backups live under a target prefix (default CALWORKER_BACKUP_TARGET), one folder per
            backup: the sealed dump and its manifest. list reads the manifests from the store itself,
            so it works on a new machine with nothing but the key and the store's credentials.
            latest prints the id of the newest verified backup (exit 5 if there is none), for scripts.
            verify restores a backup into a scratch database, compares every table's row count with
            the manifest, drops the scratch database and records the result (exit 1 if it fails).
            restore checks the backup completely (every chunk's authentication, both SHA-256 sums)
            before pg_restore touches the target; the target must be empty unless --force, which
            drops the objects the backup also holds. Keys: CALWORKER_BACKUP_KEY, and
            CALWORKER_BACKUP_KEY_PREVIOUS for backups sealed before a rotation.
            run enqueues a backup job now (a worker makes, verifies and retains it).
            """,
        options: [
            .value("target", "PREFIX", "the backups' prefix, s3://bucket/path/ or file:///path/ (default CALWORKER_BACKUP_TARGET)"),
            .value("into", "DBURL", "restore: the database to restore into (libpq URI or key=value)"),
            .flag("force", "restore: allow a target that already holds data"),
        ]
    ) { arguments, context in
        let action = arguments.positionals.first ?? "list"
        let settings = try context.backupSettings()
        guard let target = arguments.value("target") ?? settings.target else {
            throw CLIError(.usage, "no backup target", hint: "pass --target s3://bucket/prefix/ or set CALWORKER_BACKUP_TARGET")
        }
        let stores = MediaStores(settings: settings.media, metrics: context.metrics)
        func id() throws(CLIError) -> String {
            guard arguments.positionals.count == 2 else {
                throw CLIError(.usage, "usage: calworker backup \(action) ID (see calworker backup list)")
            }
            return arguments.positionals[1]
        }
        do {
            let catalog = try BackupCatalog(stores: stores, target: target)
            switch action {
            case "list":
                let entries = try catalog.entries()
                context.emit(entries.map(Listed.init)) { table(entries, prefix: catalog.prefix) }
                return .ok
            case "latest":
                guard let newest = try catalog.entries().last(where: { $0.manifest?.isVerified == true }) else {
                    throw CLIError(.notFound, "no verified backup under \(catalog.prefix)", hint: "see calworker backup list")
                }
                context.emit(["id": newest.id]) { newest.id }
                return .ok
            case "verify":
                let entry = try catalog.entry(try id())
                var manifest = entry.manifest!
                let verification = try settings.withSession(fallback: try context.connect()) { db in
                    try BackupVerifier.make(settings: settings, stores: stores).verify(manifest, in: entry.folder, db: db)
                }
                manifest.verification = verification
                try catalog.save(manifest)
                var updated = entry
                updated.manifest = manifest
                context.emit(Listed(entry: updated)) {
                    verification.status == .verified
                        ? "backup \(manifest.id) verified: restored into a scratch database, \(manifest.rowCounts.count) tables "
                            + "with the recorded row counts (\(verification.durationMS) ms)"
                        : "backup \(manifest.id) FAILED verification: \(verification.error ?? "")"
                }
                return verification.status == .verified ? .ok : .failure
            case "restore":
                guard let into = arguments.value("into") else {
                    throw CLIError(.usage, "restore needs --into DBURL", hint: "make an empty database first: createdb calworker_restored")
                }
                let entry = try catalog.entry(try id())
                let report = try BackupRestorer(settings: settings, stores: stores)
                    .restore(entry.manifest!, in: entry.folder, into: into, force: arguments.has("force"))
                struct Restored: Encodable {
                    var id: String
                    var tables: Int
                    var rows: Int64
                    var differences: [String]
                }
                context.emit(Restored(id: entry.id, tables: report.tables, rows: report.rows, differences: report.differences)) {
                    report.differences.isEmpty
                        ? "restored backup \(entry.id): \(report.tables) tables, \(report.rows) rows, every count as recorded"
                        : "restored backup \(entry.id), but the row counts differ:\n  " + report.differences.joined(separator: "\n  ")
                }
                return report.differences.isEmpty ? .ok : .failure
            case "run":
                let db = try context.connectCurrent()
                let result = try context.registry.enqueue(BackupArgs(target: catalog.prefix.description), queue: context.queue, on: db)
                context.emit(["job": result.id]) {
                    result.duplicate
                        ? "a backup to \(catalog.prefix) is already queued or running (job \(result.id))"
                        : "enqueued backup to \(catalog.prefix) as job \(result.id); follow it with: calworker runs show \(result.id)"
                }
                return .ok
            default:
                throw CLIError(.usage, "unknown action '\(action)'; one of list, latest, verify, restore, run")
            }
        } catch let error as BackupError {
            switch error.kind {
            case .notFound: throw CLIError(.notFound, error.message)
            case .invalid: throw CLIError(.usage, error.message)
            case .targetNotEmpty: throw CLIError(.failure, error.message)
            case .verificationFailed, .failed: throw CLIError(.failure, error.message)
            }
        } catch let error as MediaError {
            throw CLIError(.failure, error.message, hint: error.isRetryable ? "the store is unreachable; try again" : nil)
        }
    }

    /// A backup as `list --json` shows it.
    struct Listed: Encodable {
        var id: String
        var createdAt: Date
        var status: String
        var bytes: Int64?
        var verifiedAt: Date?
        var keyID: String?
        var error: String?

        init(entry: BackupCatalog.Entry) {
            id = entry.id
            createdAt = entry.createdAt
            status = entry.manifest.map { $0.verification?.status.rawValue ?? "unverified" } ?? "incomplete"
            bytes = entry.manifest?.ciphertextBytes
            verifiedAt = entry.manifest?.verification?.at
            keyID = entry.manifest?.keyID
            error = entry.manifest?.verification?.error
        }

        enum CodingKeys: String, CodingKey {
            case id, status, bytes, error
            case createdAt = "created_at"
            case verifiedAt = "verified_at"
            case keyID = "key_id"
        }
    }

    static func table(_ entries: [BackupCatalog.Entry], prefix: MediaLocation) -> String {
        if entries.isEmpty { return "no backups under \(prefix); make one with: calworker backup run" }
        var table = Table(headers: ["ID", "CREATED", "STATUS", "SIZE", "VERIFIED", "KEY", "ERROR"])
        for entry in entries.map(Listed.init) {
            table.add([
                entry.id, Formatting.shortTimestamp(entry.createdAt), entry.status, entry.bytes.map(Formatting.bytes) ?? "-",
                Formatting.shortTimestamp(entry.verifiedAt), entry.keyID ?? "-", Formatting.truncate(entry.error, 50),
            ])
        }
        return table.render()
    }
}
