import Foundation
import JobQueue
import Postgres
import TestSupport
import Testing

/// The worker as operators run it: the real binary, real signals, a real server restart.
@Suite(.serialized) struct WorkProcessTests {
    let fastRetries = ["CALWORKER_RETRY_BASE": "100ms", "CALWORKER_LOG_LEVEL": "notice"]

    @Test func fourWorkersRunEachOf8000JobsExactlyOnce() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let db = try database.connect()
        for _ in 0..<8 { try JobQueue().enqueueMany((0..<1000).map { _ in NewJob(kind: "noop") }, on: db) }
        let workers = try (0..<4).map { _ in
            try CalworkerProcess(
                ["work", "--once", "--concurrency", "8", "--claim-batch", "20", "--json"],
                databaseURL: database.url, environment: fastRetries)
        }
        var claimed = 0
        for worker in workers {
            #expect(worker.wait(timeout: 300) == 0, "worker failed: \(worker.standardError.suffix(2000))")
            let summary = try JSONSerialization.jsonObject(with: Data(worker.standardOutput.utf8)) as? [String: Any]
            claimed += summary?["claimed"] as? Int ?? 0
        }
        #expect(claimed == 8000)
        #expect(try db.query("SELECT count(*) FROM \(EveryJob.sql) AS j WHERE state = 'completed'")[0].decode(Int.self, at: 0) == 8000)
        let runs = try db.query("SELECT count(*), count(DISTINCT job_id), count(*) FILTER (WHERE outcome <> 'completed') FROM calworker.job_runs")[0]
        #expect(try runs.decode(Int.self, at: 0) == 8000, "one run record per job")
        #expect(try runs.decode(Int.self, at: 1) == 8000)
        #expect(try runs.decode(Int.self, at: 2) == 0)
        let spread = try db.query("SELECT count(DISTINCT worker_id) FROM calworker.job_runs")[0].decode(Int.self, at: 0)
        #expect(spread >= 2, "the work was shared between workers")
    }

    @Test func aJobWhoseWorkerIsKilledIsRescuedAndCompleted() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let db = try database.connect()
        let id = try JobQueue().enqueue(NewJob(kind: "noop", args: #"{"sleep_ms": 1500}"#), on: db).id
        let env = fastRetries.merging(["CALWORKER_LEASE": "2s"]) { a, _ in a }
        let doomed = try CalworkerProcess(["work"], databaseURL: database.url, environment: env)
        #expect(eventually(timeout: 30) { (try? JobQueue().job(id: id, on: db)?.state) == .running })
        doomed.signal(SIGKILL)
        #expect(doomed.wait(timeout: 10) != nil)
        let survivor = try CalworkerProcess(["work", "--poll-interval", "200ms"], databaseURL: database.url, environment: env)
        defer { survivor.signal(SIGKILL) }
        #expect(
            eventually(timeout: 60) { (try? JobQueue().job(id: id, on: db)?.state) == .completed },
            "survivor log: \(survivor.standardError.suffix(2000))")
        survivor.signal(SIGTERM)
        #expect(survivor.wait(timeout: 30) == 0)
        let runs = try JobQueue().runs(RunFilter(jobID: id), on: db).reversed().map { $0 }
        #expect(runs.map(\.outcome) == [.lost, .completed])
        #expect(runs.map(\.attempt) == [1, 2])
        #expect(runs[0].workerID != runs[1].workerID)
        #expect(survivor.standardError.contains("rescued jobs whose worker stopped renewing their lease"))
    }

    @Test func sigtermDrainsRunningJobsThenExitsCleanly() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let db = try database.connect()
        let id = try JobQueue().enqueue(NewJob(kind: "noop", args: #"{"sleep_ms": 1500}"#), on: db).id
        let worker = try CalworkerProcess(["work", "--grace-period", "30s", "--json"], databaseURL: database.url, environment: fastRetries)
        #expect(eventually(timeout: 30) { (try? JobQueue().job(id: id, on: db)?.state) == .running })
        worker.signal(SIGTERM)
        #expect(worker.wait(timeout: 60) == 0, "\(worker.standardError.suffix(2000))")
        #expect(try JobQueue().job(id: id, on: db)?.state == .completed)
        #expect(try db.query("SELECT count(*) FROM calworker.workers")[0].decode(Int.self, at: 0) == 0)
        #expect(worker.standardError.contains("stopping: waiting for running jobs"))
    }

    /// SIGHUP under load: the log level read again from its file, no job lost, running jobs finish.
    @Test func sighupUnderLoadReloadsTheLogLevelAndLosesNothing() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let db = try database.connect()
        let levelFile = FileManager.default.temporaryDirectory.appendingPathComponent("cw-level-\(UUID().uuidString)").path
        try "warning\n".write(toFile: levelFile, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: levelFile) }
        try JobQueue().enqueueMany((0..<60).map { _ in NewJob(kind: "noop", args: #"{"sleep_ms": 150}"#) }, on: db)
        var environment = fastRetries
        environment["CALWORKER_LOG_LEVEL_FILE"] = levelFile
        environment["CALWORKER_LOG_FORMAT"] = "json"
        let worker = try CalworkerProcess(
            ["work", "--concurrency", "4", "--poll-interval", "100ms", "--json"],
            databaseURL: database.url, environment: environment)
        defer { worker.signal(SIGKILL) }
        func completed() -> Int {
            (try? db.query("SELECT count(*) FROM calworker.job_runs WHERE outcome = 'completed'")[0].decode(Int.self, at: 0)) ?? -1
        }
        #expect(eventually(timeout: 30) { completed() >= 4 })
        #expect(!worker.standardError.contains(#""level":"info""#), "at warning, no info lines yet")
        try "info\n".write(toFile: levelFile, atomically: true, encoding: .utf8)
        worker.signal(SIGHUP)
        #expect(eventually(timeout: 30) { worker.standardError.contains("SIGHUP received: configuration reloaded") })
        #expect(eventually(timeout: 30) { worker.standardError.contains(#""level":"info""#) }, "info lines after the reload")
        try "loud\n".write(toFile: levelFile, atomically: true, encoding: .utf8)
        // Two hangups, each answered before the next is sent (two signals sent at once may arrive as one).
        for count in 1...2 {
            worker.signal(SIGHUP)
            #expect(
                eventually(timeout: 30) {
                    worker.standardError.components(separatedBy: "the configuration does not read; nothing changed").count - 1 == count
                },
                "a bad value keeps the old level (hangup \(count)): \(worker.standardError.suffix(1500))")
        }
        #expect(worker.isRunning, "a hangup does not end the worker: \(worker.standardError.suffix(1500))")
        #expect(eventually(timeout: 60) { completed() == 60 }, "every job ran: \(worker.standardError.suffix(1500))")
        worker.signal(SIGTERM)
        #expect(worker.wait(timeout: 60) == 0)
        let runs = try db.query("SELECT count(*), count(DISTINCT job_id), count(*) FILTER (WHERE outcome <> 'completed') FROM calworker.job_runs")[0]
        #expect(
            try runs.decode(Int.self, at: 0) == 60 && runs.decode(Int.self, at: 1) == 60 && runs.decode(Int.self, at: 2) == 0,
            "each job once, none handed back or lost")
    }

    @Test func aRestartedServerIsReconnectedToAndNothingIsLost() throws {
        let cluster = try ThrowawayCluster()
        defer { cluster.destroy() }
        let migrate = try CalworkerProcess.run(["migrate"], databaseURL: cluster.url)
        #expect(migrate.status == 0, "\(migrate.stderr)")
        let db = try PostgresConnection.connect(cluster.url)
        try JobQueue().enqueueMany((0..<400).map { _ in NewJob(kind: "noop", args: #"{"sleep_ms": 10}"#) }, on: db)
        let worker = try CalworkerProcess(
            ["work", "--concurrency", "4", "--poll-interval", "200ms"], databaseURL: cluster.url,
            environment: fastRetries)
        defer { worker.signal(SIGKILL) }
        #expect(eventually(timeout: 30) { ((try? db.query("SELECT count(*) FROM calworker.job_runs")[0].decode(Int.self, at: 0)) ?? 0) > 20 })
        try cluster.restart()
        try db.reconnect()
        // Jobs enqueued after the restart are picked up too.
        try JobQueue().enqueueMany((0..<100).map { _ in NewJob(kind: "noop") }, on: db)
        let allDone = eventually(timeout: 120) {
            ((try? db.query("SELECT count(*) FROM \(EveryJob.sql) AS j WHERE state = 'completed'")[0].decode(Int.self, at: 0)) ?? 0) == 500
        }
        #expect(allDone, "worker log: \(worker.standardError.suffix(3000))")
        #expect(worker.isRunning, "the worker survived the restart")
        let perJob = try db.query(
            "SELECT max(n) FROM (SELECT count(*) FILTER (WHERE outcome = 'completed') AS n FROM calworker.job_runs GROUP BY job_id) c")
        #expect(try perJob[0].decode(Int.self, at: 0) == 1, "no job completed twice")
        #expect(worker.standardError.contains("reconnected to PostgreSQL"))
        worker.signal(SIGTERM)
        #expect(worker.wait(timeout: 60) == 0)
    }
}

@Suite struct TransactionPoolerTests {
    /// Behind PgBouncer in transaction mode (two server connections shared by every client),
    /// with CALWORKER_DATABASE_POOLER=transaction: enqueue and work through the pooler.
    @Test func enqueueAndWorkThroughATransactionModePooler() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let pooler = try TransactionPooler()
        defer { pooler.stop() }
        let url = pooler.url(database: database.name)
        let env = ["CALWORKER_DATABASE_POOLER": "transaction", "CALWORKER_LOG_LEVEL": "notice"]
        for _ in 0..<20 {
            let enqueued = try CalworkerProcess.run(["enqueue", "noop", "--args", #"{"sleep_ms": 5}"#], databaseURL: url, environment: env)
            #expect(enqueued.status == 0, "\(enqueued.stderr)")
        }
        let worked = try CalworkerProcess.run(["work", "--once", "--concurrency", "4", "--json"], databaseURL: url, environment: env)
        #expect(worked.status == 0, "\(worked.stderr)")
        #expect(worked.stdout.contains("\"completed\" : 20"), "\(worked.stdout)")
        let db = try database.connect()
        #expect(try db.query("SELECT count(*) FROM calworker.job_runs WHERE outcome = 'completed'")[0].decode(Int.self, at: 0) == 20)
    }
}
