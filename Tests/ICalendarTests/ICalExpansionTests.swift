import Foundation
import ICalendar
import Testing

/// The parser and the expander against Python's `icalendar` and `recurring-ical-events`
/// reading the same file: every occurrence of 2026, its start, end, title and status.
@Suite struct ICalExpansionTests {
    static let window = CivilTime.instant(fromRFC3339: "2026-01-01T00:00:00Z")!..<CivilTime.instant(fromRFC3339: "2027-01-01T00:00:00Z")!
    static let berlin = TimeZone(identifier: "Europe/Berlin")!

    static func ours(_ text: String) throws -> [[String]] {
        let components = try ICalParser.parse(text)
        var zones = ICalZones(components)
        let events = try ICalEvent.events(in: components, zones: &zones)
        #expect(zones.unknown.isEmpty, "\(zones.unknown)")
        let byUID = Dictionary(grouping: events, by: \.uid)
        var rows: [[String]] = []
        for (_, series) in byUID {
            for occurrence in try ICalExpansion.occurrences(of: series, in: window, floatingZone: berlin) {
                func time(_ date: Date, _ day: String?) -> String {
                    day ?? ISO8601DateFormatter().string(from: date)
                }
                rows.append([
                    occurrence.uid, time(occurrence.start, occurrence.startDay), time(occurrence.end, occurrence.endDay),
                    occurrence.event.summary ?? "", occurrence.event.status.rawValue,
                ])
            }
        }
        return rows.sorted { $0.lexicographicallyPrecedes($1) }
    }

    static func python(_ text: String) throws -> [[String]] {
        let output = try FeedTestSupport.python(
            """
            import datetime, icalendar, json, recurring_ical_events, sys, zoneinfo
            calendar = icalendar.Calendar.from_ical(open(sys.argv[1], "rb").read())
            floating = zoneinfo.ZoneInfo("Europe/Berlin")
            def text(value):
                if isinstance(value, datetime.datetime):
                    if value.tzinfo is None:
                        value = value.replace(tzinfo=floating)
                    return value.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
                return value.isoformat()
            rows = []
            start = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
            end = datetime.datetime(2027, 1, 1, tzinfo=datetime.timezone.utc)
            for event in recurring_ical_events.of(calendar).between(start, end):
                begin = event["DTSTART"].dt
                if "DTEND" in event:
                    finish = event["DTEND"].dt
                elif "DURATION" in event:
                    finish = begin + event["DURATION"].dt
                else:
                    finish = begin
                rows.append([str(event["UID"]), text(begin), text(finish), str(event.get("SUMMARY", "")),
                             str(event.get("STATUS", "CONFIRMED"))])
            print(json.dumps(sorted(rows)))
            """, feed: Array(text.utf8))
        return try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [[String]] ?? []
    }

    @Test func everyOccurrenceOf2026IsPythonsAcrossSummerTime() throws {
        let ours = try Self.ours(ICalFixtures.calendar)
        let theirs = try Self.python(ICalFixtures.calendar)
        #expect(ours.count == theirs.count, "ours \(ours.count), Python's \(theirs.count)")
        for row in Set(ours.map { $0.joined(separator: " | ") }).symmetricDifference(theirs.map { $0.joined(separator: " | ") }).sorted() {
            Issue.record("only in \(ours.contains { $0.joined(separator: " | ") == row } ? "ours" : "Python's"): \(row)")
        }
        // What the fixtures are there for, checked without Python too.
        #expect(ours.contains(["standup@example.com", "2026-03-23T08:30:00Z", "2026-03-23T08:45:00Z", "Standup, daily; short", "CONFIRMED"]))
        #expect(ours.contains(["standup@example.com", "2026-03-30T07:30:00Z", "2026-03-30T07:45:00Z", "Standup, daily; short", "CONFIRMED"]))
        #expect(!ours.contains { $0[0] == "standup@example.com" && $0[1].hasPrefix("2026-03-16") }, "EXDATE")
        #expect(ours.contains { $0[1] == "2026-04-06T12:00:00Z" && $0[3] == "Standup (moved)" })
        #expect(ours.contains { $0[1] == "2026-04-13T07:30:00Z" && $0[4] == "CANCELLED" })
        #expect(!ours.contains { $0[0] == "birthday@example.com" }, "no 29 February in 2026")
        #expect(ours.filter { $0[0] == "holiday@example.com" }.map { $0[1] } == ["2026-07-20", "2026-08-03", "2026-08-17", "2026-08-31"])
        #expect(
            ours.filter { $0[0] == "lastweekday@example.com" }.map { String($0[1].prefix(10)) }.prefix(3) == [
                "2026-01-30", "2026-02-27", "2026-03-31",
            ])
        #expect(ours.filter { $0[0] == "secondmonday@example.com" }.count == 12)
    }

    @Test func theEventModelReadsWhatThePlannerNeeds() throws {
        let components = try ICalParser.parse(ICalFixtures.calendar)
        var zones = ICalZones(components)
        let events = try ICalEvent.events(in: components, zones: &zones)
        let once = try #require(events.first { $0.uid == "once@example.com" })
        #expect(once.summary?.hasSuffix("as RFC 5545 asks, with ümlauts and 🗓️ emoji that may be split at a fold") == true)
        #expect(once.participation(of: ["ada@example.com"]) == "ACCEPTED" && once.participation(of: ["bob@example.com"]) == "DECLINED")
        #expect(once.participation(of: ["eve@example.com"]) == nil && once.organizer == "carol@example.com")
        let standup = try #require(events.first { $0.uid == "standup@example.com" && $0.recurrenceID == nil })
        #expect(standup.extensions["X-CALWORKER-MIRROR"] == "google:primary:abc" && standup.classification == "PUBLIC")
        #expect(events.first { $0.uid == "late-call@example.com" }?.transparent == true)
        #expect(events.first { $0.uid == "payday@example.com" }?.classification == "PRIVATE")
        if case .zoned(_, let zone) = standup.start { #expect(zone.identifier == "Europe/Berlin") } else { Issue.record("not zoned") }
    }
}
