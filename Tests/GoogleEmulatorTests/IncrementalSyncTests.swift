import Foundation
import GoogleEmulator
import HTTPClient
import Testing

/// Incremental sync: a sync token returns every change since, deletions included; it refuses
/// the filters Google forbids beside it; an invalid token is 410 `fullSyncRequired`.
@Suite struct IncrementalSyncTests {
    static var series: [String: Any] {
        [
            "id": "weekly01", "summary": "Weekly", "recurrence": ["RRULE:FREQ=WEEKLY;COUNT=10"],
            "start": ["dateTime": "2025-03-03T10:00:00", "timeZone": "Europe/Berlin"],
            "end": ["dateTime": "2025-03-03T11:00:00", "timeZone": "Europe/Berlin"],
        ]
    }

    static func eventsPath(_ query: String) -> (String, String) { ("\(EmulatorFixture.calendarPath)/events", query) }

    func syncToken(_ fixture: EmulatorFixture, _ query: String = "") throws -> String {
        let pages = try fixture.listAll(query)
        return try #require(pages.last?["nextSyncToken"] as? String)
    }

    @Test func changesSinceTheTokenIncludingDeletions() throws {
        let fixture = try EmulatorFixture(events: [
            EmulatorFixture.timedEvent(id: "keep0"), EmulatorFixture.timedEvent(id: "edit0"),
            EmulatorFixture.timedEvent(id: "gone0"), Self.series,
        ])
        defer { fixture.stop() }
        let token = try syncToken(fixture)
        let calendarID = EmulatorFixture.email
        let created = try fixture.emulator.createEvent(calendarID: calendarID, EmulatorFixture.timedEvent(summary: "new"))
        try fixture.emulator.patchEvent(calendarID: calendarID, eventID: "edit0", ["summary": "edited"])
        try fixture.emulator.deleteEvent(calendarID: calendarID, eventID: "gone0")
        // Cancelling one instance of the series, by its instance id.
        try fixture.emulator.deleteEvent(calendarID: calendarID, eventID: "weekly01_20250310T090000Z")

        let response = try fixture.api("\(EmulatorFixture.calendarPath)/events", query: "syncToken=\(token)")
        #expect(response.status == 200)
        let page = try EmulatorFixture.json(response)
        let items = page["items"] as? [[String: Any]] ?? []
        #expect(Set(EmulatorFixture.ids(items)) == [created["id"] as! String, "edit0", "gone0", "weekly01_20250310T090000Z"])
        #expect(items.first { $0["id"] as? String == "edit0" }?["summary"] as? String == "edited")
        let gone = try #require(items.first { $0["id"] as? String == "gone0" })
        #expect(gone["status"] as? String == "cancelled")
        let instance = try #require(items.first { $0["id"] as? String == "weekly01_20250310T090000Z" })
        #expect(instance["status"] as? String == "cancelled")
        #expect(instance["recurringEventId"] as? String == "weekly01")
        #expect((instance["originalStartTime"] as? [String: Any])?["dateTime"] as? String == "2025-03-10T10:00:00+01:00")
        #expect(page["nextPageToken"] == nil)
        let next = try #require(page["nextSyncToken"] as? String)

        // Nothing changed since: an empty page and a token again.
        let quiet = try EmulatorFixture.json(fixture.api("\(EmulatorFixture.calendarPath)/events", query: "syncToken=\(next)"))
        #expect((quiet["items"] as? [Any])?.isEmpty == true)
        #expect(quiet["nextSyncToken"] is String)
    }

    @Test func fullListsHideDeletedEventsButNotCancelledInstances() throws {
        let fixture = try EmulatorFixture(events: [EmulatorFixture.timedEvent(id: "gone0"), Self.series])
        defer { fixture.stop() }
        try fixture.emulator.deleteEvent(calendarID: EmulatorFixture.email, eventID: "gone0")
        try fixture.emulator.deleteEvent(calendarID: EmulatorFixture.email, eventID: "weekly01_20250310T090000Z")
        let plain = EmulatorFixture.ids(EmulatorFixture.items(try fixture.listAll()))
        #expect(Set(plain) == ["weekly01", "weekly01_20250310T090000Z"])
        let all = EmulatorFixture.ids(EmulatorFixture.items(try fixture.listAll("showDeleted=true")))
        #expect(Set(all) == ["gone0", "weekly01", "weekly01_20250310T090000Z"])
    }

    @Test(arguments: [
        "iCalUID=x@google.com", "orderBy=updated", "privateExtendedProperty=a%3Db", "q=standup",
        "sharedExtendedProperty=a%3Db", "timeMin=2025-01-01T00:00:00Z", "timeMax=2025-01-01T00:00:00Z",
        "updatedMin=2025-01-01T00:00:00Z",
    ])
    func filtersForbiddenBesideASyncTokenAre400(parameter: String) throws {
        let fixture = try EmulatorFixture(events: [EmulatorFixture.timedEvent()])
        defer { fixture.stop() }
        let token = try syncToken(fixture)
        let response = try fixture.api("\(EmulatorFixture.calendarPath)/events", query: "syncToken=\(token)&\(parameter)")
        #expect(response.status == 400)
        #expect(EmulatorFixture.reason(response) == "invalid")
    }

    static func expectFullSyncRequired(_ response: HTTPResponse) throws {
        #expect(response.status == 410)
        let error = try #require(try EmulatorFixture.json(response)["error"] as? [String: Any])
        #expect(error["code"] as? Int == 410)
        #expect(error["message"] as? String == "Sync token is no longer valid, a full sync is required.")
        let item = try #require((error["errors"] as? [[String: Any]])?.first)
        #expect(item["domain"] as? String == "global")
        #expect(item["reason"] as? String == "fullSyncRequired")
        #expect(item["message"] as? String == "Sync token is no longer valid, a full sync is required.")
    }

    @Test func anInvalidatedTokenIs410AndAFreshOneWorks() throws {
        let fixture = try EmulatorFixture(events: [EmulatorFixture.timedEvent()])
        defer { fixture.stop() }
        let token = try syncToken(fixture)
        try fixture.emulator.invalidateSyncTokens(calendarID: EmulatorFixture.email)
        try Self.expectFullSyncRequired(fixture.api("\(EmulatorFixture.calendarPath)/events", query: "syncToken=\(token)"))
        let fresh = try syncToken(fixture)
        #expect(try fixture.api("\(EmulatorFixture.calendarPath)/events", query: "syncToken=\(fresh)").status == 200)
    }

    @Test(arguments: ["garbage", "", "c3wx"])
    func aMalformedTokenIs410(token: String) throws {
        let fixture = try EmulatorFixture()
        defer { fixture.stop() }
        let query = token.isEmpty ? "syncToken=" + Data("s\nother-run\nx\n1".utf8).base64EncodedString() : "syncToken=\(token)"
        try Self.expectFullSyncRequired(fixture.api("\(EmulatorFixture.calendarPath)/events", query: query))
    }

    @Test func aTokenOfAnotherCalendarIs410() throws {
        let fixture = try EmulatorFixture()
        defer { fixture.stop() }
        try fixture.emulator.addCalendar(account: EmulatorFixture.email, id: "other@group.calendar.google.com")
        let token = try syncToken(fixture)
        try Self.expectFullSyncRequired(fixture.api("calendars/other%40group.calendar.google.com/events", query: "syncToken=\(token)"))
    }

    @Test func theCalendarListSyncReportsRemovedCalendars() throws {
        let fixture = try EmulatorFixture()
        defer { fixture.stop() }
        try fixture.emulator.addCalendar(account: EmulatorFixture.email, id: "team@group.calendar.google.com", summary: "Team")
        let pages = try fixture.listAll(path: "users/me/calendarList")
        #expect(EmulatorFixture.items(pages).count == 2)
        let token = try #require(pages.last?["nextSyncToken"] as? String)
        try fixture.emulator.removeCalendar(account: EmulatorFixture.email, calendarID: "team@group.calendar.google.com")
        let changes = try EmulatorFixture.json(fixture.api("users/me/calendarList", query: "syncToken=\(token)"))
        let items = changes["items"] as? [[String: Any]] ?? []
        #expect(items.count == 1)
        #expect(items.first?["id"] as? String == "team@group.calendar.google.com")
        #expect(items.first?["deleted"] as? Bool == true)
        // A full list leaves it out; the removed calendar is out of reach.
        #expect(EmulatorFixture.items(try fixture.listAll(path: "users/me/calendarList")).count == 1)
        #expect(try fixture.api("calendars/team%40group.calendar.google.com/events").status == 404)
        let forbidden = try fixture.api("users/me/calendarList", query: "syncToken=\(token)&minAccessRole=owner")
        #expect(forbidden.status == 400)
        try fixture.emulator.invalidateSyncTokens()
        try Self.expectFullSyncRequired(fixture.api("users/me/calendarList", query: "syncToken=\(token)"))
    }
}
