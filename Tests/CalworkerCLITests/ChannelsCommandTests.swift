import Foundation
import Postgres
import TestSupport
import Testing

/// `calworker channels list` and the push lines of `status`, through the real binary.
@Suite struct ChannelsCommandTests {
    /// An account with an active channel on its calendar list that Google never confirmed, and
    /// a stopped one on a calendar.
    func databaseWithChannels() throws -> TestDatabase {
        let database = try TestDatabase.make()
        let db = try database.connect()
        try db.execute(
            """
            INSERT INTO calworker.accounts (email, owner, key_id, refresh_token) VALUES ('ada@example.com', 'o', 'k', '\\\\x00')
            """)
        try db.execute(
            """
            INSERT INTO calworker.push_channels (channel_id, account_id, calendar_id, resource_id, token_sha256, state, expires_at)
            VALUES ('cw-list-1', 1, '', 'res-1', repeat('ab', 32), 'active', now() + interval '6 days'),
                   ('cw-cal-1', 1, 'ada@example.com', 'res-2', repeat('cd', 32), 'stopped', now() + interval '2 days')
            """)
        return database
    }

    @Test func listShowsLiveChannelsAndAllWithEndedOnesNeverTheirTokens() throws {
        let database = try databaseWithChannels()
        defer { database.drop() }
        let table = try CalworkerProcess.run(["channels", "list"], databaseURL: database.url)
        #expect(table.status == 0, "\(table.stderr)")
        #expect(table.stdout.contains("cw-list-1") && table.stdout.contains("calendar list") && !table.stdout.contains("cw-cal-1"))
        let all = try CalworkerProcess.run(["channels", "list", "--all", "--json", "--account", "1"], databaseURL: database.url)
        #expect(all.status == 0, "\(all.stderr)")
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(all.stdout.utf8)) as? [[String: Any]])
        #expect(Set(rows.compactMap { $0["channel_id"] as? String }) == ["cw-list-1", "cw-cal-1"])
        #expect(rows.first { $0["channel_id"] as? String == "cw-cal-1" }?["state"] as? String == "stopped")
        #expect(!all.stdout.contains("abababab") && !all.stdout.contains("token"), "not even the token's digest is shown")
        let bad = try CalworkerProcess.run(["channels", "list", "--account", "zero"], databaseURL: database.url)
        #expect(bad.status == 2 && bad.stderr.contains("--account"))
    }

    @Test func statusNamesAccountsThatFellBackToPollingOnlyWhenPushIsOn() throws {
        let database = try databaseWithChannels()
        defer { database.drop() }
        let off = try CalworkerProcess.run(["status"], databaseURL: database.url)
        #expect(off.status == 0 && !off.stdout.contains("PUSH:"), "without push every account is polled by design")
        let on = try CalworkerProcess.run(
            ["status"], databaseURL: database.url,
            environment: ["CALWORKER_PUSH_URL": "https://calendar.example.com/push/google"])
        #expect(on.status == 0, "\(on.stderr)")
        #expect(on.stdout.contains("PUSH: 1 account(s) fell back to five-minute polling: 1"), "\(on.stdout)")
        let json = try CalworkerProcess.run(
            ["status", "--json"], databaseURL: database.url,
            environment: ["CALWORKER_PUSH_URL": "https://calendar.example.com/push/google"])
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(report["accounts_on_polling"] as? [Int] == [1])
    }
}
