import Foundation
import GoogleEmulator
import Postgres
import TestSupport
import Testing

/// A sync that changed events brings its owner's feeds up to date half a minute later, once.
@Suite struct FeedsAfterSyncTests {
    @Test func aSyncThatChangedEventsQueuesItsOwnersFeedExport() throws {
        let fixture = try SyncFixture()
        let email = "fe@example.com"
        let refreshToken = "1//rt-fe"
        fixture.emulator.addAccount(email: email, refreshToken: refreshToken)
        try fixture.emulator.addCalendar(account: email, id: email, summary: "Fe", primary: true)
        try SampleEvents.seed(fixture.emulator, calendarID: email)
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("cw-feedsync-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root + "/feeds", withIntermediateDirectories: true)
        try refreshToken.write(toFile: root + "/token", atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let environment = [
            "CALWORKER_GOOGLE_API_URL": fixture.emulator.apiURL, "CALWORKER_GOOGLE_TOKEN_URL": fixture.emulator.tokenURL,
            "CALWORKER_GOOGLE_CLIENT_ID": fixture.emulator.clientID, "CALWORKER_GOOGLE_CLIENT_SECRET": fixture.emulator.clientSecret,
            "CALWORKER_TOKEN_KEY": SyncFixture.keyBase64, "CALWORKER_LOG_LEVEL": "warning",
            "CALWORKER_MEDIA_ROOT": root, "CALWORKER_FEEDS_TARGET": "file://\(root)/feeds/",
        ]
        func calworker(_ arguments: String...) throws -> (status: Int32, stdout: String, stderr: String) {
            try CalworkerProcess.run(arguments, databaseURL: fixture.database.url, environment: environment, timeout: 120)
        }
        let added = try calworker("accounts", "add", "--email", email, "--refresh-token-file", root + "/token", "--no-sync", "--json")
        let account = try #require((try JSONSerialization.jsonObject(with: Data(added.stdout.utf8)) as? [String: Any])?["id"] as? Int, "\(added)")
        let sync = #"{"account_id": \#(account)}"#
        let created = try calworker("feeds", "create", "--owner", email, "--detail", "full", "--json")
        #expect(created.status == 0, "\(created)")
        let object = String(
            ((try JSONSerialization.jsonObject(with: Data(created.stdout.utf8)) as? [String: String])?["url"] ?? "").split(separator: "/").last ?? "")
        func vevents() -> Int {
            ((try? String(contentsOfFile: root + "/feeds/" + object, encoding: .utf8)) ?? "").components(separatedBy: "BEGIN:VEVENT").count - 1
        }
        #expect(vevents() == 0, "nothing synced yet")

        #expect(try calworker("enqueue", "sync_account", "--args", sync).status == 0)
        #expect(try calworker("work", "--once").status == 0)
        let queued = try fixture.db.query(
            """
            SELECT args->>'owner', extract(epoch FROM run_at - now()) FROM calworker.jobs WHERE kind = 'ics_export' AND state = 'available'
            """)
        #expect(queued.count == 1)
        #expect(try queued.first?.decode(String.self, at: 0) == email)
        #expect(try (queued.first?.decode(Double.self, at: 1) ?? 0) > 5, "half a minute later, so a burst of syncs makes one export")
        #expect(vevents() == 0, "not yet")

        try fixture.db.execute("UPDATE calworker.jobs SET run_at = now() WHERE kind = 'ics_export'")
        #expect(try calworker("work", "--once").status == 0)
        let synced = try fixture.db.query(
            """
            SELECT count(DISTINCT coalesce(raw->>'iCalUID', event_id)) FROM calworker.events
             WHERE account_id = $1 AND NOT is_mirror AND status <> 'cancelled'
            """, [Int64(account)])[0].decode(Int.self, at: 0)
        #expect(synced > 0 && vevents() >= synced, "every synced series is in the feed (\(vevents()) VEVENTs, \(synced) series)")

        // A sync that fetched nothing queues nothing.
        #expect(try calworker("enqueue", "sync_account", "--args", sync).status == 0)
        #expect(try calworker("work", "--once").status == 0)
        #expect(try fixture.db.query("SELECT count(*) FROM calworker.jobs WHERE kind = 'ics_export'")[0].decode(Int.self, at: 0) == 0)
    }
}
