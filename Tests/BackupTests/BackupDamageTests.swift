import Backup
import Crypto
import Foundation
import Media
import Postgres
import TestSupport
import Testing

/// A stored backup changed in every way an operator could meet: each is refused, with a
/// message saying what is wrong, and a restore never touches its target.
@Suite struct BackupDamageTests {
    enum Damage: String, CaseIterable, CustomTestStringConvertible {
        case flippedByte, truncated, truncatedAtAChunk, reorderedChunks, otherBackupsDump, wrongKey
        var testDescription: String { rawValue }
    }

    static let frame = (1 << 20) + 33

    @Test(arguments: Damage.allCases)
    func aDamagedBackupFailsVerificationAndIsNeverRestored(_ damage: Damage) throws {
        let fixture = try BackupFixture(bigTable: true)
        let first = try fixture.backup().manifest
        #expect(first.isVerified && first.ciphertextBytes > 3 * Int64(Self.frame), "several chunks: \(first.ciphertextBytes) bytes")
        let path = fixture.dumpPath(first.id)
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        var settings = fixture.settings
        let expected: String
        switch damage {
        case .flippedByte:
            bytes[bytes.count / 2] ^= 0x10
            expected = "does not authenticate"
        case .truncated:
            bytes.removeLast(1000)
            expected = "truncated"
        case .truncatedAtAChunk:
            bytes = Array(bytes.prefix(48 + 2 * Self.frame))
            expected = "truncated"
        case .reorderedChunks:
            let one = Array(bytes[(48 + Self.frame)..<(48 + 2 * Self.frame)])
            let two = Array(bytes[(48 + 2 * Self.frame)..<(48 + 3 * Self.frame)])
            bytes.replaceSubrange((48 + Self.frame)..<(48 + 3 * Self.frame), with: two + one)
            expected = "chunk 1 does not authenticate"
        case .otherBackupsDump:
            // A perfectly good dump, sealed with the same key, but not the one the manifest names.
            // Two days later, so daily retention keeps the first as well.
            let second = try fixture.backup(now: Date().addingTimeInterval(2 * 86_400)).manifest
            bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: fixture.dumpPath(second.id))))
            expected = "not the one the manifest describes"
        case .wrongKey:
            settings.key = try SecretKey(base64: Data(repeating: 42, count: 32).base64EncodedString())
            expected = "sealed with key \(BackupFixture.key.id)"
        }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let entry = try fixture.catalog.entry(first.id)

        let verification = try BackupVerifier.make(settings: settings, stores: fixture.stores).verify(
            entry.manifest!, in: entry.folder, db: fixture.db)
        #expect(verification.status == .failed)
        #expect(verification.error?.contains(expected) == true, "\(damage): \(verification.error ?? "verified")")

        let target = try TestDatabase.makeEmpty()
        defer { target.drop() }
        do {
            _ = try BackupRestorer(settings: settings, stores: fixture.stores).restore(
                entry.manifest!, in: entry.folder, into: target.url, force: false)
            Issue.record("\(damage): a damaged backup was restored")
        } catch let error as BackupError {
            #expect(error.kind == .verificationFailed && error.message.contains(expected), "\(error)")
        }
        let tables = try target.connect().query(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname IN ('app', 'calworker')")
        #expect(try tables[0].decode(Int.self, at: 0) == 0, "pg_restore never ran on the target")
        let scratchName = "calworker_verify_" + first.id.lowercased().filter { $0.isLetter || $0.isNumber }
        let scratch = try fixture.db.query("SELECT count(*) FROM pg_database WHERE datname = $1", [scratchName])
        #expect(try scratch[0].decode(Int.self, at: 0) == 0, "no scratch database left behind")
    }

    @Test func aDumpThatRestoresToOtherCountsFailsVerification() throws {
        let fixture = try BackupFixture()
        var manifest = try fixture.backup().manifest
        // The manifest claims a row the dump does not have (as if pg_dump had missed one).
        manifest.rowCounts["app.shifts"] = 2001
        try fixture.catalog.save(manifest)
        let entry = try fixture.catalog.entry(manifest.id)
        let verification = try BackupVerifier.make(settings: fixture.settings, stores: fixture.stores).verify(
            entry.manifest!, in: entry.folder, db: fixture.db)
        #expect(
            verification.status == .failed && verification.error?.contains("app.shifts: 2001 in the backup, 2000 restored") == true,
            "\(verification.error ?? "verified")")
    }
}
