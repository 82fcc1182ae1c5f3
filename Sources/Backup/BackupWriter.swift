import Basics
import Crypto
import Foundation
import Media
import Postgres

/// Makes one backup: `pg_dump -Fc` of the database at an exported snapshot, streamed through
/// SHA-256 and `SealedStreamWriter` into a spool file (never the whole dump in memory), then
/// uploaded as `<prefix><id>/dump.cwbk`. The row counts of every table are taken in the same
/// snapshot, so a restore can be checked against them exactly. The manifest is the caller's
/// to write, after verification: until it exists the backup does not count.
struct BackupWriter {
    let settings: BackupSettings
    let stores: MediaStores
    let shouldAbort: @Sendable () -> Bool
    let progress: (@Sendable ([String: String]) -> Void)?

    struct Result {
        var manifest: BackupManifest
        var dumpDuration: Duration
        var uploadDuration: Duration
    }

    func run(_ db: PostgresConnection, prefix: MediaLocation, now: Date = Date()) throws -> Result {
        guard let key = settings.key else {
            throw BackupError(
                .invalid,
                "no backup key: set CALWORKER_BACKUP_KEY (or _FILE) to base64 of 32 random bytes "
                    + "(openssl rand -base64 32), and keep a copy away from the backups")
        }
        let id = BackupID.make(at: now)
        let started = ContinuousClock.now
        // The snapshot the dump and the counts share; the transaction stays open until pg_dump is done.
        let session = try db.openSibling(timeouts: db.timeouts.statement(BackupSettings.statementLimit))
        defer { session.close() }
        try session.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        let facts = try session.query("SELECT pg_export_snapshot(), current_database(), current_setting('server_version')")[0]
        let snapshot: String = try facts.decode(at: 0)
        let counts = try DatabaseFacts.rowCounts(on: session)
        let tools = PostgresTools(settings: settings)
        let spool = try SpoolFile(directory: settings.spoolDirectory, name: "calworker-backup-\(id).cwbk")
        let writer = try SealedStreamWriter(key: key) { try spool.write($0) }
        let dump = try tools.startDump(of: try session.parameters(), snapshot: snapshot)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        var lastReport = ContinuousClock.now
        while true {
            if shouldAbort() {
                dump.terminate()
                throw BackupError(.failed, "backup \(id) stopped: the job was asked to stop")
            }
            let count = try dump.read(into: buffer)
            if count == 0 { break }
            try writer.write(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
            if ContinuousClock.now - lastReport > .seconds(5) {
                progress?(["backup_id": id, "dump_bytes": String(writer.plaintextBytes)])
                lastReport = .now
            }
        }
        let status = dump.wait()
        guard status == 0 else {
            let hint = dump.errorOutput.contains("permission denied") ? " (\(BackupSettings.permissionHint))" : ""
            throw BackupError(.failed, "pg_dump exited with status \(status): \(dump.errorOutput)\(hint)")
        }
        try writer.finish()
        try session.execute("COMMIT")
        let dumped = ContinuousClock.now
        let folder = try Self.folder(prefix, id)
        try stores.upload(
            try Self.object(folder, "dump.cwbk"), file: spool.path, sha256: writer.ciphertextHash.hex,
            contentType: "application/octet-stream")
        let uploaded = ContinuousClock.now
        let manifest = BackupManifest(
            id: id, createdAt: now.wholeSeconds, finishedAt: Date().wholeSeconds, durationMS: Int((uploaded - started).wholeMilliseconds),
            database: try facts.decode(at: 1),
            serverVersion: try facts.decode(at: 2), pgDumpVersion: tools.version("pg_dump"), keyID: key.id,
            chunkSize: SealedStream.defaultChunkSize, object: "dump.cwbk", plaintextBytes: writer.plaintextBytes,
            plaintextSHA256: writer.plaintextHash.hex, ciphertextBytes: writer.ciphertextBytes, ciphertextSHA256: writer.ciphertextHash.hex,
            rowCounts: counts, verification: nil)
        return Result(manifest: manifest, dumpDuration: dumped - started, uploadDuration: uploaded - dumped)
    }

    /// `<prefix><id>/`: a backup's folder.
    static func folder(_ prefix: MediaLocation, _ id: String) throws(BackupError) -> MediaLocation {
        try object(prefix, id + "/")
    }

    static func object(_ folder: MediaLocation, _ name: String) throws(BackupError) -> MediaLocation {
        switch folder {
        case .s3(let bucket, let key): return .s3(bucket: bucket, key: key + name)
        case .file(let path): return .file(path: path + name)
        case .http: throw BackupError(.invalid, "\(folder): backups need a writable target, s3:// or file://")
        }
    }
}

extension Date {
    /// Manifests keep whole seconds (ISO 8601 as JSON writes it), so a manifest read back
    /// equals the one written.
    var wholeSeconds: Date { Date(timeIntervalSince1970: timeIntervalSince1970.rounded(.down)) }
}
