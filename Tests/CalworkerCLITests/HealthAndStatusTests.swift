import Foundation
import JobQueue
import Postgres
import TestSupport
import Testing

@Suite struct HealthAndStatusTests {
    @Test func healthcheckPassesOnACurrentSchema() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let run = try CalworkerProcess.run(["healthcheck"], databaseURL: database.url)
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("ok   schema"))
    }

    @Test func healthcheckFailsWithExitOneWhenTheDatabaseIsAway() throws {
        let run = try CalworkerProcess.run(["healthcheck", "--json"], databaseURL: "host=/nonexistent port=1 user=x dbname=x")
        #expect(run.status == 1)
        let checks = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]]
        #expect(checks?.first?["name"] as? String == "database")
        #expect(checks?.first?["ok"] as? Bool == false)
    }

    @Test func healthcheckFailsOnASchemaThatIsNotCurrent() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        try database.connect().execute("INSERT INTO calworker.schema_migrations (version, name) VALUES (999, 'from the future')")
        let run = try CalworkerProcess.run(["healthcheck"], databaseURL: database.url)
        #expect(run.status == 1)
        #expect(run.stdout.contains("FAIL schema"))
        #expect(run.stdout.contains("newer than this build"))
    }

    @Test func healthcheckWorkerNeedsALiveWorkerOnThisHost() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let none = try CalworkerProcess.run(["healthcheck", "--worker"], databaseURL: database.url)
        #expect(none.status == 1)
        #expect(none.stdout.contains("no registered worker"))

        let worker = try CalworkerProcess(["work"], databaseURL: database.url, environment: ["CALWORKER_LOG_LEVEL": "warning"])
        defer { worker.signal(SIGKILL) }
        #expect(
            eventually(timeout: 30) {
                (try? CalworkerProcess.run(["healthcheck", "--worker"], databaseURL: database.url).status) == 0
            })
        // A heartbeat older than --max-age fails.
        try database.connect().execute("UPDATE calworker.workers SET heartbeat_at = now() - interval '10 minutes'")
        let stale = try CalworkerProcess.run(["healthcheck", "--worker", "--max-age", "1m"], databaseURL: database.url)
        #expect(stale.status == 1 || stale.stdout.contains("ok   worker"), "the worker may have renewed its heartbeat meanwhile")
        worker.signal(SIGTERM)
        #expect(worker.wait(timeout: 30) == 0)
    }

    @Test func statusShowsWorkersQueuesAndRecentProblems() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let db = try database.connect()
        let queue = JobQueue()
        try queue.enqueueMany((0..<2).map { _ in NewJob(kind: "noop", queue: "mail") }, on: db)
        _ = try queue.enqueue(NewJob(kind: "noop", args: #"{"fail": "discard"}"#), on: db)
        let worked = try CalworkerProcess.run(
            ["work", "--once"], databaseURL: database.url,
            environment: ["CALWORKER_LOG_LEVEL": "error"])
        #expect(worked.status == 0)
        let run = try CalworkerProcess.run(["status"], databaseURL: database.url)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("WORKERS: 0 alive"))
        #expect(run.stdout.contains("mail   2    0          0"))
        #expect(run.stdout.contains("noop  discarded  1"))
        #expect(run.stdout.contains("noop asked to be discarded"))

        let json = try CalworkerProcess.run(["status", "--json"], databaseURL: database.url)
        let report = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        let queues = report?["queues"] as? [[String: Any]]
        #expect(queues?.first { $0["queue"] as? String == "mail" }?["due"] as? Int == 2)
    }
}
