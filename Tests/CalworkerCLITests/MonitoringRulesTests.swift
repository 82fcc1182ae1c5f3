import Foundation
import Postgres
import TestSupport
import Testing

/// The alerting rules shipped in `docker/prometheus/`: Prometheus' own tool checks and
/// unit-tests them, and every metric they name is one calworker really exports.
@Suite struct MonitoringRulesTests {
    static let folder = TestEnvironment.packageRoot.appendingPathComponent("docker/prometheus").path

    func promtool(_ arguments: [String]) throws -> (status: Int32?, output: String) {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("cw-rules-\(UUID().uuidString)").path
        defer { for suffix in [".out", ".err"] { try? FileManager.default.removeItem(atPath: base + suffix) } }
        let child = try ChildProcess(
            executable: "/bin/sh", arguments: ["-c", "cd '\(Self.folder)' && exec promtool \"$@\"", "promtool"] + arguments,
            environment: ProcessInfo.processInfo.environment, stdout: base + ".out", stderr: base + ".err")
        let status = child.wait(timeout: 120)
        return (
            status,
            ((try? String(contentsOfFile: base + ".out", encoding: .utf8)) ?? "")
                + ((try? String(contentsOfFile: base + ".err", encoding: .utf8)) ?? "")
        )
    }

    @Test func promtoolChecksTheRulesAndTheirUnitTestsPass() throws {
        let check = try promtool(["check", "rules", "calworker-rules.yml"])
        #expect(check.status == 0 && check.output.contains("SUCCESS"), "\(check.output)")
        let test = try promtool(["test", "rules", "calworker-rules.test.yml"])
        #expect(test.status == 0 && test.output.contains("SUCCESS"), "\(test.output)")
    }

    @Test func everyMetricTheRulesNameIsOneCalworkerExports() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let db = try database.connect()
        // What it takes for every family to have a sample: an account that synced, a verified backup.
        try db.execute(
            """
            INSERT INTO calworker.accounts (email, owner, key_id, refresh_token, last_synced_at) VALUES ('a@example.com', 'o', 'k', '\\x00', now())
            """)
        try db.execute(
            """
            INSERT INTO calworker.job_runs (job_id, attempt, kind, queue, worker_id, started_at, finished_at, outcome, duration_ms, figures)
            VALUES (1, 1, 'backup', 'default', 'w', now(), now(), 'completed', 1, '{"verified": 1}')
            """)
        let run = try CalworkerProcess.run(["metrics"], databaseURL: database.url)
        #expect(run.status == 0, "\(run.stderr)")
        let exported = Set(run.stdout.matches(of: #/# TYPE (calworker_[a-z_]+) /#).map { String($0.1) })
        let rules = try String(contentsOfFile: Self.folder + "/calworker-rules.yml", encoding: .utf8)
        let named = Set(rules.matches(of: /calworker_[a-z_]+/).map { String($0.0) })
        #expect(!named.isEmpty && named.isSubset(of: exported), "named by the rules but not exported: \(named.subtracting(exported).sorted())")
        let tests = try String(contentsOfFile: Self.folder + "/calworker-rules.test.yml", encoding: .utf8)
        let fed = Set(tests.matches(of: /series: '(calworker_[a-z_]+)\{/).map { String($0.1) })
        #expect(fed.isSubset(of: exported), "the rule tests feed series calworker does not export: \(fed.subtracting(exported).sorted())")
        for label in tests.matches(of: /failures="([^"]+)"/).map({ String($0.1) }) {
            #expect(run.stdout.contains("failures=\"\(label)\""), "bucket \(label) as calworker writes it")
        }
    }
}
