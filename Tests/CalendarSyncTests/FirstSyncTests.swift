import Foundation
import GoogleEmulator
import Postgres
import TestSupport
import Testing

/// An account connected from the command line is synced by the next worker pass, with no
/// separate enqueue: `accounts add` queues its first sync.
@Suite struct FirstSyncTests {
    @Test func anAddedAccountIsSyncedAfterOneWorkerPass() throws {
        let fixture = try SyncFixture()
        let email = "bo@example.com"
        let refreshToken = "1//rt-bo-first"
        fixture.emulator.addAccount(email: email, refreshToken: refreshToken)
        try fixture.emulator.addCalendar(account: email, id: email, summary: "Bo", primary: true)
        try SampleEvents.seed(fixture.emulator, calendarID: email)
        let tokenFile = FileManager.default.temporaryDirectory.appendingPathComponent("cw-first-\(UUID().uuidString)")
        try refreshToken.write(to: tokenFile, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: tokenFile) }
        let environment = [
            "CALWORKER_GOOGLE_API_URL": fixture.emulator.apiURL, "CALWORKER_GOOGLE_TOKEN_URL": fixture.emulator.tokenURL,
            "CALWORKER_GOOGLE_CLIENT_ID": fixture.emulator.clientID, "CALWORKER_GOOGLE_CLIENT_SECRET": fixture.emulator.clientSecret,
            "CALWORKER_TOKEN_KEY": SyncFixture.keyBase64, "CALWORKER_LOG_LEVEL": "warning",
        ]
        let added = try CalworkerProcess.run(
            ["accounts", "add", "--email", email, "--refresh-token-file", tokenFile.path, "--json"],
            databaseURL: fixture.database.url, environment: environment)
        #expect(added.status == 0, "\(added.stderr)")
        let output = try #require(try JSONSerialization.jsonObject(with: Data(added.stdout.utf8)) as? [String: Any])
        let id = try #require(output["id"] as? Int)
        #expect(output["sync_job"] is Int, "the first sync's job: \(output)")

        let worked = try CalworkerProcess.run(["work", "--once"], databaseURL: fixture.database.url, environment: environment, timeout: 120)
        #expect(worked.status == 0, "\(worked.stderr.suffix(2000))")
        let row = try fixture.db.query(
            """
            SELECT last_synced_at IS NOT NULL, (SELECT count(*) FROM calworker.events WHERE account_id = $1 AND NOT is_mirror)
              FROM calworker.accounts WHERE id = $1
            """, [Int64(id)])[0]
        #expect(try row.decode(Bool.self, at: 0), "synced")
        #expect(try row.decode(Int.self, at: 1) > 0, "its events are in the local copy")

        let quiet = try CalworkerProcess.run(
            [
                "accounts", "add", "--email", "cy@example.com", "--refresh-token-file", tokenFile.path,
                "--no-sync", "--json",
            ], databaseURL: fixture.database.url, environment: environment)
        #expect(quiet.status == 0 && !quiet.stdout.contains("sync_job"))
        #expect(try fixture.db.query("SELECT count(*) FROM calworker.jobs")[0].decode(Int.self, at: 0) == 0, "--no-sync queued nothing")
    }
}
