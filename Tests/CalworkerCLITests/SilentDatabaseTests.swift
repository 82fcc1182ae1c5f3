import Foundation
import JobQueue
import Postgres
import TestSupport
import Testing

/// A database that accepts connections and never answers, or stops answering mid-session:
/// every command ends on its own, and at once on SIGTERM or SIGINT, even when the process was
/// started with those signals ignored (as some supervisors and shells leave them).
@Suite struct SilentDatabaseTests {
    /// `calworker ARGS` with SIGTERM and SIGINT inherited as ignored.
    static func start(_ arguments: [String], url: String, environment: [String: String] = [:]) throws -> ChildProcess {
        var env = ProcessInfo.processInfo.environment
        env["CALWORKER_DATABASE_URL"] = url
        env["CALWORKER_LOG_LEVEL"] = "warning"
        for (key, value) in environment { env[key] = value }
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("cw-silent-\(UUID().uuidString)").path
        return try ChildProcess(
            executable: "/bin/sh", arguments: ["-c", #"trap '' TERM INT; exec "$0" "$@""#, TestEnvironment.calworkerBinary] + arguments,
            environment: env, stdout: base + ".out", stderr: base + ".err")
    }

    @Test(arguments: [["queue"], ["migrate"], ["enqueue", "noop"], ["runs"], ["status"], ["work", "--once"]])
    func aConnectThatIsNeverAnsweredEndsWithExitThree(command: [String]) throws {
        let silent = try SilentServer()
        defer { silent.stop() }
        let process = try Self.start(command, url: silent.conninfo, environment: ["CALWORKER_DATABASE_CONNECT_TIMEOUT": "2s"])
        #expect(process.wait(timeout: 60) == 3, "\(command) did not end, or not with 3")
    }

    @Test(
        arguments: [["queue"], ["migrate"], ["enqueue", "noop"], ["runs"], ["status"], ["work"], ["schedule", "run", "--loop"]],
        [SIGTERM, SIGINT])
    func aSignalEndsACommandWaitingOnASilentDatabase(command: [String], signal: Int32) throws {
        let silent = try SilentServer()
        defer { silent.stop() }
        let process = try Self.start(command, url: silent.conninfo, environment: ["CALWORKER_DATABASE_CONNECT_TIMEOUT": "300s"])
        #expect(eventually(timeout: 30) { silent.connectionsWaitingForAnAnswer > 0 }, "never sent its startup message")
        #expect(process.isRunning, "it was waiting for the answer")
        process.signal(signal)
        #expect(process.wait(timeout: 30) == 128 + signal, "\(command) ignored the signal")
    }

    @Test func aWorkerWhoseDatabaseFreezesMidSessionStopsOnSIGTERM() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let proxy = try FreezingProxy.inFrontOfTestCluster()
        defer { proxy.stop() }
        let url = proxy.conninfo(database: database.name)
        let db = try database.connect()
        try JobQueue().enqueueMany((0..<5).map { _ in NewJob(kind: "noop") }, on: db)
        let process = try Self.start(["work", "--poll-interval", "100ms"], url: url, environment: ["CALWORKER_DATABASE_STATEMENT_TIMEOUT": "300s"])
        #expect(
            eventually(timeout: 30) {
                (try? db.query("SELECT count(*) FROM \(EveryJob.sql) AS j WHERE state = 'completed'")[0].decode(Int.self, at: 0)) == 5
            }, "the worker ran its jobs first")
        proxy.freeze()
        // The worker's next poll (every 100 ms) sends a statement the frozen proxy holds.
        #expect(eventually(timeout: 30) { proxy.requestsHeld > 0 }, "a statement is waiting on the frozen database")
        process.signal(SIGTERM)
        // Nothing in hand: it exits within seconds, though its sessions will never answer.
        #expect(process.wait(timeout: 30) == 128 + SIGTERM)
    }
}
