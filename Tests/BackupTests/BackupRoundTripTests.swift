import Backup
import Crypto
import Foundation
import Media
import Postgres
import TestSupport
import Testing

@Suite struct BackupRoundTripTests {
    @Test(arguments: [false, true])
    func aBackupIsVerifiedAndRestoresToTheSameData(s3: Bool) throws {
        let fixture = try BackupFixture(s3: s3)
        let outcome = try fixture.backup()
        let manifest = outcome.manifest
        #expect(manifest.isVerified, "\(manifest.verification?.error ?? "")")
        #expect(manifest.rowCounts["app.shifts"] == 2000 && manifest.rowCounts["calworker.jobs"] == 25)
        #expect(manifest.keyID == BackupFixture.key.id && manifest.serverVersion.hasPrefix("1") && manifest.pgDumpVersion.contains("pg_dump"))
        #expect(outcome.figures["verified"] == 1 && outcome.figures["backup_bytes"] == Double(manifest.ciphertextBytes))
        let listed = try fixture.catalog.entries()
        #expect(listed.map(\.id) == [manifest.id] && listed[0].manifest == manifest, "the manifest in the store is the run's")

        let empty = try TestDatabase.makeEmpty()
        defer { empty.drop() }
        let report = try BackupRestorer(settings: fixture.settings, stores: fixture.stores)
            .restore(manifest, in: listed[0].folder, into: empty.url, force: false)
        #expect(report.differences.isEmpty)
        let restored = try empty.connect()
        #expect(try BackupFixture.contents(of: restored) == BackupFixture.contents(of: fixture.db), "every table's content is equal")
        // The target now holds data: a second restore is refused unless forced.
        #expect {
            try BackupRestorer(settings: fixture.settings, stores: fixture.stores).restore(
                manifest, in: listed[0].folder, into: empty.url, force: false)
        } throws: { ($0 as? BackupError)?.kind == .targetNotEmpty }
        try restored.execute("UPDATE app.shifts SET title = 'changed after the backup'")
        _ = try BackupRestorer(settings: fixture.settings, stores: fixture.stores).restore(
            manifest, in: listed[0].folder, into: empty.url, force: true)
        #expect(try BackupFixture.contents(of: restored) == BackupFixture.contents(of: fixture.db), "--force puts the backup's data back")
    }

    /// Above one part (5 MiB here, 64 MiB by default) the dump goes to S3 as a multipart
    /// upload; it verifies and restores like any other.
    @Test func aBackupLargerThanOnePartIsUploadedInPartsAndRestores() throws {
        let fixture = try BackupFixture(s3: true, bigTable: true, bigRows: 250_000, s3PartSize: 5 << 20)
        let manifest = try fixture.backup().manifest
        #expect(manifest.isVerified, "\(manifest.verification?.error ?? "")")
        #expect(manifest.ciphertextBytes > 2 * (5 << 20), "larger than two parts: \(manifest.ciphertextBytes) bytes")
        let entry = try #require(try fixture.catalog.entries().first)
        let location = try #require(entry.folder.sibling("dump.cwbk"))
        let dump = try #require(try fixture.stores.head(location))
        #expect(dump.etag?.contains("-3\"") == true || dump.etag?.contains("-4\"") == true, "sent in parts: \(dump.etag ?? "no ETag")")
        let empty = try TestDatabase.makeEmpty()
        defer { empty.drop() }
        let report = try BackupRestorer(settings: fixture.settings, stores: fixture.stores).restore(
            manifest, in: entry.folder, into: empty.url, force: false)
        #expect(report.differences.isEmpty)
        #expect(try BackupFixture.contents(of: try empty.connect()) == BackupFixture.contents(of: fixture.db))
    }

    @Test func theStoredBackupRevealsNothingOfTheData() throws {
        let fixture = try BackupFixture()
        let manifest = try fixture.backup().manifest
        let stored = try Data(contentsOf: URL(fileURLWithPath: fixture.dumpPath(manifest.id)))
        #expect(stored.prefix(8) == Data("CWSEALED".utf8))
        for plain in ["Shift 1", "PGDMP", "shifts", "noop"] {
            #expect(stored.range(of: Data(plain.utf8)) == nil, "'\(plain)' appears in the sealed file")
        }
        let manifestText = try String(contentsOfFile: fixture.root + "/backups/\(manifest.id)/manifest.json", encoding: .utf8)
        #expect(!manifestText.contains(BackupFixture.keyBase64), "the key is never stored with the backup")
    }

    @Test func noKeyOrNoTargetIsACleanRefusal() throws {
        let fixture = try BackupFixture()
        var keyless = fixture.settings
        keyless.key = nil
        #expect {
            try BackupRun(settings: keyless, stores: fixture.stores, catalog: fixture.catalog, shouldAbort: { false })
                .run(on: fixture.db, policy: RetentionPolicy())
        } throws: { error in
            (error as? BackupError)?.kind == .invalid && "\(error)".contains("CALWORKER_BACKUP_KEY")
        }
        #expect(try fixture.catalog.entries().isEmpty)
        #expect(throws: BackupError.self) { try BackupCatalog(stores: fixture.stores, target: "https://example.com/backups/") }
    }
}
