import Basics
import Foundation
public import Media
public import Postgres

/// Proves a backup restores: opens it (every check of `BackupOpener`), restores it with
/// pg_restore into a scratch database on the same server, compares every table's row count
/// with the manifest's, and drops the scratch database. `pg_restore --list` alone would accept
/// a truncated dump; this does not.
public struct BackupVerifier {
    let settings: BackupSettings
    let stores: MediaStores

    public static func make(settings: BackupSettings, stores: MediaStores) -> BackupVerifier {
        BackupVerifier(settings: settings, stores: stores)
    }

    /// - Parameter db: a session on the server (not in the scratch database), allowed to create databases.
    /// - Returns: the verification to record. Failures of the backup itself are a `failed`
    ///   verification; failures around it (store unreachable, no CREATEDB) are thrown.
    public func verify(_ manifest: BackupManifest, in folder: MediaLocation, db: PostgresConnection) throws -> BackupManifest.Verification {
        let started = ContinuousClock.now
        func outcome(_ error: String?) -> BackupManifest.Verification {
            BackupManifest.Verification(
                status: error == nil ? .verified : .failed, at: Date().wholeSeconds,
                durationMS: Int((ContinuousClock.now - started).wholeMilliseconds), error: error)
        }
        do {
            let plain = try BackupOpener(settings: settings, stores: stores).open(manifest, in: folder)
            let scratch = "calworker_verify_" + manifest.id.lowercased().filter { $0.isLetter || $0.isNumber }
            // The name is made here from the id's letters and digits only: safe as an identifier.
            try db.execute("DROP DATABASE IF EXISTS \(scratch) WITH (FORCE)")
            try db.execute("CREATE DATABASE \(scratch)")
            defer { _ = try? db.execute("DROP DATABASE IF EXISTS \(scratch) WITH (FORCE)") }
            let target = try db.parameters().database(scratch)
            try PostgresTools(settings: settings).restore(plain.path, into: target, clean: false)
            let restored = try PostgresConnection.connect(target.keyValueString(), timeouts: db.timeouts.statement(BackupSettings.statementLimit))
            defer { restored.close() }
            let differences = DatabaseFacts.differences(expected: manifest.rowCounts, found: try DatabaseFacts.rowCounts(on: restored))
            guard differences.isEmpty else {
                return outcome("restored, but the row counts differ: " + differences.prefix(5).joined(separator: "; "))
            }
            return outcome(nil)
        } catch let error as BackupError where error.kind == .verificationFailed {
            return outcome(error.message)
        }
    }
}
