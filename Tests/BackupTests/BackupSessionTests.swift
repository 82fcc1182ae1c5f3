import Foundation
import Postgres
import TestSupport
import Testing

/// The deployment's three roles end to end, through the binary: `migrate` as the owner grants
/// the worker's role; a worker on that role runs cleanup and backups; pg_dump and the
/// verification's scratch database need the backup role, and without it the job says so.
@Suite struct BackupSessionTests {
    @Test func aWorkerOnTheLeastPrivilegeRoleBacksUpThroughTheBackupRole() throws {
        let roles = try DatabaseRoles()
        defer { roles.drop() }
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("cw-roles-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root + "/spool", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let base = ["CALWORKER_BACKUP_KEY": BackupFixture.keyBase64, "CALWORKER_MEDIA_ROOT": root, "CALWORKER_BACKUP_SPOOL": root + "/spool"]
        func calworker(_ arguments: [String], as role: String, _ extra: [String: String] = [:]) throws -> (
            status: Int32, stdout: String, stderr: String
        ) {
            try CalworkerProcess.run(arguments, databaseURL: roles.url(as: role), environment: base.merging(extra) { $1 })
        }

        let refused = try calworker(["migrate", "--worker-role", "cwr_nobody_here"], as: roles.owner)
        #expect(refused.status == 2 && refused.stderr.contains("does not exist") && refused.stderr.contains("nothing was migrated"), "\(refused)")
        let migrated = try calworker(["migrate", "--worker-role", roles.worker, "--json"], as: roles.owner)
        #expect(migrated.status == 0, "\(migrated.stderr)")
        let report = try JSONSerialization.jsonObject(with: Data(migrated.stdout.utf8)) as? [String: Any] ?? [:]
        #expect(report["worker_role"] as? String == roles.worker && (report["applied"] as? [Int])?.isEmpty == false, "\(migrated.stdout)")
        #expect(try calworker(["migrate", "--worker-role", roles.worker], as: roles.owner).stdout.contains("nothing to do"))
        // The platform's own table beside calworker's: the worker's role cannot read it.
        let owner = try roles.connect(as: roles.owner)
        defer { owner.close() }
        try owner.execute("CREATE TABLE public.bookings (id int PRIMARY KEY, note text)")
        try owner.execute("INSERT INTO public.bookings SELECT g, 'note ' || g FROM generate_series(1, 25) AS g")

        // Without a backup role: pg_dump is refused, and the job's error says what to set.
        let first = "file://\(root)/first/"
        #expect(try calworker(["enqueue", "backup", "--args", #"{"target": "\#(first)"}"#], as: roles.worker).status == 0)
        #expect(try calworker(["work", "--once"], as: roles.worker).status == 0)
        let failed = try calworker(["runs", "--kind", "backup", "--json"], as: roles.worker)
        let failedRecords = try JSONSerialization.jsonObject(with: Data(failed.stdout.utf8)) as? [[String: Any]] ?? []
        let error = failedRecords.first?["error"] as? String ?? ""
        #expect(
            failedRecords.first?["outcome"] as? String == "failed" && error.contains("permission denied")
                && error.contains("CALWORKER_BACKUP_DATABASE_URL"), "\(failed.stdout)")

        // With it: cleanup (partitions made with the owner's rights) and a verified backup.
        let backupRole = ["CALWORKER_BACKUP_DATABASE_URL": roles.url(as: roles.backup)]
        let second = "file://\(root)/second/"
        #expect(try calworker(["enqueue", "backup", "--args", #"{"target": "\#(second)"}"#], as: roles.worker).status == 0)
        #expect(try calworker(["enqueue", "cleanup"], as: roles.worker).status == 0)
        let worked = try calworker(["work", "--once"], as: roles.worker, backupRole)
        #expect(worked.status == 0, "\(worked.stderr)")
        let runs = try calworker(["runs", "--json"], as: roles.worker)
        let records = try JSONSerialization.jsonObject(with: Data(runs.stdout.utf8)) as? [[String: Any]] ?? []
        let cleanup = records.first { $0["kind"] as? String == "cleanup" }
        #expect(cleanup?["outcome"] as? String == "completed", "\(runs.stdout)")
        let backup = records.first { $0["kind"] as? String == "backup" && $0["outcome"] as? String == "completed" }
        #expect((backup?["figures"] as? [String: Any])?["verified"] as? Int == 1, "\(runs.stdout)")
        let listed = try calworker(["backup", "list", "--target", second, "--json"], as: roles.worker)
        let backups = try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]] ?? []
        let id = try #require(backups.first?["id"] as? String, "\(listed)")
        // An operator's verify, as the worker's role with the backup role configured, restores it.
        let verified = try calworker(["backup", "verify", id, "--target", second], as: roles.worker, backupRole)
        #expect(verified.status == 0 && verified.stdout.contains("verified"), "\(verified)")
    }

    /// A backup role's URL that does not work: the job says which setting, and never its password.
    @Test func anUnusableBackupURLIsNamedAndItsPasswordNeverShown() throws {
        let fixture = try BackupFixture()
        let environment = [
            "CALWORKER_BACKUP_KEY": BackupFixture.keyBase64, "CALWORKER_MEDIA_ROOT": fixture.root,
            "CALWORKER_BACKUP_TARGET": fixture.target, "CALWORKER_BACKUP_SPOOL": fixture.root + "/spool",
            "CALWORKER_BACKUP_DATABASE_URL": "host=/nonexistent-socket-dir user=calworker_backup password=Backup-S3cret-77 dbname=nope",
            "CALWORKER_DATABASE_CONNECT_TIMEOUT": "2s",
        ]
        func calworker(_ arguments: String...) throws -> (status: Int32, stdout: String, stderr: String) {
            try CalworkerProcess.run(arguments, databaseURL: fixture.database.url, environment: environment)
        }
        #expect(try calworker("backup", "run").status == 0)
        let worked = try calworker("work", "--once")
        let runs = try calworker("runs", "--kind", "backup", "--json")
        let error = ((try JSONSerialization.jsonObject(with: Data(runs.stdout.utf8)) as? [[String: Any]])?.first?["error"] as? String) ?? ""
        #expect(error.contains("CALWORKER_BACKUP_DATABASE_URL"), "\(runs.stdout)")
        #expect(!(worked.stderr + runs.stdout + (try calworker("config").stdout)).contains("Backup-S3cret-77"), "the password is never shown")
    }
}
