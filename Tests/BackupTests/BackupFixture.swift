import Backup
import Crypto
import Foundation
import JobQueue
import Media
import Metrics
import Postgres
import TestSupport

/// A test database with data worth backing up, a backup key, and a target under a temporary
/// media root (or in moto's S3).
final class BackupFixture {
    let database: TestDatabase
    let db: PostgresConnection
    let root: String
    var settings: BackupSettings
    let stores: MediaStores
    let target: String

    static let key = try! SecretKey(base64: Data((0..<32).map { UInt8(truncatingIfNeeded: $0 &* 11 &+ 5) }).base64EncodedString())
    static let keyBase64 = Data((0..<32).map { UInt8(truncatingIfNeeded: $0 &* 11 &+ 5) }).base64EncodedString()

    /// - Parameter bigRows: rows of `app.blobs` when `bigTable` (90,000 make about 4 MB of dump).
    init(s3: Bool = false, bigTable: Bool = false, bigRows: Int = 90_000, s3PartSize: Int64? = nil) throws {
        database = try TestDatabase.make()
        db = try database.connect()
        root = FileManager.default.temporaryDirectory.appendingPathComponent("cw-backup-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root + "/spool", withIntermediateDirectories: true)
        var media = MediaSettings(mediaRoot: root)
        if s3 {
            let moto = try MotoServer.shared()
            media.s3Endpoint = moto.endpoint
            media.s3Region = moto.region
            media.s3AccessKeyID = moto.accessKeyID
            media.s3SecretAccessKey = moto.secretAccessKey
            if let s3PartSize { media.s3PartSize = s3PartSize }
            target = "s3://\(try moto.createBucket())/calworker/"
        } else {
            target = "file://\(root)/backups/"
        }
        settings = BackupSettings(key: Self.key, target: target, media: media)
        settings.spoolDirectory = root + "/spool"
        stores = MediaStores(settings: media, metrics: MetricsRegistry())
        try seed(bigTable: bigTable, bigRows: bigRows)
    }

    deinit {
        database.drop()
        try? FileManager.default.removeItem(atPath: root)
    }

    /// The platform's kind of data: several types, a schema of its own, and calworker's tables.
    func seed(bigTable: Bool, bigRows: Int = 90_000) throws {
        try db.execute("CREATE SCHEMA app")
        try db.execute(
            """
            CREATE TABLE app.shifts (id bigserial PRIMARY KEY, title text NOT NULL, starts timestamptz NOT NULL,
                                     tags text[], details jsonb, pay numeric(10, 2))
            """)
        try db.execute(
            """
            INSERT INTO app.shifts (title, starts, tags, details, pay)
            SELECT 'Shift ' || g || ' — Früh', timestamptz '2026-11-01 06:00+01' + g * interval '1 hour', ARRAY['a', 'b' || g],
                   jsonb_build_object('n', g, 'note', repeat('x', g % 50)), g * 1.25
              FROM generate_series(1, 2000) g
            """)
        try JobQueue().enqueueMany((0..<25).map { NewJob(kind: "noop", args: #"{"sleep_ms": \#($0)}"#) }, on: db)
        if bigTable {
            // About 4 MB after pg_dump's compression per 90,000 rows: several 1 MiB chunks.
            try db.execute("CREATE TABLE app.blobs (id int PRIMARY KEY, body text)")
            try db.execute(
                "INSERT INTO app.blobs SELECT g, md5(g::text) || md5((g * 7)::text) || md5(random()::text) FROM generate_series(1, $1) g", [bigRows])
        }
    }

    var catalog: BackupCatalog { try! BackupCatalog(stores: stores, target: target) }

    func backup(now: Date = Date(), policy: RetentionPolicy = RetentionPolicy()) throws -> BackupRun.Outcome {
        try BackupRun(settings: settings, stores: stores, catalog: catalog, shouldAbort: { false }).run(on: db, policy: policy, now: now)
    }

    /// A new empty database on the same server, for restores.
    func emptyDatabase() throws -> TestDatabase {
        let empty = try TestDatabase.makeEmpty()
        return empty
    }

    /// Every table's content as a digest, to compare an original with its restored copy.
    static func contents(of db: PostgresConnection) throws -> [String: String] {
        let rows = try db.query(
            """
            SELECT n.nspname || '.' || c.relname,
                   (xpath('/row/d/text()', query_to_xml(format('SELECT md5(coalesce(string_agg(t::text, %L ORDER BY t::text), %L)) AS d FROM %I.%I t',
                                                               '|', '', n.nspname, c.relname), false, true, '')))[1]::text
              FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
            """)
        var digests: [String: String] = [:]
        for row in rows { digests[try row.decode(String.self, at: 0)] = try row.decode(String.self, at: 1) }
        return digests
    }

    /// The stored dump of a backup, as a file path under the media root (file targets).
    func dumpPath(_ id: String) -> String { root + "/backups/\(id)/dump.cwbk" }
}
