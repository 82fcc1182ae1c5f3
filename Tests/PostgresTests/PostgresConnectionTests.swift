import Foundation
import Postgres
import TestSupport
import Testing

@Suite struct PostgresConnectionTests {
    @Test func connectFailureSaysWhatFailed() {
        #expect {
            _ = try PostgresConnection.connect("host=/nonexistent-socket-dir port=5999 user=x dbname=y connect_timeout=2")
        } throws: { error in
            guard let error = error as? PostgresError else { return false }
            return error.kind == .connectionFailed && error.message.contains("could not connect") && error.isConnectionProblem
        }
    }

    @Test func parametersRoundTripAsData() throws {
        let db = try PostgresConnection.connect(TestEnvironment.adminURL)
        let hostile = "x'); DROP TABLE pg_class; --\"\\"
        let row = try db.query(
            "SELECT $1::text, $2::bigint, $3::boolean, $4::double precision, $5::text IS NULL, $6::text[], $7::bigint[]",
            [hostile, Int64(-42), true, 2.5, Optional<String>.none, ["a,b", "q\"uote", "back\\slash", "NULL"], [Int64(1), 2, 3]])[0]
        #expect(try row.decode(String.self, at: 0) == hostile)
        #expect(try row.decode(Int64.self, at: 1) == -42)
        #expect(try row.decode(Bool.self, at: 2))
        #expect(try row.decode(Double.self, at: 3) == 2.5)
        #expect(try row.decode(Bool.self, at: 4))
        #expect(try row.decode([String].self, at: 5) == ["a,b", "q\"uote", "back\\slash", "NULL"])
        #expect(try row.decode([Int64].self, at: 6) == [1, 2, 3])
    }

    @Test func timestampsRoundTripThroughTheServer() throws {
        let db = try PostgresConnection.connect(TestEnvironment.adminURL)
        let date = Date(timeIntervalSince1970: 1_795_000_000.123456)
        for zone in ["UTC", "Asia/Kolkata", "America/St_Johns"] {
            try db.execute("SELECT set_config('TimeZone', $1, false)", [zone])
            let back = try db.query("SELECT $1::timestamptz", [date])[0].decode(Date.self, at: 0)
            #expect(abs(back.timeIntervalSince(date)) < 0.000_001, "in \(zone)")
        }
    }

    @Test func serverErrorsCarrySQLState() throws {
        let db = try PostgresConnection.connect(TestEnvironment.adminURL)
        #expect { try db.execute("SELEC 1") } throws: { ($0 as? PostgresError)?.sqlState == "42601" }
        try db.execute("CREATE TEMP TABLE t (id int PRIMARY KEY)")
        try db.execute("INSERT INTO t VALUES ($1)", [1])
        #expect { try db.execute("INSERT INTO t VALUES ($1)", [1]) } throws: { ($0 as? PostgresError)?.isUniqueViolation == true }
        // The connection is still usable after an error.
        #expect(try db.query("SELECT count(*) FROM t")[0].decode(Int.self, at: 0) == 1)
    }

    @Test func decodingErrorsNameTheColumn() throws {
        let db = try PostgresConnection.connect(TestEnvironment.adminURL)
        let row = try db.query("SELECT 'abc' AS word, NULL::int AS nothing")[0]
        #expect { _ = try row.decode(Int.self, "word") } throws: { ($0 as? PostgresError)?.message.contains("word") == true }
        #expect { _ = try row.decode(Int.self, "nothing") } throws: { ($0 as? PostgresError)?.message.contains("NULL") == true }
        #expect(try row.decodeOptional(Int.self, "nothing") == nil)
    }

    @Test func transactionsCommitAndRollBack() throws {
        let db = try PostgresConnection.connect(TestEnvironment.adminURL)
        try db.execute("CREATE TEMP TABLE t (v text)")
        try db.transaction { db in try db.execute("INSERT INTO t VALUES ($1)", ["kept"]) }
        struct Abort: Error {}
        #expect(throws: Abort.self) {
            try db.transaction { db in
                try db.execute("INSERT INTO t VALUES ($1)", ["dropped"])
                throw Abort()
            }
        }
        #expect(try db.query("SELECT v FROM t").map { try $0.decode(String.self, at: 0) } == ["kept"])
    }

    @Test func preparedStatementsAreReusedAndSurviveReconnect() throws {
        let db = try PostgresConnection.connect(TestEnvironment.adminURL)
        for value in 1...3 {
            #expect(try db.query("SELECT $1::int + 1", [value], prepared: true)[0].decode(Int.self, at: 0) == value + 1)
        }
        try db.reconnect()
        #expect(try db.query("SELECT $1::int + 1", [10], prepared: true)[0].decode(Int.self, at: 0) == 11)
    }

    @Test func listenReceivesNotifyOnCommitOnly() throws {
        let listener = try PostgresConnection.connect(TestEnvironment.adminURL)
        let sender = try PostgresConnection.connect(TestEnvironment.adminURL)
        let channel = "test_\(UInt32.random(in: 0...UInt32.max))"
        try listener.listen(channel)
        try sender.execute("BEGIN")
        try sender.execute("SELECT pg_notify($1, $2)", [channel, "rolled-back"])
        try sender.execute("ROLLBACK")
        try sender.execute("SELECT pg_notify($1, $2)", [channel, "hello"])
        var received: [PostgresNotification] = []
        _ = eventually(timeout: 10) {
            received += (try? listener.waitForNotifications(timeout: .milliseconds(100))) ?? []
            return !received.isEmpty
        }
        #expect(received.map(\.payload) == ["hello"])
        #expect(received.first?.senderPID == sender.backendPID)
        #expect(throws: PostgresError.self) { try listener.listen("bad channel; DROP") }
    }

    @Test func reconnectsAfterTheServerDropsTheSession() throws {
        let db = try PostgresConnection.connect(TestEnvironment.adminURL)
        let admin = try PostgresConnection.connect(TestEnvironment.adminURL)
        try admin.execute("SELECT pg_terminate_backend($1)", [db.backendPID])
        #expect { try db.execute("SELECT 1") } throws: { ($0 as? PostgresError)?.isConnectionProblem == true }
        #expect(!db.isConnected)
        try db.reconnect()
        #expect(db.isConnected)
        #expect(db.reconnectCount == 1)
        #expect(try db.query("SELECT 7")[0].decode(Int.self, at: 0) == 7)
    }
}
