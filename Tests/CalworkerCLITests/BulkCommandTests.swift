import Foundation
import JobQueue
import Postgres
import TestSupport
import Testing

/// `retry` and `cancel` with filters through the binary: a dry run first, then the action,
/// each action in the audit log with its filter and count.
@Suite struct BulkCommandTests {
    @Test func retryAndCancelByFilterWithADryRunFirstAndTheAuditAfter() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let db = try database.connect()
        for args in [#"{"account_id": 12}"#, #"{"account_id": 12}"#, #"{"account_id": 13}"#] {
            #expect(
                try CalworkerProcess.run(
                    ["enqueue", "sync_account", "--args", args, "--max-attempts", "1", "--unique-key", UUID().uuidString],
                    databaseURL: database.url
                ).status == 0)
        }
        // No such accounts: every sync is discarded with why.
        #expect(try CalworkerProcess.run(["work", "--once"], databaseURL: database.url, environment: ["CALWORKER_LOG_LEVEL": "error"]).status == 0)

        let dry = try CalworkerProcess.run(["retry", "--account", "12", "--dry-run"], databaseURL: database.url)
        #expect(dry.status == 0 && dry.stdout.contains("would act on 2 job(s)"), "\(dry.stdout)\(dry.stderr)")
        #expect(try db.query("SELECT count(*) FROM \(EveryJob.sql) AS j WHERE state = 'discarded'")[0].decode(Int.self, at: 0) == 3)
        let retry = try CalworkerProcess.run(["retry", "--account", "12", "--json"], databaseURL: database.url, environment: ["USER": "ada"])
        let report = try #require(try JSONSerialization.jsonObject(with: Data(retry.stdout.utf8)) as? [String: Any], "\(retry.stderr)")
        #expect(report["count"] as? Int == 2)
        #expect(try db.query("SELECT count(*) FROM calworker.jobs WHERE state = 'available'")[0].decode(Int.self, at: 0) == 2)

        let cancel = try CalworkerProcess.run(
            ["cancel", "--kind", "sync_account", "--state", "available"], databaseURL: database.url,
            environment: ["USER": "ada"])
        #expect(cancel.status == 0 && cancel.stdout.contains("cancelled 2 waiting job(s)"), "\(cancel.stdout)\(cancel.stderr)")
        #expect(try CalworkerProcess.run(["retry"], databaseURL: database.url).status == 2, "no id and no filter: refused")
        #expect(try CalworkerProcess.run(["cancel", "--state", "completed"], databaseURL: database.url).status == 2)

        let audit = try CalworkerProcess.run(["audit", "--json"], databaseURL: database.url)
        let entries = try #require(try JSONSerialization.jsonObject(with: Data(audit.stdout.utf8)) as? [[String: Any]])
        #expect(entries.compactMap { $0["action"] as? String } == ["cancel", "retry"], "the dry run is not an action")
        #expect(entries.compactMap { $0["count"] as? Int } == [2, 2])
        #expect((entries.last?["target"] as? String)?.contains("account:12") == true)
    }
}
