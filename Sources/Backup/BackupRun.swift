import Basics
public import Foundation
public import Media
public import Postgres

/// One scheduled backup from start to end: make it, verify it, write its manifest (from then on
/// it counts), and only after a verified one apply retention.
public struct BackupRun {
    let settings: BackupSettings
    let stores: MediaStores
    let catalog: BackupCatalog
    let shouldAbort: @Sendable () -> Bool
    let progress: (@Sendable ([String: String]) -> Void)?

    public init(
        settings: BackupSettings, stores: MediaStores, catalog: BackupCatalog, shouldAbort: @escaping @Sendable () -> Bool,
        progress: (@Sendable ([String: String]) -> Void)? = nil
    ) {
        self.settings = settings
        self.stores = stores
        self.catalog = catalog
        self.shouldAbort = shouldAbort
        self.progress = progress
    }

    public struct Outcome: Sendable {
        public var manifest: BackupManifest
        public var deleted: Int
        public var figures: [String: Double]
    }

    /// - Parameter db: a session on the database to back up (it also hosts the scratch database).
    public func run(on db: PostgresConnection, policy: RetentionPolicy, now: Date = Date()) throws -> Outcome {
        removeLeftovers(on: db, olderThan: Date().addingTimeInterval(-Self.leftoverAge))
        let made = try BackupWriter(settings: settings, stores: stores, shouldAbort: shouldAbort, progress: progress)
            .run(db, prefix: catalog.prefix, now: now)
        var manifest = made.manifest
        let folder = try BackupWriter.folder(catalog.prefix, manifest.id)
        progress?(["backup_id": manifest.id, "step": "verifying"])
        let verification = try BackupVerifier(settings: settings, stores: stores).verify(manifest, in: folder, db: db)
        manifest.verification = verification
        try catalog.save(manifest)
        var deleted = 0
        if manifest.isVerified {
            let entries = try catalog.entries()
            let expired = policy.expired(
                entries.map {
                    RetentionPolicy.Backup(
                        id: $0.id, createdAt: $0.createdAt,
                        verified: $0.manifest?.isVerified ?? false)
                })
            for entry in entries where expired.contains(entry.id) {
                try catalog.delete(entry)
                deleted += 1
            }
        }
        let seconds = max(0.001, (made.dumpDuration + made.uploadDuration).seconds)
        let figures: [String: Double] = [
            "dump_bytes": Double(manifest.plaintextBytes), "backup_bytes": Double(manifest.ciphertextBytes),
            "dump_ms": Double(made.dumpDuration.wholeMilliseconds), "upload_ms": Double(made.uploadDuration.wholeMilliseconds),
            "verify_ms": Double(verification.durationMS), "throughput_mb_s": Double(manifest.plaintextBytes) / 1e6 / seconds,
            "verified": manifest.isVerified ? 1 : 0, "verification_failed": manifest.isVerified ? 0 : 1,
            "tables": Double(manifest.rowCounts.count), "rows": Double(manifest.rowCounts.values.reduce(0, +)),
            "retention_deleted": Double(deleted),
        ]
        return Outcome(manifest: manifest, deleted: deleted, figures: figures)
    }
}

extension BackupRun {
    /// Longer than any backup job may run (its timeout): what is older was left by a killed one.
    static let leftoverAge: TimeInterval = 6 * 3600 + 600

    /// What a run killed with SIGKILL leaves behind besides its unfinished folder in the store
    /// (which retention removes): spool files, scratch databases and S3's unfinished multipart
    /// uploads. Only those older than the longest a backup may run are touched, so a backup
    /// running elsewhere keeps its own.
    func removeLeftovers(on db: PostgresConnection, olderThan cutoff: Date) {
        _ = try? stores.removeAbandonedUploads(prefix: catalog.prefix, olderThan: cutoff)
        let spool = settings.spoolDirectory
        for name in (try? FileManager.default.contentsOfDirectory(atPath: spool)) ?? []
        where name.hasPrefix("calworker-backup-") || name.hasPrefix("calworker-restore-") {
            let path = (spool as NSString).appendingPathComponent(name)
            if let modified = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date, modified < cutoff {
                try? FileManager.default.removeItem(atPath: path)
            }
        }
        guard let scratch = try? db.query("SELECT datname FROM pg_database WHERE datname LIKE 'calworker\\_verify\\_%'") else { return }
        for row in scratch {
            guard let name: String = try? row.decode(at: 0), name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else { continue }
            let stamp = String(name.dropFirst("calworker_verify_".count).prefix(16)).uppercased()
            guard let made = BackupID.date(of: stamp), made < cutoff else { continue }
            // The name was checked to be letters, digits and underscores: safe as an identifier.
            _ = try? db.execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
        }
    }
}
