import Backup
import Foundation
import Postgres
import TestSupport
import Testing

/// `runbooks/restore.md` followed to the letter: its `sh` blocks are run as written, by a shell,
/// with the environment its first step sets up, against a real backup.
@Suite struct RestoreRunbookTests {
    static func runbookScript() throws -> String {
        let text = try String(contentsOf: TestEnvironment.packageRoot.appendingPathComponent("runbooks/restore.md"), encoding: .utf8)
        var script: [String] = []
        var inside = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("```") {
                inside = line == "```sh"
                continue
            }
            if inside { script.append(String(line)) }
        }
        return script.joined(separator: "\n")
    }

    @Test func theRestoreRunbookWorksAsWritten() throws {
        let fixture = try BackupFixture()
        let made = try fixture.backup().manifest
        let script = try Self.runbookScript()
        #expect(script.contains("calworker backup restore"), "the runbook's commands were found")
        let restoreDB = "cw_runbook_" + UUID().uuidString.prefix(8).lowercased()
        defer {
            if let admin = try? PostgresConnection.connect(TestEnvironment.adminURL) {
                _ = try? admin.execute("DROP DATABASE IF EXISTS \(restoreDB) WITH (FORCE)")
            }
        }
        var environment = ProcessInfo.processInfo.environment
        let binaries = URL(fileURLWithPath: TestEnvironment.calworkerBinary).deletingLastPathComponent().path
        environment["PATH"] = binaries + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        environment["CALWORKER_BACKUP_KEY"] = BackupFixture.keyBase64
        environment["CALWORKER_BACKUP_TARGET"] = fixture.target
        environment["CALWORKER_MEDIA_ROOT"] = fixture.root
        environment["CALWORKER_BACKUP_SPOOL"] = fixture.root + "/spool"
        environment["CALWORKER_DATABASE_URL"] = fixture.database.url
        environment["RESTORE_SERVER_URL"] = TestEnvironment.adminURL
        environment["RESTORE_DB"] = restoreDB
        let base = fixture.root + "/runbook"
        let shell = try ChildProcess(
            executable: "/bin/sh", arguments: ["-e", "-x", "-c", script], environment: environment,
            stdout: base + ".out", stderr: base + ".err")
        let status = shell.wait(timeout: 180)
        let output = ((try? String(contentsOfFile: base + ".out", encoding: .utf8)) ?? "")
        let trace = ((try? String(contentsOfFile: base + ".err", encoding: .utf8)) ?? "")
        #expect(status == 0, "the runbook failed:\n\(output)\n\(trace)")
        #expect(output.contains(made.id) && output.contains("verified"), "backup list and verify: \(output)")
        #expect(output.contains("restored backup \(made.id)") && output.contains("every count as recorded"))
        let restored = try PostgresConnection.connect(TestEnvironment.adminURL + " dbname=\(restoreDB)")
        defer { restored.close() }
        #expect(try BackupFixture.contents(of: restored) == BackupFixture.contents(of: fixture.db), "the restored data is the original's")
    }
}
