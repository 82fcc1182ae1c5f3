import Foundation
import TestSupport
import Testing

/// The backup job and command the way cron and operators use them: through the binary.
@Suite struct BackupCommandTests {
    @Test func runWorkListAndMetricsTellTheSameStory() throws {
        let fixture = try BackupFixture()
        let environment = [
            "CALWORKER_BACKUP_KEY": BackupFixture.keyBase64, "CALWORKER_MEDIA_ROOT": fixture.root,
            "CALWORKER_BACKUP_TARGET": fixture.target, "CALWORKER_BACKUP_SPOOL": fixture.root + "/spool",
        ]
        func calworker(_ arguments: String...) throws -> (status: Int32, stdout: String, stderr: String) {
            try CalworkerProcess.run(arguments, databaseURL: fixture.database.url, environment: environment)
        }
        let before = try calworker("metrics")
        #expect(
            before.status == 0 && !before.stdout.split(separator: "\n").contains { $0.hasPrefix("calworker_backup_last_verified_age_seconds") },
            "no verified backup yet: no sample")
        #expect(try calworker("backup", "latest").status == 5)
        let enqueued = try calworker("backup", "run")
        #expect(enqueued.status == 0 && enqueued.stdout.contains("enqueued backup to \(fixture.target)"), "\(enqueued)")
        #expect(try calworker("backup", "run").stdout.contains("already queued"), "the unique key stops a second one")
        let worked = try calworker("work", "--once")
        #expect(worked.status == 0, "\(worked.stderr)")
        let runs = try calworker("runs", "--kind", "backup", "--json")
        let records = try JSONSerialization.jsonObject(with: Data(runs.stdout.utf8)) as? [[String: Any]] ?? []
        #expect(
            records.first?["outcome"] as? String == "completed" && (records.first?["figures"] as? [String: Any])?["verified"] as? Int == 1,
            "\(runs.stdout)")
        let listed = try calworker("backup", "list", "--json")
        let backups = try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]] ?? []
        #expect(backups.count == 1 && backups.first?["status"] as? String == "verified", "\(listed.stdout)")
        let id = backups.first?["id"] as? String ?? "?"
        #expect(try calworker("backup", "latest").stdout.trimmingCharacters(in: .whitespacesAndNewlines) == id)
        #expect(try calworker("backup", "list").stdout.contains(id))
        let after = try calworker("metrics")
        let line = after.stdout.split(separator: "\n").first { $0.hasPrefix("calworker_backup_last_verified_age_seconds ") }
        let age: Double? = line.flatMap { Double(String($0.split(separator: " ")[1])) }
        #expect((age ?? .infinity) < 600, "the age is small and finite: \(String(describing: line))")
    }

    /// One backup per target at a time, whoever enqueues it: cron's definition (the target from
    /// the configuration, or written without its slash) and `backup run` share one unique key.
    /// Before, they keyed `backup:<as written>` and `backup:<prefix/>`, and ran at once.
    @Test func cronAndTheCommandShareOneBackupPerTarget() throws {
        let fixture = try BackupFixture()
        let unslashed = fixture.target.hasSuffix("/") ? String(fixture.target.dropLast()) : fixture.target
        let environment = [
            "CALWORKER_BACKUP_KEY": BackupFixture.keyBase64, "CALWORKER_MEDIA_ROOT": fixture.root,
            "CALWORKER_BACKUP_TARGET": unslashed, "CALWORKER_BACKUP_SPOOL": fixture.root + "/spool",
        ]
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cw-bkjobs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let definitions = [
            "configured.json": #"{"kind": "backup", "args": {"keep_daily": 7}}"#,
            "written.json": #"{"kind": "backup", "args": {"target": "\#(unslashed)"}}"#,
        ]
        var ids: [Int] = []
        for (name, text) in definitions.sorted(by: { $0.key < $1.key }) {
            try text.write(to: folder.appendingPathComponent(name), atomically: true, encoding: .utf8)
            let run = try CalworkerProcess.run(
                ["enqueue", "--file", folder.appendingPathComponent(name).path, "--json"],
                databaseURL: fixture.database.url, environment: environment)
            #expect(run.status == 0, "\(run.stderr)")
            ids.append((try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])?["id"] as? Int ?? -1)
        }
        let command = try CalworkerProcess.run(
            ["backup", "run", "--target", fixture.target.hasSuffix("/") ? fixture.target : fixture.target + "/", "--json"],
            databaseURL: fixture.database.url, environment: environment)
        ids.append((try JSONSerialization.jsonObject(with: Data(command.stdout.utf8)) as? [String: Any])?["job"] as? Int ?? -2)
        #expect(Set(ids).count == 1, "three enqueues of one target made jobs \(ids)")
    }

    @Test func operatorMistakesGetClearErrorsAndExitCodes() throws {
        let fixture = try BackupFixture()
        let base = ["CALWORKER_MEDIA_ROOT": fixture.root, "CALWORKER_BACKUP_SPOOL": fixture.root + "/spool"]
        func calworker(_ arguments: [String], _ extra: [String: String] = [:]) throws -> (status: Int32, stdout: String, stderr: String) {
            try CalworkerProcess.run(arguments, databaseURL: fixture.database.url, environment: base.merging(extra) { $1 })
        }
        let noTarget = try calworker(["backup", "list"])
        #expect(noTarget.status == 2 && noTarget.stderr.contains("CALWORKER_BACKUP_TARGET"))
        let badKey = try calworker(["backup", "list", "--target", fixture.target], ["CALWORKER_BACKUP_KEY": "short"])
        #expect(badKey.status == 3 && badKey.stderr.contains("openssl rand -base64 32"))
        let missing = try calworker(["backup", "verify", "20261201T020000Z-0000", "--target", fixture.target])
        #expect(missing.status == 5 && missing.stderr.contains("calworker backup list"))
        let notAnID = try calworker(["backup", "restore", "yesterday", "--into", "dbname=x", "--target", fixture.target])
        #expect(notAnID.status == 2)
        let noInto = try calworker(["backup", "restore", "20261201T020000Z-0000", "--target", fixture.target])
        #expect(noInto.status == 2 && noInto.stderr.contains("--into"))
        let http = try calworker(["backup", "list", "--target", "https://example.com/backups/"])
        #expect(http.status == 2 && http.stderr.contains("read-only"))
        let help = try calworker(["backup", "--help"])
        #expect(help.status == 0 && help.stdout.contains("restore ID --into DBURL"))
        let badArgs = try calworker(["enqueue", "backup", "--args", #"{"keep_daily": -1}"#])
        #expect(badArgs.status == 2 && badArgs.stderr.contains("keep_daily"))
        let typo = try calworker(["enqueue", "backup", "--args", #"{"tagret": "s3://b-1/x/"}"#])
        #expect(typo.status == 2 && typo.stderr.contains("unknown argument 'tagret'"))
    }
}
