import Foundation
import ICalendar
import Testing

@Suite struct MirrorObjectTests {
    static let mirror = MirrorObject.Mirror(
        id: "k3v9q2mirror0000000000000a", summary: "Busy; maybe, \"really\"", location: "Room 4\nsecond floor",
        start: .dateTime(CivilTime.instant(fromRFC3339: "2026-03-02T09:30:00+01:00")!, zone: "Europe/Berlin"),
        end: .dateTime(CivilTime.instant(fromRFC3339: "2026-03-02T10:00:00+01:00")!, zone: "Europe/Berlin"),
        recurrence: ["RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=8", "EXDATE;TZID=Europe/Berlin:20260316T093000", "X-EVIL:nope"],
        source: "google:ada@example.com:standup", sequence: 2)

    @Test func aMirrorReadsBackAsAPrivateOpaqueMarkedSeries() throws {
        let text = String(decoding: MirrorObject.calendarObject(Self.mirror, stamp: Date(timeIntervalSince1970: 1_790_000_000)), as: UTF8.self)
        let components = try ICalParser.parse(text)
        var zones = ICalZones(components)
        let event = try #require(try ICalEvent.events(in: components, zones: &zones).first)
        #expect(event.uid == "k3v9q2mirror0000000000000a@calworker" && event.classification == "PRIVATE" && !event.transparent)
        #expect(event.summary == "Busy; maybe, \"really\"" && event.location == "Room 4\nsecond floor" && event.sequence == 2)
        #expect(event.extensions[MirrorObject.markProperty] == "google:ada@example.com:standup")
        #expect(event.rules == ["FREQ=WEEKLY;BYDAY=MO;COUNT=8"] && event.exdates.count == 1, "an X- line is not a recurrence line")
        let occurrences = try ICalExpansion.occurrences(
            of: [event], in: ICalExpansionTests.window, floatingZone: TimeZone(identifier: "UTC")!)
        #expect(occurrences.count == 7, "eight Mondays, one excepted")
        #expect(occurrences.last.map { CivilTime.utc($0.start) } == "20260420T073000Z", "09:30 in Berlin after the change to summer time")
        #expect(text.contains("BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin"), "its zone is defined")
    }

    @Test func pythonsParserReadsTheSameMirror() throws {
        let output = try FeedTestSupport.python(
            """
            import icalendar, json, sys
            calendar = icalendar.Calendar.from_ical(open(sys.argv[1], "rb").read())
            event = calendar.walk("VEVENT")[0]
            print(json.dumps([str(event["UID"]), str(event["CLASS"]), str(event["TRANSP"]), str(event["X-CALWORKER-MIRROR"]),
                              event["DTSTART"].dt.isoformat(), str(event["SUMMARY"])]))
            """, feed: MirrorObject.calendarObject(Self.mirror, stamp: Date()))
        let fields = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String] ?? []
        #expect(
            fields == [
                "k3v9q2mirror0000000000000a@calworker", "PRIVATE", "OPAQUE", "google:ada@example.com:standup", "2026-03-02T09:30:00+01:00",
                "Busy; maybe, \"really\"",
            ])
    }
}
