import Foundation
import TestSupport
import Testing

@testable import Postgres

/// A database that stops answering must not hang calworker: connects, statements and lock
/// waits all end, with an error the caller can act on.
@Suite struct PostgresTimeoutsTests {
    @Test func connectingToAServerThatAcceptsAndNeverAnswersTimesOut() throws {
        let silent = try SilentServer()
        defer { silent.stop() }
        let outcome = returns(within: 60) { () -> PostgresError? in
            do throws(PostgresError) {
                _ = try PostgresConnection.connect(silent.conninfo, timeouts: PostgresTimeouts(connect: .seconds(2)))
                return nil
            } catch {
                return error
            }
        }
        let returned = try #require(outcome, "connect did not return")
        let error = try #require(returned)
        #expect(error.kind == .connectionFailed && error.isConnectionProblem)
        #expect(silent.connectionsAccepted >= 1)
    }

    @Test func theServerCancelsAStatementPastItsLimitAndTheSessionStaysUsable() throws {
        let db = try PostgresConnection.connect(TestEnvironment.adminURL, timeouts: PostgresTimeouts(statement: .seconds(1)))
        defer { db.close() }
        let error = try #require(throws: PostgresError.self) { try db.execute("SELECT pg_sleep(30)") }
        #expect(error.sqlState == "57014")
        #expect(try db.query("SELECT 1")[0].decode(Int.self, at: 0) == 1)
    }

    @Test func aLockWaitPastItsLimitIsATransientError() throws {
        let name = "cw_locks_\(UInt32.random(in: 0...UInt32.max))"
        let admin = try PostgresConnection.connect(TestEnvironment.adminURL)
        defer { admin.close() }
        try admin.execute("CREATE TABLE \(name) (id int PRIMARY KEY)")
        defer { _ = try? admin.execute("DROP TABLE \(name)") }
        try admin.execute("INSERT INTO \(name) VALUES (1)")
        try admin.execute("BEGIN")
        try admin.execute("UPDATE \(name) SET id = 1 WHERE id = 1")
        let waiter = try PostgresConnection.connect(TestEnvironment.adminURL, timeouts: PostgresTimeouts(lock: .milliseconds(200)))
        defer { waiter.close() }
        let error = try #require(throws: PostgresError.self) { try waiter.execute("UPDATE \(name) SET id = 1 WHERE id = 1") }
        #expect(error.sqlState == "55P03" && error.isTransient)
        try admin.execute("ROLLBACK")
    }

    @Test func aSessionThatStopsAnsweringMidwayTimesOutAndIsClosed() throws {
        let proxy = try FreezingProxy.inFrontOfTestCluster()
        defer { proxy.stop() }
        // Only the client's own limit here (as behind a transaction-mode pooler): the server
        // cannot cancel what it never receives.
        let timeouts = PostgresTimeouts(connect: .seconds(5), statement: .seconds(1), lock: nil, setOnServer: false)
        let db = try PostgresConnection.connect(proxy.conninfo(database: "postgres"), timeouts: timeouts)
        defer { db.close() }
        #expect(try db.query("SELECT 1")[0].decode(Int.self, at: 0) == 1)
        proxy.freeze()
        let outcome = returns(within: 60) { () -> PostgresError? in
            do throws(PostgresError) {
                _ = try db.query("SELECT 2")
                return nil
            } catch {
                return error
            }
        }
        let returned = try #require(outcome, "the query did not return")
        let error = try #require(returned)
        #expect(error.kind == .timedOut && error.isConnectionProblem)
        #expect(!db.isConnected)
        proxy.thaw()
        try db.reconnect()
        #expect(try db.query("SELECT 3")[0].decode(Int.self, at: 0) == 3)
    }

    @Test(arguments: [
        "postgresql://calworker:s3cr3t-p%zzword@localhost/calworker",
        "postgresql://calworker:s3cr3t p word@localhost/calworker",
        "host=localhost password='s3cr3t-p word user=calworker",
        "postgresql://calworker:s3cr3t-pw@[::1/calworker",
    ])
    func aMalformedConnectionStringDoesNotPrintItsPassword(conninfo: String) throws {
        let error = try #require(throws: PostgresError.self) {
            try PostgresConnection.connect(conninfo, timeouts: PostgresTimeouts(connect: .seconds(2)))
        }
        for fragment in ["s3cr3t", "cr3t", "p%zz", "word"] {
            #expect(!error.description.contains(fragment), "\(error.description)")
        }
    }
}
