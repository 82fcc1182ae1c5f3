import Foundation
import JobQueue
import Postgres
import TestSupport
import Testing

/// The shipped monitoring, not only parsed: Debian's Prometheus loads the shipped
/// `prometheus.yml` and alerting rules (pointed at loopback, intervals shortened), scrapes a live
/// worker and a receiver, evaluates every Grafana panel's query, and fires the workers-gone
/// alert once the worker is killed.
@Suite(.serialized) struct MonitoringLiveTests {
    static let docker = TestEnvironment.packageRoot.appendingPathComponent("docker").path

    /// The dashboard's panels and their queries.
    static func panels() throws -> [(title: String, expression: String)] {
        let data = try Data(contentsOf: URL(fileURLWithPath: docker + "/grafana/dashboards/calworker.json"))
        let dashboard = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
        return (dashboard["panels"] as? [[String: Any]] ?? []).flatMap { panel in
            (panel["targets"] as? [[String: Any]] ?? []).compactMap { target in
                (target["expr"] as? String).map { (panel["title"] as? String ?? "?", $0) }
            }
        }
    }

    /// The shipped configuration and rules, rewritten for loopback `targets` by live_config.py.
    static func configuration(targets: [String]) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cw-promconf-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let script = TestEnvironment.packageRoot.appendingPathComponent("Tests/CalworkerCLITests/Prometheus/live_config.py").path
        let child = try ChildProcess(
            executable: "/usr/bin/env",
            arguments: [
                "python3", script, docker + "/prometheus/prometheus.yml", docker + "/prometheus/calworker-rules.yml", directory,
                targets.joined(separator: ","),
            ], environment: ProcessInfo.processInfo.environment, stdout: directory + "/log", stderr: directory + "/err")
        try #require(
            child.wait(timeout: 60) == 0, "live_config.py: \((try? String(contentsOfFile: directory + "/err", encoding: .utf8)) ?? "")")
        return directory + "/prometheus.yml"
    }

    @Test func theShippedRulesFireAndEveryPanelQueryEvaluatesAgainstALiveWorker() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let db = try database.connect()
        // A short lease: the killed worker's heartbeat reads as stale two seconds later.
        let environment = ["CALWORKER_LEASE": "2s", "CALWORKER_LOG_LEVEL": "info"]
        try JobQueue().enqueueMany((0..<20).map { _ in NewJob(kind: "noop", args: #"{"sleep_ms": 20}"#) }, on: db)
        let worker = try CalworkerProcess(["work", "--http-addr", "127.0.0.1:0"], databaseURL: database.url, environment: environment)
        defer { worker.signal(SIGKILL) }
        let receiver = try CalworkerProcess(["receive", "--http-addr", "127.0.0.1:0"], databaseURL: database.url, environment: environment)
        defer { receiver.signal(SIGKILL) }
        let workerPort = try #require(worker.servedPort(), "\(worker.standardError.suffix(1000))")
        let receiverPort = try #require(receiver.servedPort(logLine: "receiving push notifications"), "\(receiver.standardError.suffix(1000))")
        let prometheus = try PrometheusServer(
            configuration: try Self.configuration(targets: ["127.0.0.1:\(workerPort)", "127.0.0.1:\(receiverPort)"]))

        func targetsUp() -> Bool {
            let active = ((try? prometheus.api("/api/v1/targets"))?["data"] as? [String: Any])?["activeTargets"] as? [[String: Any]] ?? []
            return active.count == 2 && active.allSatisfy { $0["health"] as? String == "up" }
        }
        #expect(eventually(timeout: 60, targetsUp), "both processes scraped: \(prometheus.log.suffix(1000))")
        // Work while Prometheus watches, so rates and durations have something to show.
        try JobQueue().enqueueMany((0..<30).map { _ in NewJob(kind: "noop", args: #"{"sleep_ms": 10}"#) }, on: db)
        #expect(
            eventually(timeout: 60) {
                ((try? prometheus.query("sum(rate(calworker_jobs_finished_total[5m])) > 0"))?.series.count ?? 0) == 1
            }, "the throughput of the jobs just run shows")

        let panels = try Self.panels()
        #expect(panels.count >= 10, "\(panels.count) panel queries")
        for (title, expression) in panels {
            let answer = try prometheus.query(expression)
            #expect(answer.status == "success", "\(title): \(expression) does not evaluate: \(answer.error ?? "")")
        }
        // The panels that show the queue, throughput and job durations return the worker's series.
        for title in ["Queue depth", "Throughput by kind and outcome", "Job duration p50 / p95", "Workers"] {
            let expressions = panels.filter { $0.title == title }.map(\.expression)
            #expect(!expressions.isEmpty, "the dashboard has \(title)")
            for expression in expressions {
                #expect(try !prometheus.query(expression).series.isEmpty, "\(title): \(expression) returns no series")
            }
        }

        func firing(_ name: String) -> Bool {
            let alerts = ((try? prometheus.api("/api/v1/alerts"))?["data"] as? [String: Any])?["alerts"] as? [[String: Any]] ?? []
            return alerts.contains { ($0["labels"] as? [String: String])?["alertname"] == name && $0["state"] as? String == "firing" }
        }
        #expect(!firing("CalworkerNoWorkerAlive"), "a worker is alive")
        worker.signal(SIGKILL)
        #expect(
            eventually(timeout: 60) { firing("CalworkerNoWorkerAlive") },
            "the shipped rule fired through Prometheus once the worker was gone: \(String(describing: try? prometheus.api("/api/v1/alerts")))")
    }
}
