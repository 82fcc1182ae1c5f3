import Foundation
import Postgres
import TestSupport
import Testing

/// The compose profile `monitoring` and the Grafana dashboard it provisions: parsed as their
/// tools read them, wired to each other, and naming only metrics calworker exports.
@Suite struct MonitoringDeploymentTests {
    static let docker = TestEnvironment.packageRoot.appendingPathComponent("docker").path

    /// A YAML file as JSON, read by PyYAML.
    func yaml(_ path: String) throws -> [String: Any] {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("cw-yaml-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        let child = try ChildProcess(
            executable: "/usr/bin/env",
            arguments: [
                "python3", "-c",
                """
                import json, sys, yaml
                json.dump(yaml.safe_load(open(sys.argv[1])), open(sys.argv[2], "w"))
                """, path, out,
            ], environment: ProcessInfo.processInfo.environment, stdout: out + ".log", stderr: out + ".err")
        #expect(child.wait(timeout: 60) == 0, "\(path) parses")
        return try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out))) as? [String: Any] ?? [:]
    }

    @Test func theMonitoringProfileRunsPrometheusWithTheRulesAndGrafanaWithTheDashboard() throws {
        let compose = try yaml(Self.docker + "/compose.yaml")
        let services = compose["services"] as? [String: [String: Any]] ?? [:]
        for name in ["prometheus", "grafana"] {
            #expect(services[name]?["profiles"] as? [String] == ["monitoring"], "\(name) only with --profile monitoring")
            for case let volume as String in services[name]?["volumes"] as? [Any] ?? [] where volume.hasPrefix("./") {
                let source = String(volume.split(separator: ":")[0].dropFirst(2))
                #expect(FileManager.default.fileExists(atPath: Self.docker + "/" + source), "\(name) mounts \(source), which exists")
            }
            #expect((services[name]?["ports"] as? [String])?.allSatisfy { $0.hasPrefix("127.0.0.1:") } == true, "\(name) binds to loopback")
        }
        let prometheus = try yaml(Self.docker + "/prometheus/prometheus.yml")
        let mounted = (services["prometheus"]?["volumes"] as? [String] ?? []).compactMap {
            $0.split(separator: ":").dropFirst().first.map(String.init)
        }
        for rules in prometheus["rule_files"] as? [String] ?? [] { #expect(mounted.contains(rules), "Prometheus loads \(rules), which is mounted") }
        let scrape = (prometheus["scrape_configs"] as? [[String: Any]])?.first?["dns_sd_configs"] as? [[String: Any]]
        let port = (services["worker"]?["command"] as? [String] ?? []).first { $0.hasPrefix("0.0.0.0:") }.map { String($0.dropFirst(8)) }
        #expect(
            scrape?.first?["names"] as? [String] == ["worker"] && (scrape?.first?["port"] as? Int).map(String.init) == port,
            "Prometheus scrapes the workers where they serve /metrics")
        #expect((services["worker"]?["networks"] as? [String])?.contains("monitoring") == true)

        // Least exposure: PostgreSQL only on an internal network; every container's log capped.
        let networks = compose["networks"] as? [String: [String: Any]] ?? [:]
        #expect(services["postgres"]?["networks"] as? [String] == ["db"] && networks["db"]?["internal"] as? Bool == true)
        for (name, service) in services {
            let options = (service["logging"] as? [String: Any])?["options"] as? [String: Any]
            #expect(options?["max-size"] != nil, "\(name)'s log is capped")
        }

        let datasources = try yaml(Self.docker + "/grafana/provisioning/datasources/prometheus.yaml")
        let datasource = (datasources["datasources"] as? [[String: Any]])?.first ?? [:]
        #expect(datasources["apiVersion"] as? Int == 1 && datasource["url"] as? String == "http://prometheus:9090")
        let providers = try yaml(Self.docker + "/grafana/provisioning/dashboards/calworker.yaml")
        let path = ((providers["providers"] as? [[String: Any]])?.first?["options"] as? [String: Any])?["path"] as? String
        #expect(
            providers["apiVersion"] as? Int == 1
                && (services["grafana"]?["volumes"] as? [String])?.contains("./grafana/dashboards:\(path ?? "?"):ro") == true)

        let dashboard = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: Self.docker + "/grafana/dashboards/calworker.json")))
                as? [String: Any])
        #expect(dashboard["uid"] is String && dashboard["title"] is String && dashboard["schemaVersion"] is Int)
        let panels = dashboard["panels"] as? [[String: Any]] ?? []
        #expect(panels.count >= 10)
        for panel in panels {
            #expect((panel["datasource"] as? [String: Any])?["uid"] as? String == datasource["uid"] as? String, "\(panel["title"] ?? "")")
            #expect(panel["gridPos"] is [String: Any] && !((panel["targets"] as? [Any]) ?? []).isEmpty)
        }
    }

    @Test func everyDashboardQueryNamesAMetricCalworkerExports() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        // A worker's own families (jobs, durations) from a real run's textfile, and the
        // database's (queue, accounts, backups) from `calworker metrics`.
        let db = try database.connect()
        try db.execute("INSERT INTO calworker.jobs (kind, args) VALUES ('noop', '{}')")
        try db.execute(
            """
            INSERT INTO calworker.accounts (email, owner, key_id, refresh_token, last_synced_at) VALUES ('a@example.com', 'o', 'k', '\\x00', now())
            """)
        try db.execute(
            """
            INSERT INTO calworker.job_runs (job_id, attempt, kind, queue, worker_id, started_at, finished_at, outcome, duration_ms, figures)
            VALUES (1000, 1, 'backup', 'default', 'w', now(), now(), 'completed', 1, '{"verified": 1}')
            """)
        let textfile = FileManager.default.temporaryDirectory.appendingPathComponent("cw-dash-\(UUID().uuidString).prom").path
        defer { try? FileManager.default.removeItem(atPath: textfile) }
        #expect(try CalworkerProcess.run(["work", "--once", "--metrics-file", textfile], databaseURL: database.url).status == 0)
        let output = try String(contentsOfFile: textfile, encoding: .utf8) + (try CalworkerProcess.run(["metrics"], databaseURL: database.url).stdout)
        var exported = Set(output.matches(of: #/# TYPE (calworker_[a-z_]+) /#).map { String($0.1) })
        // Families a worker registers only once it makes a call of that kind (Google's HTTP
        // client): the name as the source registers it.
        let sources = try FileManager.default.subpathsOfDirectory(atPath: TestEnvironment.packageRoot.appendingPathComponent("Sources").path)
            .filter { $0.hasSuffix(".swift") }
            .map { try String(contentsOfFile: TestEnvironment.packageRoot.appendingPathComponent("Sources/" + $0).path, encoding: .utf8) }
            .joined()
        let dashboard = try String(contentsOfFile: Self.docker + "/grafana/dashboards/calworker.json", encoding: .utf8)
        let queried = Set(dashboard.matches(of: /calworker_[a-z_]+/).map { String($0.0) }.filter { $0 != "calworker_overview" })
        for name in queried where !exported.contains(name) {
            let family = name.replacing(/_(bucket|sum|count)$/, with: "")
            if exported.contains(family) { continue }
            // The registration may be wrapped: `registry.counter(` and the quoted name on the next line.
            let registration = try Regex(#"registry\.(counter|histogram)\(\s*""# + family + #"""#)
            if sources.contains(registration) {
                exported.insert(name)
                continue
            }
            Issue.record("the dashboard queries \(name), which calworker does not export")
        }
        #expect(queried.contains("calworker_jobs_finished_total") && queried.contains("calworker_accounts_by_sync_age"))
    }
}
