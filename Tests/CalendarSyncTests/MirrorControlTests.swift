import Foundation
import GoogleEmulator
import TestSupport
import Testing

/// The operator's controls over mirroring, through the real binary.
@Suite struct MirrorControlTests {
    @Test func excludingACalendarRemovesItsMirrorsAndTheDryRunSaysSoFirst() throws {
        let (fixture, second) = try MirrorSyncTests.twoAccounts()
        let team = "team@group.calendar.google.com"
        try SampleEvents.seed(fixture.emulator, calendarID: SyncFixture.email)
        try fixture.emulator.createEvent(
            calendarID: team,
            [
                "id": "teamsync01", "summary": "Team sync",
                "start": ["dateTime": "2026-11-27T13:00:00Z"], "end": ["dateTime": "2026-11-27T14:00:00Z"],
            ])
        for id in [fixture.accountID, second, fixture.accountID] { _ = try fixture.syncUntilSuccess(accountID: id) }
        func calworker(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
            try CalworkerProcess.run(arguments, databaseURL: fixture.database.url)
        }

        let listed = try calworker(["calendars", "list", "--account", String(second)])
        #expect(listed.status == 0 && listed.stdout.contains(team) && listed.stdout.contains("yes"), "\(listed.stdout)\(listed.stderr)")
        #expect(try calworker(["sync", "plan", "--account", String(second), "--as-of", "2026-11-22T00:00:00Z"]).stdout.contains("nothing to write"))

        #expect(try calworker(["calendars", "exclude", "--account", String(second), team]).status == 0)
        #expect(try calworker(["calendars", "exclude", "--account", String(second), "nope@example.com"]).status == 5)
        let plan = try calworker(["sync", "plan", "--account", String(second), "--as-of", "2026-11-22T00:00:00Z", "--json"])
        let writes = try JSONSerialization.jsonObject(with: Data(plan.stdout.utf8)) as? [[String: Any]] ?? []
        // Ada's three sources mirrored into the team calendar, and the team event's mirrors in her two others.
        #expect(writes.count == 5 && writes.allSatisfy { $0["action"] as? String == "delete" }, "\(plan.stdout)")

        _ = try fixture.syncUntilSuccess(accountID: second)
        let teamMirrors = fixture.emulator.events(calendarID: team).filter(isLiveMirror)
        #expect(teamMirrors.isEmpty)
        #expect(fixture.emulator.event(calendarID: team, eventID: "teamsync01")?["status"] as? String == "confirmed", "the user's event stays")
        #expect(MirrorSyncTests.check(fixture.emulator, calendars: [SyncFixture.email, MirrorSyncTests.work]) == [])

        // A new busy title for the owner: every mirror is patched to it.
        let settings = try calworker(["calendars", "settings", "--owner", "owner-1", "--busy-title", "Occupied"])
        #expect(settings.status == 0 && settings.stdout.contains("Occupied"))
        let retitle = try calworker(["sync", "plan", "--account", String(second), "--as-of", "2026-11-22T00:00:00Z", "--json"])
        let patches = try JSONSerialization.jsonObject(with: Data(retitle.stdout.utf8)) as? [[String: Any]] ?? []
        #expect(!patches.isEmpty && patches.allSatisfy { $0["action"] as? String == "patch" })
    }
}
