import Foundation
public import Media
import Postgres

/// `calworker backup restore`: opens a backup (refusing any damaged or wrongly keyed one before
/// touching the target), restores it with pg_restore, and checks the row counts.
public struct BackupRestorer {
    let settings: BackupSettings
    let stores: MediaStores

    public init(settings: BackupSettings, stores: MediaStores) {
        self.settings = settings
        self.stores = stores
    }

    public struct Report: Sendable {
        public var tables: Int
        public var rows: Int64
        public var differences: [String]
    }

    /// - Parameters:
    ///   - target: the database to restore into; must be empty unless `force`.
    ///   - force: drop the target's objects that the backup also holds first (`--clean`).
    public func restore(_ manifest: BackupManifest, in folder: MediaLocation, into target: String, force: Bool) throws -> Report {
        let connection: PostgresConnection
        do {
            connection = try PostgresConnection.connect(target, timeouts: PostgresTimeouts().statement(BackupSettings.statementLimit))
        } catch {
            throw BackupError(.invalid, "cannot connect to the restore target: \(error.message)")
        }
        defer { connection.close() }
        if !force, try !DatabaseFacts.isEmpty(on: connection) {
            throw BackupError(
                .targetNotEmpty,
                "the target database is not empty; restore into a new database "
                    + "(createdb NAME) or pass --force to replace what the backup also holds")
        }
        let plain = try BackupOpener(settings: settings, stores: stores).open(manifest, in: folder)
        try PostgresTools(settings: settings).restore(plain.path, into: try connection.parameters(), clean: force)
        let counts = try DatabaseFacts.rowCounts(on: connection)
        let relevant = counts.filter { manifest.rowCounts[$0.key] != nil || !force }
        return Report(
            tables: manifest.rowCounts.count, rows: manifest.rowCounts.values.reduce(0, +),
            differences: DatabaseFacts.differences(expected: manifest.rowCounts, found: relevant))
    }
}
