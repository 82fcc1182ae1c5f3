import Foundation
import HTTPServer
import JobQueue
import Postgres
import TestSupport
import Testing

/// The probe that found it: a token endpoint answering `503` with `Retry-After:
/// 9223372036854775807` held a sync's worker slot until SIGTERM, so `work --once` never ended.
/// Through the real binary: the attempt ends at once as a snooze, the job comes back in an
/// hour without spending an attempt, and `work --once` exits.
@Suite struct UpstreamWaitTests {
    static let key = Data((0..<32).map { UInt8($0 ^ 0x6e) }).base64EncodedString()

    @Test func aTokenEndpointAskingForForeverSnoozesTheSyncAndWorkOnceEnds() throws {
        let google = try ScriptedServer(always: ScriptedServer.busy(retryAfter: "9223372036854775807"))
        let database = try TestDatabase.make()
        defer { database.drop() }
        let tokenFile = FileManager.default.temporaryDirectory.appendingPathComponent("cw-wait-\(UUID().uuidString)")
        try "1//rt-upstream-wait".write(to: tokenFile, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: tokenFile) }
        let env = [
            "CALWORKER_TOKEN_KEY": Self.key, "CALWORKER_GOOGLE_CLIENT_ID": "client", "CALWORKER_GOOGLE_CLIENT_SECRET": "secret",
            "CALWORKER_GOOGLE_API_URL": google.url + "/calendar/v3", "CALWORKER_GOOGLE_TOKEN_URL": google.url + "/token",
        ]
        func run(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
            try CalworkerProcess.run(arguments, databaseURL: database.url, environment: env)
        }
        #expect(try run(["accounts", "add", "--email", "ada@example.com", "--refresh-token-file", tokenFile.path]).status == 0)
        let started = ContinuousClock.now
        let worked = try run(["work", "--once"])
        #expect(worked.status == 0, "\(worked.stderr)")
        #expect(ContinuousClock.now - started < .seconds(30), "work --once ended without waiting the server's wait out")
        #expect(google.requests == 1, "the token endpoint was asked once")
        let db = try database.connect()
        let job = try db.query(
            "SELECT state, attempt, max_attempts, extract(epoch FROM run_at - now())::float8 FROM calworker.jobs WHERE kind = 'sync_account'")
        try #require(job.count == 1)
        #expect(try job[0].decode(String.self, at: 0) == "available")
        let attempt: Int = try job[0].decode(at: 1)
        let maxAttempts: Int = try job[0].decode(at: 2)
        let dueIn: Double = try job[0].decode(at: 3)
        #expect(dueIn > 3500 && dueIn <= 3600, "due again in an hour: \(dueIn) s")
        #expect(attempt == 1 && maxAttempts == 21, "the snooze gave its attempt back: 20 still to come (\(attempt) of \(maxAttempts))")
        let outcome: String = try db.query("SELECT outcome FROM calworker.job_runs WHERE kind = 'sync_account'")[0].decode(at: 0)
        #expect(outcome == "snoozed")
    }
}
