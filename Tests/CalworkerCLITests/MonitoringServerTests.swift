import Foundation
import JobQueue
import Postgres
import TestSupport
import Testing

/// A long-running worker's /metrics, /healthz and /readyz, through the real binary.
@Suite(.serialized) struct MonitoringServerTests {
    @Test func readyzFlipsWhenTheDatabaseGoesAwayAndComesBack() throws {
        let cluster = try ThrowawayCluster()
        defer { cluster.destroy() }
        #expect(try CalworkerProcess.run(["migrate"], databaseURL: cluster.url).status == 0)
        let worker = try CalworkerProcess(
            ["work", "--http-addr", "127.0.0.1:0", "--poll-interval", "200ms"],
            databaseURL: cluster.url, environment: ["CALWORKER_LOG_LEVEL": "info"])
        let port = try #require(worker.servedPort(), "worker log: \(worker.standardError.suffix(2000))")
        defer { worker.signal(SIGKILL) }
        func status(_ path: String) -> Int { (try? RawTCPClient.get(port: port, path: path, timeout: .seconds(10))).map(RawTCPClient.status) ?? 0 }

        #expect(eventually(timeout: 30) { status("/readyz") == 200 }, "worker log: \(worker.standardError.suffix(2000))")
        #expect(status("/healthz") == 200)

        try cluster.stop()
        // The worker's log says why when this fails (once, under a loaded CI machine, the
        // worker stopped answering here; a crash would be in its stderr).
        #expect(eventually(timeout: 30) { status("/readyz") == 503 }, "worker log: \(worker.standardError.suffix(4000))")
        let body = RawTCPClient.body(of: (try? RawTCPClient.get(port: port, path: "/readyz")) ?? "")
        #expect(body.hasPrefix("not ready: database unreachable"))
        #expect(status("/healthz") == 200, "alive while the database is away: restarting the worker would not help")
        let metrics = ExpositionSamples(RawTCPClient.body(of: (try? RawTCPClient.get(port: port, path: "/metrics")) ?? ""))
        #expect(metrics.value("calworker_queue_metrics_up") == 0, "worker log: \(worker.standardError.suffix(4000))")

        try cluster.start()
        #expect(eventually(timeout: 60) { status("/readyz") == 200 }, "worker log: \(worker.standardError.suffix(2000))")

        worker.signal(SIGTERM)
        #expect(worker.wait(timeout: 30) == 0)
    }

    /// Ready means the worker started (registered, its sessions open), not only that the
    /// database answers a probe: a worker still starting takes no job, and one that cannot
    /// open its sessions exits. Here its first session waits on a database that never answers.
    @Test func readyzSaysStartingUntilTheWorkerHasStarted() throws {
        let silent = try SilentServer()
        defer { silent.stop() }
        let worker = try CalworkerProcess(
            ["work", "--http-addr", "127.0.0.1:0"], databaseURL: silent.conninfo,
            environment: ["CALWORKER_LOG_LEVEL": "info", "CALWORKER_DATABASE_CONNECT_TIMEOUT": "300s"])
        defer { worker.signal(SIGKILL) }
        let port = try #require(worker.servedPort(), "worker log: \(worker.standardError.suffix(2000))")
        #expect(eventually(timeout: 30) { silent.connectionsAccepted > 0 })
        let response = (try? RawTCPClient.get(port: port, path: "/readyz", timeout: .seconds(10))) ?? ""
        #expect(RawTCPClient.status(of: response) == 503 && RawTCPClient.body(of: response) == "not ready: starting\n", "\(response)")
        #expect(RawTCPClient.status(of: (try? RawTCPClient.get(port: port, path: "/healthz", timeout: .seconds(10))) ?? "") == 200)
    }

    @Test func metricsPassPromtoolAndGarbageClientsDoNotStopJobs() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let db = try database.connect()
        let worker = try CalworkerProcess(
            ["work", "--http-addr", "127.0.0.1:0", "--poll-interval", "200ms"],
            databaseURL: database.url, environment: ["CALWORKER_LOG_LEVEL": "info"])
        let port = try #require(worker.servedPort(), "worker log: \(worker.standardError.suffix(2000))")
        defer { worker.signal(SIGKILL) }
        #expect(
            eventually(timeout: 30) {
                (try? RawTCPClient.get(port: port, path: "/readyz")).map(RawTCPClient.status) == 200
            })

        // A client that never finishes its request, and one that sends garbage.
        let stalled = try RawTCPClient(port: port)
        stalled.send("GET /metrics HTTP/1.1\r\nHost: x")
        let garbage = try RawTCPClient(port: port)
        garbage.send("\u{0}\u{1}not http at all\r\n\r\n")
        #expect(RawTCPClient.status(of: garbage.readAll()) == 400)

        let ids = try JobQueue().enqueueMany((0..<5).map { _ in NewJob(kind: "noop") }, on: db)
        #expect(
            eventually(timeout: 30) {
                ids.allSatisfy { id in (try? JobQueue().job(id: id, on: db)?.state) == .completed }
            })
        let response = try RawTCPClient.get(port: port, path: "/metrics")
        #expect(response.contains("Content-Type: text/plain; version=0.0.4"))
        let text = RawTCPClient.body(of: response)
        let check = try Promtool.checkMetrics(text)
        #expect(check.ok, "promtool: \(check.output)")
        let metrics = ExpositionSamples(text)
        #expect(metrics.value("calworker_jobs_finished_total", ["kind": "noop", "outcome": "completed"]) == 5)
        #expect(metrics.value("calworker_worker_slots") == 10)
        #expect(metrics.value("calworker_workers", ["state": "alive"]) == 1)
        #expect(metrics.value("calworker_queue_jobs", ["queue": "default", "state": "due"]) == 0)

        #expect(RawTCPClient.status(of: try RawTCPClient.get(port: port, path: "/nope")) == 404)
        let post = try RawTCPClient(port: port)
        post.send("POST /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n")
        #expect(RawTCPClient.status(of: post.readAll()) == 405)

        worker.signal(SIGTERM)
        #expect(worker.wait(timeout: 30) == 0)
        withExtendedLifetime(stalled) {}
    }

    @Test func healthzAnswersWhileFortySlowClientsHoldConnections() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let worker = try CalworkerProcess(
            ["work", "--http-addr", "127.0.0.1:0", "--poll-interval", "200ms"],
            databaseURL: database.url, environment: ["CALWORKER_LOG_LEVEL": "info"])
        let port = try #require(worker.servedPort(), "worker log: \(worker.standardError.suffix(2000))")
        defer { worker.signal(SIGKILL) }
        func status(_ path: String) -> Int { (try? RawTCPClient.get(port: port, path: path, timeout: .seconds(3))).map(RawTCPClient.status) ?? 0 }
        // Ready once the worker started (its sessions open), not only once the server answers.
        #expect(eventually(timeout: 30) { status("/healthz") == 200 && status("/readyz") == 200 })
        // A slowloris: 40 connections trickling a header line a second, never finishing.
        let slow = try (0..<40).map { _ in try RawTCPClient(port: port) }
        for client in slow { client.send("GET /metrics HTTP/1.1\r\n") }
        var answers: [Int] = []
        for second in 0..<6 {
            for client in slow { client.send("X-Slow-\(second): 1\r\n") }
            answers.append(status("/healthz"))
            answers.append(status("/readyz"))
            Thread.sleep(forTimeInterval: 1)
        }
        // Before, 17 such clients made /healthz answer 503 or time out, and a liveness probe
        // would have restarted this healthy worker.
        #expect(answers.allSatisfy { $0 == 200 }, "\(answers)")
        worker.signal(SIGTERM)
        #expect(worker.wait(timeout: 30) == 0)
    }

    @Test func aWorkerServesTheConsoleBesideItsEndpointsOnlyWhenAsked() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        #expect(try CalworkerProcess.run(["migrate"], databaseURL: database.url).status == 0)
        let token = ["CALWORKER_CONSOLE_TOKEN": "worker-console-token-0123456789"]
        let refused = try CalworkerProcess.run(["work", "--console"], databaseURL: database.url, environment: token)
        #expect(refused.status == 2 && refused.stderr.contains("--console needs --http-addr"))
        let tokenless = try CalworkerProcess.run(["work", "--http-addr", "127.0.0.1:0", "--console"], databaseURL: database.url)
        #expect(tokenless.status == 2 && tokenless.stderr.contains("CALWORKER_CONSOLE_TOKEN"), "\(tokenless.stderr)")

        let worker = try CalworkerProcess(
            ["work", "--http-addr", "127.0.0.1:0", "--console"], databaseURL: database.url,
            environment: token.merging(["CALWORKER_LOG_LEVEL": "info"]) { $1 })
        let port = try #require(worker.servedPort(), "worker log: \(worker.standardError.suffix(2000))")
        defer { worker.signal(SIGKILL) }
        func get(_ path: String) -> String { (try? RawTCPClient.get(port: port, path: path, timeout: .seconds(10))) ?? "" }
        #expect(eventually(timeout: 30) { RawTCPClient.status(of: get("/readyz")) == 200 })
        let root = get("/")
        #expect(RawTCPClient.status(of: root) == 303 && root.contains("Location: /login"), "the console's overview wants a login")
        #expect(RawTCPClient.body(of: get("/login")).contains("<h1>Log in</h1>"))
        #expect(get("/login").contains("Content-Security-Policy: default-src 'self'"))
        #expect(RawTCPClient.body(of: get("/metrics")).contains("calworker_build_info"), "the worker's own endpoints stay its own")
        #expect(RawTCPClient.status(of: get("/healthz")) == 200)
        worker.signal(SIGTERM)
        #expect(worker.wait(timeout: 30) == 0)

        let plain = try CalworkerProcess(
            ["work", "--http-addr", "127.0.0.1:0"], databaseURL: database.url,
            environment: token.merging(["CALWORKER_LOG_LEVEL": "info"]) { $1 })
        let plainPort = try #require(plain.servedPort())
        defer { plain.signal(SIGKILL) }
        let login = (try? RawTCPClient.get(port: plainPort, path: "/login", timeout: .seconds(10))) ?? ""
        #expect(RawTCPClient.status(of: login) == 404, "without --console there is no console, token or not")
        plain.signal(SIGTERM)
        #expect(plain.wait(timeout: 30) == 0)
    }

    @Test func aTakenPortStopsTheWorkerAtStartWithAHint() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let first = try CalworkerProcess(
            ["work", "--http-addr", "127.0.0.1:0"], databaseURL: database.url,
            environment: ["CALWORKER_LOG_LEVEL": "info"])
        let port = try #require(first.servedPort(), "worker log: \(first.standardError.suffix(2000))")
        defer { first.signal(SIGKILL) }
        #expect(eventually(timeout: 30) { (try? RawTCPClient.get(port: port, path: "/healthz")).map(RawTCPClient.status) == 200 })
        let second = try CalworkerProcess.run(["work", "--http-addr", "127.0.0.1:\(port)"], databaseURL: database.url)
        #expect(second.status == 2)
        #expect(second.stderr.contains("--http-addr"))
        #expect(second.stderr.contains("in use"))
    }
}
