import Backup
import Foundation
import JobQueue
import Postgres
import TestSupport
import Testing

/// `calworker work` SIGKILLed at points all through a backup: nothing half-made ever counts as
/// a backup, and the next run finishes one and clears what the killed ones left.
@Suite struct BackupKillTests {
    @Test func aBackupKilledAtAnyPointLeavesNoHalfBackupCounted() throws {
        let fixture = try BackupFixture(bigTable: true)
        let environment = [
            "CALWORKER_BACKUP_KEY": BackupFixture.keyBase64, "CALWORKER_MEDIA_ROOT": fixture.root,
            "CALWORKER_BACKUP_TARGET": fixture.target, "CALWORKER_BACKUP_SPOOL": fixture.root + "/spool",
            "CALWORKER_LEASE": "1s", "CALWORKER_RETRY_BASE": "10ms", "CALWORKER_LOG_FORMAT": "text",
        ]
        _ = try JobQueue().enqueue(NewJob(kind: "backup", args: "{}", maxAttempts: 50), on: fixture.db)
        var generator = SystemRandomNumberGenerator()
        func state() throws -> String { try fixture.db.query("SELECT state FROM \(EveryJob.sql) AS j WHERE kind = 'backup'")[0].decode(at: 0) }
        for round in 0..<6 {
            let worker = try CalworkerProcess(["work", "--once"], databaseURL: fixture.database.url, environment: environment)
            // Killed at a random point after the backup started: dumping, sealing, uploading,
            // verifying, or writing the manifest. The first kill comes early, so at least one
            // lands mid-backup however fast this machine is.
            _ = try eventually(timeout: 60) { try state() == "running" || !worker.isRunning }
            Thread.sleep(forTimeInterval: Double.random(in: 0.0...(round == 0 ? 0.2 : 1.5), using: &generator))
            worker.signal(SIGKILL)
            worker.wait(timeout: 10)
            for entry in try fixture.catalog.entries() where entry.manifest != nil {
                #expect(entry.manifest!.isVerified, "round \(round): a counted backup that was not verified: \(entry.id)")
            }
            if try state() == "completed" { break }
            Thread.sleep(forTimeInterval: 1.2)  // the lease runs out; the next worker rescues the job
        }
        // The next runs (a killed attempt's lease must run out first, then its retry be due).
        for _ in 0..<30 where try state() != "completed" {
            let next = try CalworkerProcess.run(["work", "--once"], databaseURL: fixture.database.url, environment: environment, timeout: 120)
            #expect(next.status == 0, "\(next.stderr)")
            Thread.sleep(forTimeInterval: 0.5)
        }
        let entries = try fixture.catalog.entries()
        #expect(
            !entries.isEmpty && entries.allSatisfy { $0.manifest?.isVerified == true },
            "after a finished run every backup left is complete and verified: \(entries.map { "\($0.id) \($0.manifest == nil ? "unfinished" : "ok")" })"
        )
        let outcome = try fixture.db.query("SELECT state FROM \(EveryJob.sql) AS j WHERE kind = 'backup'")
        #expect(try outcome[0].decode(String.self, at: 0) == "completed")
        let attempts = try fixture.db.query("SELECT outcome, count(*) FROM calworker.job_runs WHERE kind = 'backup' GROUP BY 1 ORDER BY 1")
            .map { "\(try $0.decode(String.self, at: 0))=\(try $0.decode(Int.self, at: 1))" }
        #expect(attempts.contains { $0.hasPrefix("lost=") }, "some runs were killed mid-backup: \(attempts)")
        // What a killed verification leaves on the server is removed by later runs once it is
        // older than any backup may take; here it is seconds old, so drop it ourselves: only
        // this test's own (named after its backups), never another test's running verification.
        for entry in try fixture.catalog.entries() {
            let name = "calworker_verify_" + entry.id.lowercased().filter { $0.isLetter || $0.isNumber }
            _ = try? fixture.db.execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
        }
    }
}
