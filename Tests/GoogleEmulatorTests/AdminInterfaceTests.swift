import Foundation
import GoogleEmulator
import HTTPClient
import Testing

/// The `/admin` HTTP interface: seeding, user edits, removal, revocation, state and stats.
@Suite struct AdminInterfaceTests {
    @Test func seedingAndEditingOverHTTP() throws {
        let fixture = try EmulatorFixture()
        defer { fixture.stop() }
        let seed: [String: Any] = [
            "accounts": [
                [
                    "email": "b@example.com", "refresh_token": "rt-b",
                    "calendars": [
                        [
                            "summary": "B", "primary": true, "timeZone": "America/New_York",
                            "events": [["id": "evt_b_1", "summary": "Lunch", "start": ["date": "2025-03-01"], "end": ["date": "2025-03-02"]]],
                        ]
                    ],
                ]
            ]
        ]
        #expect(try fixture.admin("POST", "seed", json: seed).status == 200)
        let token = try EmulatorFixture.json(fixture.token("grant_type=refresh_token&refresh_token=rt-b&\(TokenEndpointTests.client)"))
        let bearer = try #require(token["access_token"] as? String)
        let listed = try EmulatorFixture.json(fixture.api("calendars/b%40example.com/events", token: bearer))
        #expect(EmulatorFixture.ids(listed["items"] as? [[String: Any]] ?? []) == ["evt_b_1"])
        #expect(listed["timeZone"] as? String == "America/New_York")

        let created = try fixture.admin("POST", "calendars/b%40example.com/events", json: EmulatorFixture.timedEvent(summary: "Dentist"))
        #expect(created.status == 200)
        let id = try #require(try EmulatorFixture.json(created)["id"] as? String)
        #expect(try fixture.admin("PATCH", "calendars/b%40example.com/events/\(id)", json: ["summary": "Doctor"]).status == 200)
        #expect(try fixture.admin("DELETE", "calendars/b%40example.com/events/evt_b_1").status == 204)
        #expect(try fixture.admin("DELETE", "calendars/b%40example.com/events/evt_b_1").status == 410)

        let state = try EmulatorFixture.json(fixture.admin("GET", "state"))
        let calendars = state["calendars"] as? [[String: Any]] ?? []
        let b = try #require(calendars.first { $0["id"] as? String == "b@example.com" })
        let events = b["events"] as? [[String: Any]] ?? []
        #expect(events.map { $0["status"] as? String } == ["cancelled", "confirmed"])
        #expect(events.last?["summary"] as? String == "Doctor")
        #expect((state["accounts"] as? [[String: Any]])?.count == 2)
    }

    @Test func revokeExpireAndRemoveOverHTTP() throws {
        let fixture = try EmulatorFixture()
        defer { fixture.stop() }
        #expect(
            try fixture.admin("POST", "accounts/a%40example.com/calendars", json: ["id": "team@group.calendar.google.com", "summary": "Team"]).status
                == 200)
        #expect(try fixture.api("calendars/team%40group.calendar.google.com/events").status == 200)
        #expect(try fixture.admin("DELETE", "accounts/a%40example.com/calendars/team%40group.calendar.google.com").status == 204)
        #expect(try fixture.api("calendars/team%40group.calendar.google.com/events").status == 404)
        #expect(try fixture.admin("POST", "tokens/expire").status == 200)
        #expect(try fixture.api("users/me/calendarList").status == 401)
        #expect(try fixture.admin("POST", "accounts/a%40example.com/revoke").status == 200)
        #expect(try fixture.token("grant_type=refresh_token&refresh_token=rt-a&\(TokenEndpointTests.client)").status == 400)
        #expect(try fixture.admin("POST", "accounts/nobody%40example.com/revoke").status == 404)
    }

    @Test func invalidationOverHTTP() throws {
        let fixture = try EmulatorFixture(events: [EmulatorFixture.timedEvent()])
        defer { fixture.stop() }
        let token = try #require(try fixture.listAll().last?["nextSyncToken"] as? String)
        #expect(try fixture.admin("POST", "calendars/a%40example.com/invalidate-sync-tokens").status == 200)
        #expect(try fixture.api("\(EmulatorFixture.calendarPath)/events", query: "syncToken=\(token)").status == 410)
        let fresh = try #require(try fixture.listAll().last?["nextSyncToken"] as? String)
        #expect(try fixture.admin("POST", "invalidate-sync-tokens").status == 200)
        #expect(try fixture.api("\(EmulatorFixture.calendarPath)/events", query: "syncToken=\(fresh)").status == 410)
    }

    @Test func statsCountRequestsByRouteAndStatus() throws {
        let fixture = try EmulatorFixture()
        defer { fixture.stop() }
        _ = try fixture.api("users/me/calendarList")
        _ = try fixture.api("users/me/calendarList")
        _ = try fixture.api("\(EmulatorFixture.calendarPath)/events/nosuchevent")
        _ = try fixture.api("users/me/calendarList", token: "")
        #expect(fixture.emulator.requestCount(method: "GET", route: "users/me/calendarList", status: 200) == 2)
        #expect(fixture.emulator.requestCount(route: "calendars/{calendarId}/events/{eventId}", status: 404) == 1)
        #expect(fixture.emulator.requestCount(status: 401) == 1)
        let stats = try EmulatorFixture.json(fixture.admin("GET", "stats"))
        #expect(stats["total"] as? Int == 4)
        let rows = stats["requests"] as? [[String: Any]] ?? []
        #expect(rows.contains { $0["route"] as? String == "users/me/calendarList" && $0["status"] as? Int == 200 && $0["count"] as? Int == 2 })
    }

    @Test func optionsOverHTTP() throws {
        let fixture = try EmulatorFixture()
        defer { fixture.stop() }
        #expect(try fixture.admin("POST", "options", json: ["shortPages": true, "shortPagesSeed": 3]).status == 200)
        #expect(fixture.emulator.options.shortPages)
        #expect(try fixture.admin("POST", "options", json: ["nonsense": 1]).status == 400)
        #expect(try fixture.admin("GET", "nowhere").status == 404)
    }
}
