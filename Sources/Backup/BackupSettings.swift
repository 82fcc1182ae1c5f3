public import Crypto
import Foundation
public import Media

/// What backups need beyond the media store: the key, where to spool, PostgreSQL's tools.
public struct BackupSettings: Sendable {
    /// Seals new backups (`CALWORKER_BACKUP_KEY`); nil refuses to back up.
    public var key: SecretKey?
    /// Keys of older backups, still accepted when verifying and restoring them.
    public var previousKeys: [SecretKey] = []
    /// Which configured key is unusable (not base64 of 32 bytes), if one is: commands that
    /// back up or restore refuse to run and say so; the rest of calworker works without them.
    public var keyProblem: String?
    /// The default target prefix (`CALWORKER_BACKUP_TARGET`), e.g. `s3://backups/calworker/`.
    public var target: String?
    /// Where the sealed dump and a restore's plaintext wait on disk. Default: the temporary folder.
    public var spoolDirectory = NSTemporaryDirectory()
    /// The folder holding pg_dump and pg_restore; nil finds the newest PostgreSQL installed
    /// (`/usr/lib/postgresql/N/bin`), else the PATH.
    public var toolsDirectory: String?
    /// pg_restore's parallel jobs for verification and restores.
    public var restoreJobs = max(1, min(4, ProcessInfo.processInfo.activeProcessorCount))
    public var media = MediaSettings()
    /// The connection backups are made and verified with (`CALWORKER_BACKUP_DATABASE_URL`):
    /// a role that reads every table and may create databases, when workers run as one that
    /// may not. Nil: the caller's connection.
    public var databaseURL: String?
    /// The statement limit of a backup's own sessions: counting every row of a large database
    /// takes longer than a worker's usual minute. Six hours.
    public static let statementLimit: Duration = .seconds(6 * 3600)

    public init(key: SecretKey? = nil, previousKeys: [SecretKey] = [], target: String? = nil, media: MediaSettings = MediaSettings()) {
        self.key = key
        self.previousKeys = previousKeys
        self.target = target
        self.media = media
    }

    /// Every key that may open a backup.
    var allKeys: [SecretKey] { (key.map { [$0] } ?? []) + previousKeys }

    /// The path of a PostgreSQL client program.
    func tool(_ name: String) -> String {
        if let toolsDirectory { return toolsDirectory + "/" + name }
        let root = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).compactMap(Int.init).sorted()
        if let newest = versions.last, FileManager.default.isExecutableFile(atPath: "\(root)/\(newest)/bin/\(name)") {
            return "\(root)/\(newest)/bin/\(name)"
        }
        return name
    }
}
