import Foundation
import ICalendar
import Testing

/// What the writer puts in a feed, read back line by line (unfolded).
@Suite struct FeedWriterTests {
    static let berlin = TimeZone(identifier: "Europe/Berlin")!
    static let range = ISO8601DateFormatter().date(from: "2026-01-01T00:00:00Z")!...ISO8601DateFormatter().date(from: "2027-01-01T00:00:00Z")!

    static func instant(_ text: String) -> Date { CivilTime.instant(fromRFC3339: text)! }

    /// The feed's unfolded lines.
    static func render(_ events: [FeedEvent], detail: FeedDetail = .full(attendees: false)) throws -> [String] {
        var bytes: [UInt8] = []
        let writer = FeedWriter(name: "Ada, private", detail: detail, range: range) { bytes += $0 }
        try writer.begin()
        try writer.write(events: events)
        try writer.finish()
        let lines: [String] = String(decoding: bytes, as: UTF8.self).replacing("\r\n ", with: "").components(separatedBy: "\r\n")
        #expect(lines.last == "", "the feed ends with CRLF")
        return Array(lines.prefix(max(0, lines.count - 1)))
    }

    static let standup = FeedEvent(
        id: "standup", uid: "standup@google.com", summary: "Standup",
        start: .dateTime(Self.instant("2026-03-23T09:30:00+01:00"), zone: "Europe/Berlin"),
        end: .dateTime(Self.instant("2026-03-23T09:45:00+01:00"), zone: "Europe/Berlin"),
        recurrence: ["RRULE:FREQ=WEEKLY;COUNT=10"], updated: Self.instant("2026-03-01T10:00:00Z"))

    @Test func aSeriesWithAMovedAndACancelledOccurrence() throws {
        let moved = FeedEvent(
            id: "standup_20260330T073000Z", uid: "standup@google.com", summary: "Standup (late)",
            start: .dateTime(Self.instant("2026-03-30T11:00:00+02:00"), zone: "Europe/Berlin"),
            end: .dateTime(Self.instant("2026-03-30T11:15:00+02:00"), zone: "Europe/Berlin"),
            recurringEventID: "standup", originalStart: .dateTime(Self.instant("2026-03-30T09:30:00+02:00"), zone: "Europe/Berlin"))
        let cancelled = FeedEvent(
            id: "standup_20260406T073000Z", uid: "standup@google.com", status: "cancelled",
            start: .dateTime(Self.instant("2026-04-06T09:30:00+02:00"), zone: "Europe/Berlin"), recurringEventID: "standup",
            originalStart: .dateTime(Self.instant("2026-04-06T09:30:00+02:00"), zone: "Europe/Berlin"))
        let lines = try Self.render([moved, Self.standup, cancelled])
        #expect(lines.filter { $0 == "BEGIN:VEVENT" }.count == 2, "the series and its moved occurrence; the cancelled one is an EXDATE")
        #expect(lines.contains("DTSTART;TZID=Europe/Berlin:20260323T093000") && lines.contains("RRULE:FREQ=WEEKLY;COUNT=10"))
        #expect(lines.contains("EXDATE;TZID=Europe/Berlin:20260406T093000"))
        #expect(lines.contains("RECURRENCE-ID;TZID=Europe/Berlin:20260330T093000") && lines.contains("DTSTART;TZID=Europe/Berlin:20260330T110000"))
        #expect(lines.filter { $0 == "UID:standup@google.com" }.count == 2)
        #expect(lines.contains("DTSTAMP:20260301T100000Z") && lines.contains("LAST-MODIFIED:20260301T100000Z"), "stable, not the time of writing")
        #expect(lines.contains("BEGIN:VTIMEZONE") && lines.contains("TZID:Europe/Berlin") && lines.last == "END:VCALENDAR")
        #expect(lines.contains("X-WR-CALNAME:Ada\\, private"))
    }

    @Test func allDayEventsAreDatesAndUnknownZonesAreUTC() throws {
        let holiday = FeedEvent(id: "h", summary: "Holiday", start: .date("20261224"), end: .date("20261227"))
        let nowhere = FeedEvent(
            id: "n", summary: "Somewhere", start: .dateTime(Self.instant("2026-12-05T08:00:00Z"), zone: nil),
            end: .dateTime(Self.instant("2026-12-05T09:00:00Z"), zone: nil))
        let lines = try Self.render([holiday, nowhere])
        #expect(lines.contains("DTSTART;VALUE=DATE:20261224") && lines.contains("DTEND;VALUE=DATE:20261227"))
        #expect(lines.contains("DTSTART:20261205T080000Z") && lines.contains("DTEND:20261205T090000Z"))
        #expect(!lines.contains("BEGIN:VTIMEZONE"), "no zone used, none written")
    }

    @Test func aBusyFeedShowsTimesAndTheTitleOnly() throws {
        var secret = Self.standup
        secret.description = "Board: acquisition of Example Corp"
        secret.location = "Room 4"
        secret.attendees = [.init(email: "ceo@example.com", response: "accepted")]
        let free = FeedEvent(
            id: "free", summary: "Lunch (free)", start: .dateTime(Self.instant("2026-12-05T12:00:00Z"), zone: nil), transparent: true)
        let lines = try Self.render([secret, free], detail: .busy(title: "Busy"))
        #expect(lines.contains("SUMMARY:Busy") && lines.contains("CLASS:PRIVATE"))
        #expect(!lines.contains { $0.contains("Standup") || $0.contains("Example Corp") || $0.contains("Room 4") || $0.contains("ceo@") })
        #expect(!lines.contains { $0.contains("Lunch") } && lines.filter { $0 == "BEGIN:VEVENT" }.count == 1, "a free event blocks nothing")
        let full = try Self.render([secret], detail: .full(attendees: false))
        #expect(full.contains("DESCRIPTION:Board: acquisition of Example Corp") && !full.contains { $0.contains("ceo@") })
        #expect(try Self.render([secret], detail: .full(attendees: true)).contains("ATTENDEE;PARTSTAT=ACCEPTED:mailto:ceo@example.com"))
    }

    @Test func hostileRecurrenceLinesFromGoogleAreDropped() throws {
        var series = Self.standup
        series.recurrence = [
            "RRULE:FREQ=DAILY;COUNT=3", "X-EVIL:1\r\nBEGIN:VEVENT", "RRULE:FREQ=DAILY\r\nSUMMARY:injected",
            "EXDATE;TZID=Mars/Olympus:20260324T093000", "EXDATE;TZID=Europe/Berlin:20260324T093000", "DESCRIPTION:x",
        ]
        let lines = try Self.render([series])
        #expect(lines.filter { $0.hasPrefix("RRULE") } == ["RRULE:FREQ=DAILY;COUNT=3"])
        #expect(lines.filter { $0.hasPrefix("EXDATE") } == ["EXDATE;TZID=Europe/Berlin:20260324T093000"])
        #expect(!lines.contains { $0.contains("injected") || $0.contains("X-EVIL") || $0 == "DESCRIPTION:x" })
    }

    @Test func googleJSONWithWrongTypesIsReadAsFarAsItMakesSense() throws {
        let event = try #require(
            FeedEvent(
                googleJSON: Data(
                    """
                    {"id": "e1", "status": "weird", "summary": 42, "sequence": -5, "iCalUID": "e1@google.com",
                     "start": {"dateTime": "2026-12-05T09:00:00+01:00", "timeZone": "Not/AZone"}, "end": {"date": "2026-02-30"},
                     "attendees": [{"email": 7}, {"email": "a@example.com"}], "recurrence": "RRULE:FREQ=DAILY", "updated": "yesterday"}
                    """.utf8)))
        #expect(event.status == "confirmed" && event.summary == nil && event.sequence == 0 && event.end == nil && event.recurrence.isEmpty)
        #expect(event.start == .dateTime(Self.instant("2026-12-05T08:00:00Z"), zone: nil) && event.updated == nil)
        #expect(event.attendees.map(\.email) == ["a@example.com"])
        #expect(FeedEvent(googleJSON: Data(#"{"id": "x"}"#.utf8)) == nil, "no start")
        #expect(FeedEvent(googleJSON: Data(#"[1, 2]"#.utf8)) == nil)
        #expect(
            FeedEvent(googleJSON: Data(#"{"id": "c", "status": "cancelled", "originalStartTime": {"date": "2026-12-05"}}"#.utf8))?.start
                == .date("20261205"))
    }

    @Test func berlinsZoneHasItsTwoChangesIn2026() throws {
        var bytes: [UInt8] = []
        VTimeZone.append(Self.berlin, covering: Self.range, to: &bytes)
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.contains("BEGIN:DAYLIGHT\r\nDTSTART:20260329T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\n"))
        #expect(text.contains("BEGIN:STANDARD\r\nDTSTART:20261025T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\n"))
        var tokyo: [UInt8] = []
        VTimeZone.append(TimeZone(identifier: "Asia/Tokyo")!, covering: Self.range, to: &tokyo)
        #expect(String(decoding: tokyo, as: UTF8.self).components(separatedBy: "BEGIN:STANDARD").count == 2, "one observance: no changes")
    }
}
