import Foundation
import GoogleEmulator
import HTTPClient
import Testing

/// The filters of a full `events.list`, and recurring instances addressed by id.
@Suite struct ListFilterTests {
    static let events = "\(EmulatorFixture.calendarPath)/events"

    static func fixture() throws -> EmulatorFixture {
        var mirror = EmulatorFixture.timedEvent(id: "mirror001", summary: "Busy", day: 10)
        mirror["extendedProperties"] = ["private": ["calworkerMirror": "1"]]
        var focus = EmulatorFixture.timedEvent(id: "focus0001", summary: "Deep work", day: 12)
        focus["eventType"] = "focusTime"
        return try EmulatorFixture(events: [
            EmulatorFixture.timedEvent(id: "early0001", summary: "Early", day: 1),
            mirror, focus,
            ["id": "allday001", "summary": "Offsite", "start": ["date": "2025-03-20"], "end": ["date": "2025-03-22"]],
            IncrementalSyncTests.series,
        ])
    }

    func ids(_ fixture: EmulatorFixture, _ query: String) throws -> Set<String> {
        Set(EmulatorFixture.ids(EmulatorFixture.items(try fixture.listAll(query))))
    }

    @Test func theTimeWindowBoundsEndsAndStarts() throws {
        let fixture = try Self.fixture()
        defer { fixture.stop() }
        // timeMin bounds the end, timeMax the start, both exclusive; a series without an end
        // counts from its first start on.
        #expect(try ids(fixture, "timeMin=2025-03-09T00:00:00Z&timeMax=2025-03-21T00:00:00Z") == ["mirror001", "focus0001", "allday001", "weekly01"])
        #expect(try ids(fixture, "timeMax=2025-03-02T00:00:00Z") == ["early0001"])
        #expect(try ids(fixture, "timeMin=2025-03-01T08:30:00Z&timeMax=2025-03-02T00:00:00Z") == [])
        let empty = try fixture.api(Self.events, query: "timeMin=2025-03-21T00:00:00Z&timeMax=2025-03-20T00:00:00Z")
        #expect(empty.status == 400)
        #expect(EmulatorFixture.reason(empty) == "timeRangeEmpty")
        #expect(try fixture.api(Self.events, query: "timeMin=2025-03-21").status == 400)
    }

    @Test func propertyTypeAndTextFilters() throws {
        let fixture = try Self.fixture()
        defer { fixture.stop() }
        #expect(try ids(fixture, "privateExtendedProperty=calworkerMirror%3D1") == ["mirror001"])
        #expect(try ids(fixture, "sharedExtendedProperty=calworkerMirror%3D1") == [])
        #expect(try ids(fixture, "eventTypes=focusTime") == ["focus0001"])
        #expect(try ids(fixture, "eventTypes=focusTime&eventTypes=default").count == 5)
        #expect(try ids(fixture, "q=deep+WORK") == ["focus0001"])
        #expect(try ids(fixture, "iCalUID=allday001%40google.com") == ["allday001"])
        #expect(try fixture.api(Self.events, query: "singleEvents=true").status == 400)
        #expect(try fixture.api(Self.events, query: "orderBy=startTime").status == 400)
    }

    @Test func updatedMinAndOrderByUpdated() throws {
        let fixture = try Self.fixture()
        defer { fixture.stop() }
        Thread.sleep(forTimeInterval: 0.01)
        let mark = Date()
        Thread.sleep(forTimeInterval: 0.01)
        try fixture.emulator.patchEvent(calendarID: EmulatorFixture.email, eventID: "early0001", ["summary": "Earlier"])
        try fixture.emulator.deleteEvent(calendarID: EmulatorFixture.email, eventID: "allday001")
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let since = formatter.string(from: mark.addingTimeInterval(-0.005))
        // Deletions since updatedMin come back without showDeleted.
        let changed = EmulatorFixture.items(try fixture.listAll("updatedMin=\(since)"))
        #expect(Set(EmulatorFixture.ids(changed)) == ["early0001", "allday001"])
        let ordered = EmulatorFixture.ids(EmulatorFixture.items(try fixture.listAll("orderBy=updated&maxResults=2")))
        #expect(ordered.suffix(1) == ["early0001"])
        #expect(Set(ordered) == ["mirror001", "focus0001", "weekly01", "early0001"])
    }

    @Test func anInstanceOfASeriesCanBeReadAndChangedById() throws {
        let fixture = try Self.fixture()
        defer { fixture.stop() }
        let instancePath = "\(Self.events)/weekly01_20250317T090000Z"
        let instance = try EmulatorFixture.json(fixture.api(instancePath))
        #expect(instance["recurringEventId"] as? String == "weekly01")
        #expect((instance["originalStartTime"] as? [String: Any])?["dateTime"] as? String == "2025-03-17T10:00:00+01:00")
        #expect((instance["end"] as? [String: Any])?["dateTime"] as? String == "2025-03-17T11:00:00+01:00")
        #expect(instance["recurrence"] == nil)
        #expect(try fixture.api("\(Self.events)/weekly01_20250217T090000Z").status == 404)  // before the series starts
        let moved = try fixture.api(
            "PATCH", instancePath,
            json: [
                "start": ["dateTime": "2025-03-17T12:00:00+01:00"],
                "end": ["dateTime": "2025-03-17T13:00:00+01:00"],
            ])
        #expect(moved.status == 200)
        #expect(try EmulatorFixture.json(moved)["sequence"] as? Int == 1)
        let listed = try ids(fixture, "")
        #expect(listed.contains("weekly01_20250317T090000Z"))
        #expect(try fixture.api("DELETE", instancePath).status == 204)
        #expect(try fixture.api("DELETE", instancePath).status == 410)
    }
}
