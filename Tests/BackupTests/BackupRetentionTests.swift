import Backup
import Foundation
import Media
import Testing

/// Retention over a simulated month, in a real store: thirty nightly backups, one that failed
/// verification and one a killed run left unfinished, then tonight's real backup.
@Suite struct BackupRetentionTests {
    static func id(_ date: Date, _ suffix: String) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter.string(from: date) + "-" + suffix
    }

    /// A manifest as a finished backup writes it (the dump beside it is a stand-in).
    static func manifest(id: String, at date: Date, verified: Bool) -> Data {
        let stamp = ISO8601DateFormatter().string(from: date)
        return Data(
            """
            {"format": "calworker-backup/1", "id": "\(id)", "created_at": "\(stamp)", "finished_at": "\(stamp)", "duration_ms": 1000,
             "database": "calworker", "server_version": "15", "pg_dump_version": "pg_dump (PostgreSQL) 15", "key_id": "0000000000000000",
             "chunk_size": 1048576, "object": "dump.cwbk", "plaintext_bytes": 1, "plaintext_sha256": "x", "ciphertext_bytes": 1,
             "ciphertext_sha256": "y", "row_counts": {},
             "verification": {"status": "\(verified ? "verified" : "failed")", "at": "\(stamp)", "duration_ms": 10}}
            """.utf8)
    }

    @Test func aSimulatedMonthKeepsWhatThePolicySaysAndNothingNewerIsLost() throws {
        let fixture = try BackupFixture()
        let tonight = Date()
        var ids: [Int: String] = [:]
        for daysAgo in 1...30 {
            let date = tonight.addingTimeInterval(-Double(daysAgo) * 86_400)
            let id = Self.id(date, String(format: "%04x", daysAgo))
            ids[daysAgo] = id
            let folder = try MediaLocation("file://\(fixture.root)/backups/\(id)/")
            try fixture.stores.put(folder.sibling("dump.cwbk")!, data: Data("stand-in".utf8), contentType: "application/octet-stream")
            try fixture.stores.put(
                folder.sibling("manifest.json")!, data: Self.manifest(id: id, at: date, verified: daysAgo != 2),
                contentType: "application/json")
        }
        // A run killed twelve days ago before writing its manifest.
        let unfinished = Self.id(tonight.addingTimeInterval(-12 * 86_400 + 60), "dead")
        try fixture.stores.put(
            try MediaLocation("file://\(fixture.root)/backups/\(unfinished)/dump.cwbk"), data: Data("half".utf8),
            contentType: "application/octet-stream")
        #expect(try fixture.catalog.entries().count == 31)

        let outcome = try fixture.backup(now: tonight, policy: RetentionPolicy(daily: 7, weekly: 4, monthly: 6))
        #expect(outcome.manifest.isVerified)
        let remaining = Set(try fixture.catalog.entries().map(\.id))
        let expected = RetentionPolicy(daily: 7, weekly: 4, monthly: 6).expired(
            (1...30).map { RetentionPolicy.Backup(id: ids[$0]!, createdAt: tonight.addingTimeInterval(-Double($0) * 86_400), verified: $0 != 2) }
                + [RetentionPolicy.Backup(id: outcome.manifest.id, createdAt: outcome.manifest.createdAt, verified: true)])
        #expect(remaining.contains(outcome.manifest.id), "tonight's verified backup stays")
        #expect(!remaining.contains(unfinished), "the unfinished run's leftovers are gone")
        #expect(!remaining.contains(ids[2]!), "the failed backup went once a newer one was verified")
        #expect(remaining == Set(([outcome.manifest.id] + (1...30).map { ids[$0]! }).filter { !expected.contains($0) }))
        // Six daily (tonight plus five: day 2 failed), plus the weeks and the month before.
        #expect(remaining.count >= 7 && remaining.count <= 12, "\(remaining.count) kept: \(remaining.sorted())")
        #expect(outcome.figures["retention_deleted"] == Double(31 - remaining.count + 1))
        // Nothing half-deleted: every remaining folder still has its manifest and its dump.
        for entry in try fixture.catalog.entries() {
            #expect(entry.manifest != nil && entry.objects.count == 2, "\(entry.id)")
        }
    }
}
