import Foundation
import ICalendar
import Reminders
import TestSupport
import Testing

/// Feeds read by other people's code: the Python `icalendar` package parses them, and
/// `recurring-ical-events` expands their series to the occurrences calworker's own expander
/// (the one reminders use) gives, across changes of summer time.
@Suite struct PythonInteropTests {
    static let year = CivilTime.instant(fromRFC3339: "2026-01-01T00:00:00Z")!...CivilTime.instant(fromRFC3339: "2027-01-01T00:00:00Z")!

    @Test func hostileTitlesRoundTripThroughPythonsParser() throws {
        let titles = [
            "Line one\nline two", "a;b,c\\d", String(repeating: "long title ", count: 60), "🗓️ Offsite 🏔️ 日本 ✓",
            "BEGIN:VEVENT\r\nSUMMARY:injected", "tab\there", "quote \" and colon: here", "\u{07}bell and nul\u{00}", "", " ",
        ]
        let events = titles.enumerated().map { index, title in
            FeedEvent(
                id: "e\(index)", summary: title, description: "desc of \(index): " + title, location: "loc; \(index), \"x\"",
                start: .dateTime(CivilTime.instant(fromRFC3339: "2026-12-0\(index % 9 + 1)T09:00:00Z")!, zone: "Europe/Berlin"))
        }
        let output = try FeedTestSupport.python(
            """
            import icalendar, json, sys
            calendar = icalendar.Calendar.from_ical(open(sys.argv[1], "rb").read())
            events = [{"uid": str(e["UID"]), "summary": str(e.get("SUMMARY", "")), "description": str(e.get("DESCRIPTION", "")),
                       "location": str(e.get("LOCATION", ""))} for e in calendar.walk("VEVENT")]
            assert calendar.to_ical()  # and it writes it back
            print(json.dumps(events))
            """, feed: try FeedTestSupport.feed(events, range: Self.year))
        let parsed = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [[String: String]] ?? []
        #expect(parsed.count == titles.count)
        func expected(_ text: String) -> String {
            // What a TEXT value can carry: line breaks become "\n", other controls are gone.
            String(
                String.UnicodeScalarView(
                    text.replacingOccurrences(of: "\r\n", with: "\n").unicodeScalars
                        .filter { $0 == "\n" || $0 == "\t" || ($0.value >= 0x20 && $0.value != 0x7F) }))
        }
        for (index, title) in titles.enumerated() {
            let event = parsed.first { $0["uid"] == "e\(index)@google.com" }
            #expect(event?["summary"] == expected(title), "title \(index)")
            #expect(event?["description"] == expected("desc of \(index): " + title), "description \(index)")
            #expect(event?["location"] == "loc; \(index), \"x\"")
        }
    }

    @Test func pythonExpandsTheSeriesToTheOccurrencesOfCalworkersExpanderAcrossSummerTime() throws {
        func instant(_ text: String) -> Date { CivilTime.instant(fromRFC3339: text)! }
        // Mondays 09:30 in Berlin from 2 March (summer time from 29 March), one moved, one cancelled;
        // Sundays 23:30 in New York from 1 March (summer time from 8 March); an all-day series.
        let berlin = FeedEvent(
            id: "standup", uid: "standup@test", summary: "Standup",
            start: .dateTime(instant("2026-03-02T09:30:00+01:00"), zone: "Europe/Berlin"),
            end: .dateTime(instant("2026-03-02T09:45:00+01:00"), zone: "Europe/Berlin"),
            recurrence: ["RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=12", "EXDATE;TZID=Europe/Berlin:20260316T093000"])
        let moved = FeedEvent(
            id: "standup_1", uid: "standup@test", summary: "Standup (moved)",
            start: .dateTime(instant("2026-04-06T14:00:00+02:00"), zone: "Europe/Berlin"),
            end: .dateTime(instant("2026-04-06T14:15:00+02:00"), zone: "Europe/Berlin"),
            recurringEventID: "standup", originalStart: .dateTime(instant("2026-04-06T09:30:00+02:00"), zone: "Europe/Berlin"))
        let cancelled = FeedEvent(
            id: "standup_2", uid: "standup@test", status: "cancelled",
            start: .dateTime(instant("2026-04-13T09:30:00+02:00"), zone: "Europe/Berlin"), recurringEventID: "standup",
            originalStart: .dateTime(instant("2026-04-13T09:30:00+02:00"), zone: "Europe/Berlin"))
        let newYork = FeedEvent(
            id: "late", uid: "late@test", summary: "Late call",
            start: .dateTime(instant("2026-03-01T23:30:00-05:00"), zone: "America/New_York"),
            end: .dateTime(instant("2026-03-02T00:30:00-05:00"), zone: "America/New_York"),
            recurrence: ["RRULE:FREQ=WEEKLY;UNTIL=20260412T035959Z"])
        let allDay = FeedEvent(
            id: "payday", uid: "payday@test", summary: "Payday", start: .date("20260115"), end: .date("20260116"),
            recurrence: ["RRULE:FREQ=MONTHLY;BYMONTHDAY=15;COUNT=6"])
        let feed = try FeedTestSupport.feed([berlin, moved, cancelled, newYork, allDay], range: Self.year)
        let output = try FeedTestSupport.python(
            """
            import datetime, icalendar, json, recurring_ical_events, sys
            calendar = icalendar.Calendar.from_ical(open(sys.argv[1], "rb").read())
            found = []
            for event in recurring_ical_events.of(calendar).between(datetime.date(2026, 1, 1), datetime.date(2027, 1, 1)):
                start = event["DTSTART"].dt
                if isinstance(start, datetime.datetime):
                    start = start.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
                else:
                    start = start.isoformat()
                found.append(str(event["UID"]) + " " + start)
            print(json.dumps(sorted(found)))
            """, feed: feed)
        let python = Set(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String] ?? [])

        let utc = ISO8601DateFormatter()
        func timed(_ event: FeedEvent, zone: String, first: String, minus: [Date] = [], plus: [Date] = []) throws -> Set<String> {
            let lines = event.recurrence + minus.map { "EXDATE:" + CivilTime.utc($0) }
            let starts = try Recurrence(lines: lines).occurrences(
                first: instant(first), zone: TimeZone(identifier: zone)!,
                from: Self.year.lowerBound, to: Self.year.upperBound)
            return Set((starts + plus).map { event.uid + " " + utc.string(from: $0) })
        }
        var calworker = try timed(
            berlin, zone: "Europe/Berlin", first: "2026-03-02T09:30:00+01:00",
            minus: [instant("2026-04-06T09:30:00+02:00"), instant("2026-04-13T09:30:00+02:00")],
            plus: [instant("2026-04-06T14:00:00+02:00")])
        calworker.formUnion(try timed(newYork, zone: "America/New_York", first: "2026-03-01T23:30:00-05:00"))
        calworker.formUnion(
            try Recurrence(lines: allDay.recurrence).allDayOccurrences(first: "2026-01-15", from: "2026-01-01", to: "2027-01-01")
                .map { "payday@test " + $0 })
        #expect(
            python == calworker, "only Python: \(python.subtracting(calworker).sorted()); only calworker: \(calworker.subtracting(python).sorted())")
        #expect(
            calworker.contains("standup@test 2026-03-23T08:30:00Z") && calworker.contains("standup@test 2026-03-30T07:30:00Z"),
            "09:30 in Berlin on both sides of the change")
        #expect(
            calworker.count == 10 + 6 + 6,
            "12 Mondays less the EXDATE, the moved and the cancelled ones, plus the moved one at its new time; 6 calls; 6 paydays")
    }
}
