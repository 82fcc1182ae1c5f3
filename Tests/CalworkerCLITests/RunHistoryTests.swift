import Foundation
import JobQueue
import Postgres
import TestSupport
import Testing

/// Run history that explains itself: `runs show` after the job row is gone, finding runs by
/// subject, args and error, and keyset pages, through the real binary.
@Suite struct RunHistoryTests {
    func json(_ run: (status: Int32, stdout: String, stderr: String)) throws -> [[String: Any]] {
        #expect(run.status == 0, "\(run.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]])
    }

    @Test func historyIsFoundByAccountArgsErrorAndJobAndOutlivesTheJobRow() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let db = try database.connect()
        // Mixed history: syncs of two accounts (no such accounts: each is discarded with why),
        // a reset of one, and noop jobs, one of which fails with a literal "100%".
        for args in [#"{"account_id": 12}"#, #"{"account_id": 13}"#] {
            #expect(try CalworkerProcess.run(["enqueue", "sync_account", "--args", args], databaseURL: database.url).status == 0)
        }
        #expect(
            try CalworkerProcess.run(["enqueue", "cleanup", "--args", #"{"account_id": 12, "reset": true}"#], databaseURL: database.url).status == 0)
        try JobQueue().enqueueMany([NewJob(kind: "noop"), NewJob(kind: "noop", args: #"{"fail": "discard"}"#)], on: db)
        let work = try CalworkerProcess.run(["work", "--once"], databaseURL: database.url, environment: ["CALWORKER_LOG_LEVEL": "error"])
        #expect(work.status == 0, "\(work.stderr)")

        let account12 = try json(CalworkerProcess.run(["runs", "--account", "12", "--json"], databaseURL: database.url))
        #expect(Set(account12.compactMap { $0["kind"] as? String }) == ["sync_account", "cleanup"])
        #expect(account12.allSatisfy { $0["subject"] as? String == "account:12" })
        let byArg = try json(CalworkerProcess.run(["runs", "--arg", "account_id=13", "--json"], databaseURL: database.url))
        #expect(byArg.count == 1 && (byArg.first?["args"] as? [String: Any])?["account_id"] as? Int == 13)
        let textArg = try json(CalworkerProcess.run(["runs", "--arg", "fail=discard", "--json"], databaseURL: database.url))
        #expect(textArg.count == 1 && textArg.first?["kind"] as? String == "noop")
        let byError = try json(CalworkerProcess.run(["runs", "--error", "ASKED TO BE DISCARDED", "--json"], databaseURL: database.url))
        #expect(byError.count == 1)
        let literal = try json(CalworkerProcess.run(["runs", "--error", "%", "--json"], databaseURL: database.url))
        #expect(literal.isEmpty, "% is a character, not a wildcard")

        // Finished jobs left the claim table (a stray row an older worker left goes too); the
        // history stays whole.
        let syncJob = try #require(account12.first { $0["kind"] as? String == "sync_account" }?["job_id"] as? Int)
        try db.execute("DELETE FROM calworker.jobs")
        let shown = try CalworkerProcess.run(["runs", "show", String(syncJob)], databaseURL: database.url)
        #expect(shown.status == 0, "\(shown.stderr)")
        #expect(
            shown.stdout.contains("sync_account") && shown.stdout.contains("\"account_id\"") && shown.stdout.contains("account:12")
                && shown.stdout.contains("finished: the job left the queue"))
        let detail = try #require(
            try JSONSerialization.jsonObject(
                with: Data(
                    CalworkerProcess.run(
                        ["runs", "show", String(syncJob), "--json"],
                        databaseURL: database.url
                    ).stdout.utf8)) as? [String: Any])
        #expect(((detail["job"] as? [String: Any])?["args"] as? [String: Any])?["account_id"] as? Int == 12)
        let byJob = try json(CalworkerProcess.run(["runs", "--job", String(syncJob), "--json"], databaseURL: database.url))
        #expect(byJob.count == 1)
        #expect(try CalworkerProcess.run(["runs", "show", "987654"], databaseURL: database.url).status == 5, "not found")
    }

    @Test func pagesFollowTheCursorWithoutOverlapOrGap() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let db = try database.connect()
        try JobQueue().enqueueMany((0..<7).map { _ in NewJob(kind: "noop") }, on: db)
        #expect(try CalworkerProcess.run(["work", "--once"], databaseURL: database.url).status == 0)
        var seen: [Int] = []
        var cursor: String?
        for _ in 0..<4 {
            let page = try json(
                CalworkerProcess.run(
                    ["runs", "--limit", "3", "--json"] + (cursor.map { ["--before", $0] } ?? []),
                    databaseURL: database.url))
            seen += page.compactMap { $0["job_id"] as? Int }
            guard page.count == 3 else { break }
            cursor = page.last?["cursor"] as? String
        }
        #expect(seen.count == 7 && Set(seen).count == 7, "every run once: \(seen)")
        let table = try CalworkerProcess.run(["runs", "--limit", "3"], databaseURL: database.url)
        #expect(table.stdout.contains("(next page: --before "))

        let export = try CalworkerProcess.run(["runs", "export", "--since", "1h"], databaseURL: database.url)
        #expect(export.status == 0, "\(export.stderr)")
        let lines = export.stdout.split(separator: "\n")
        let exported = try lines.map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }
        #expect(Set(exported.compactMap { $0["job_id"] as? Int }) == Set(seen) && exported.count == 7, "one line per record")
        #expect(exported.allSatisfy { $0["args"] is [String: Any] && $0["figures"] is [String: Any] }, "stored JSON as JSON")
        #expect(try CalworkerProcess.run(["runs", "export"], databaseURL: database.url).status == 2, "a window is required")
    }

    @Test(arguments: [
        ["--arg", "account_id"], ["--arg", "=12"], ["--before", "yesterday"], ["--account", "0"],
        ["--subject", "account:1", "--account", "1"], ["--until", "soon"], ["--job", "-3"],
    ])
    func unusableFiltersAreUsageErrors(_ flags: [String]) throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let run = try CalworkerProcess.run(["runs"] + flags, databaseURL: database.url)
        #expect(run.status == 2, "\(flags): \(run.stderr)")
    }
}
