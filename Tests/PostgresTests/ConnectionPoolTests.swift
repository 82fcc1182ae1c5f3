import Postgres
import TestSupport
import Testing

/// Pooled sessions after their server went away: a restart or failover ends them on the
/// server, and the client learns only when it uses one.
@Suite struct ConnectionPoolTests {
    @Test func theFirstRequestAfterTheSessionsDiedIsAnsweredOnAFreshOne() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let pool = ConnectionPool(url: database.url, size: 4, purpose: "the test")
        // Four sessions in the pool, as a busy receiver leaves them.
        concurrently(4) { _ in _ = try? pool.with { db in try db.query("SELECT pg_sleep(0.2)") } }
        let before = try pool.with { try $0.query("SELECT pg_backend_pid()")[0].decode(Int32.self, at: 0) }
        try database.terminateSessions()
        for attempt in 1...4 {
            let pid = try pool.with { try $0.query("SELECT pg_backend_pid()")[0].decode(Int32.self, at: 0) }
            #expect(pid != before, "request \(attempt) ran on a fresh session")
        }
    }

    @Test func aDatabaseThatIsReallyGoneIsStillAnError() throws {
        let pool = ConnectionPool(url: "host=/nonexistent port=1 user=x dbname=x connect_timeout=2", size: 2, purpose: "the test")
        #expect(throws: PostgresError.self) { try pool.with { try $0.query("SELECT 1") } }
    }
}
