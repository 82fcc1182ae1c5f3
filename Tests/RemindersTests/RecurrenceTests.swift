import Foundation
import Reminders
import Testing

@Suite struct RecurrenceTests {
    static func utc(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }
    static let berlin = TimeZone(identifier: "Europe/Berlin")!

    func starts(_ lines: [String], first: String, zone: TimeZone = TimeZone(identifier: "UTC")!, from: String, to: String) throws -> [String] {
        try Recurrence(lines: lines).occurrences(first: Self.utc(first), zone: zone, from: Self.utc(from), to: Self.utc(to))
            .map { ISO8601DateFormatter().string(from: $0) }
    }

    @Test func weeklyKeepsItsLocalTimeAcrossTheEndOfSummerTime() throws {
        // 09:00 in Berlin: 07:00Z in summer time, 08:00Z after 25 October 2026.
        let found = try starts(
            ["RRULE:FREQ=WEEKLY"], first: "2026-10-12T07:00:00Z", zone: Self.berlin,
            from: "2026-10-01T00:00:00Z", to: "2026-11-03T00:00:00Z")
        #expect(found == ["2026-10-12T07:00:00Z", "2026-10-19T07:00:00Z", "2026-10-26T08:00:00Z", "2026-11-02T08:00:00Z"])
    }

    @Test func countUntilIntervalAndExdate() throws {
        #expect(
            try starts(["RRULE:FREQ=DAILY;COUNT=3"], first: "2026-12-01T10:00:00Z", from: "2026-11-01T00:00:00Z", to: "2027-01-01T00:00:00Z")
                == ["2026-12-01T10:00:00Z", "2026-12-02T10:00:00Z", "2026-12-03T10:00:00Z"])
        #expect(
            try starts(
                ["RRULE:FREQ=DAILY;INTERVAL=2;UNTIL=20261207T100000Z"], first: "2026-12-01T10:00:00Z",
                from: "2026-11-01T00:00:00Z", to: "2027-01-01T00:00:00Z")
                == ["2026-12-01T10:00:00Z", "2026-12-03T10:00:00Z", "2026-12-05T10:00:00Z", "2026-12-07T10:00:00Z"])
        #expect(
            try starts(
                ["RRULE:FREQ=DAILY;COUNT=4", "EXDATE:20261202T100000Z"], first: "2026-12-01T10:00:00Z",
                from: "2026-11-01T00:00:00Z", to: "2027-01-01T00:00:00Z")
                == ["2026-12-01T10:00:00Z", "2026-12-03T10:00:00Z", "2026-12-04T10:00:00Z"], "COUNT counts the excluded one too (RFC 5545)")
        #expect(
            try starts(
                ["RRULE:FREQ=WEEKLY;UNTIL=20261215", "EXDATE;TZID=Europe/Berlin:20261208T090000"], first: "2026-12-01T08:00:00Z",
                zone: Self.berlin, from: "2026-11-01T00:00:00Z", to: "2027-01-01T00:00:00Z")
                == ["2026-12-01T08:00:00Z", "2026-12-15T08:00:00Z"], "a date-only UNTIL includes its day; EXDATE in the series zone")
    }

    @Test func weekdaysMonthlyOrdinalsAndYearly() throws {
        // Mondays, Wednesdays and Fridays from Wednesday 2 December 2026, six of them.
        #expect(
            try starts(
                ["RRULE:FREQ=WEEKLY;BYDAY=MO,WE,FR;COUNT=6"], first: "2026-12-02T09:00:00Z", from: "2026-11-01T00:00:00Z",
                to: "2027-01-01T00:00:00Z")
                == [
                    "2026-12-02T09:00:00Z", "2026-12-04T09:00:00Z", "2026-12-07T09:00:00Z", "2026-12-09T09:00:00Z",
                    "2026-12-11T09:00:00Z", "2026-12-14T09:00:00Z",
                ])
        // The last Friday of each month.
        #expect(
            try starts(
                ["RRULE:FREQ=MONTHLY;BYDAY=-1FR"], first: "2026-11-27T15:00:00Z", from: "2026-11-01T00:00:00Z",
                to: "2027-02-28T00:00:00Z")
                == ["2026-11-27T15:00:00Z", "2026-12-25T15:00:00Z", "2027-01-29T15:00:00Z", "2027-02-26T15:00:00Z"])
        // The 31st skips months without one.
        #expect(
            try starts(["RRULE:FREQ=MONTHLY"], first: "2026-12-31T12:00:00Z", from: "2026-12-01T00:00:00Z", to: "2027-04-01T00:00:00Z")
                == ["2026-12-31T12:00:00Z", "2027-01-31T12:00:00Z", "2027-03-31T12:00:00Z"])
        #expect(
            try starts(["RRULE:FREQ=YEARLY"], first: "2024-02-29T12:00:00Z", from: "2024-01-01T00:00:00Z", to: "2029-01-01T00:00:00Z")
                == ["2024-02-29T12:00:00Z", "2028-02-29T12:00:00Z"])
    }

    @Test func allDaySeriesExpandToDates() throws {
        let recurrence = try Recurrence(lines: ["RRULE:FREQ=WEEKLY;BYDAY=SA,SU;COUNT=4"])
        #expect(
            recurrence.allDayOccurrences(first: "2026-12-05", from: "2026-12-01", to: "2026-12-31") == [
                "2026-12-05", "2026-12-06", "2026-12-12", "2026-12-13",
            ])
    }

    @Test(arguments: [
        "RRULE:FREQ=YEARLY;BYWEEKNO=20;BYDAY=MO", "RRULE:FREQ=HOURLY", "RRULE:INTERVAL=2", "RRULE:FREQ=DAILY;COUNT=0",
        "RRULE:FREQ=MONTHLY;BYDAY=MO;BYSETPOS=0", "RRULE:FREQ=MONTHLY;BYDAY=MO;BYSETPOS=99999999999999999999",
        "RRULE:FREQ=MONTHLY;BYDAY=MO;BYSETPOS=-367",
    ])
    func whatCannotBeExpandedIsRefusedNotGuessed(line: String) {
        #expect(throws: RecurrenceRule.ParseError.self) { try Recurrence(lines: [line]) }
    }
}
