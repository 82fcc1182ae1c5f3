import Foundation
import ICalendar
import Testing

@Suite struct ICalParserTests {
    @Test func foldedLinesQuotedParametersAndEscapesAreRead() throws {
        let text =
            "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART:20260101T100000Z\r\nSUMMARY:one\\, two\\; three\\\\ \\nfour\r\n"
            + "LOCATION;ALTREP=\"http://x.example/a;b:c\";LANGUAGE=en:Room\r\n 42\r\n\tand more\r\n"
            + "ATTENDEE;MEMBER=\"mailto:a@x\",\"mailto:b@x\";CN=^'Q^' ^^ ^nZ:mailto:c@x\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        let calendar = try #require(try ICalParser.parse(text).first)
        let event = try #require(calendar.components.first)
        #expect(event.property("SUMMARY")?.text == "one, two; three\\ \nfour")
        #expect(event.property("LOCATION")?.value == "Room42and more")
        #expect(event.property("LOCATION")?.parameter("ALTREP") == "http://x.example/a;b:c")
        let attendee = try #require(event.property("ATTENDEE"))
        #expect(attendee.parameters.first?.values == ["mailto:a@x", "mailto:b@x"] && attendee.parameter("CN") == "\"Q\" ^ \nZ")
        #expect(attendee.value == "mailto:c@x")
    }

    @Test(arguments: [
        ("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nEND:VCALENDAR\r\n", "closes BEGIN:VEVENT"),
        ("BEGIN:VCALENDAR\r\nUID:x\r\n", "never ended"),
        ("UID:x\r\n", "outside any component"),
        ("BEGIN:VCALENDAR\r\nno colon here\r\nEND:VCALENDAR\r\n", "no ':' before its value"),
        ("BEGIN:VCALENDAR\r\nX;P=\"open:x\r\nEND:VCALENDAR\r\n", "never closed"),
        ("END:VEVENT\r\n", "without a BEGIN"),
        ("BEGIN:V<script>\r\n", "not a component name"),
        (String(repeating: "BEGIN:X\r\n", count: 9), "nested deeper"),
    ])
    func malformedObjectsAreErrorsNamingTheLine(text: String, message: String) {
        #expect {
            _ = try ICalParser.parse(text)
        } throws: { error in
            "\(error)".contains(message)
        }
    }

    @Test func anOversizedObjectIsRefusedUnread() {
        var limits = ICalParser.Limits()
        limits.maxBytes = 1000
        #expect(throws: ICalParseError.self) { try ICalParser.parse(String(repeating: "X", count: 1001), limits: limits) }
        limits.maxItems = 10
        limits.maxBytes = 1 << 20
        let many = "BEGIN:VCALENDAR\r\n" + String(repeating: "X-A:1\r\n", count: 20) + "END:VCALENDAR\r\n"
        #expect(throws: ICalParseError.self) { try ICalParser.parse(many, limits: limits) }
    }

    @Test(arguments: [
        ("20260230T100000", "not a date"), ("20261301", "not a date"), ("2026-01-01", "not a date"), ("20260101T250000", "date-time"),
        ("20260101T1000", "date-time"), ("20260101T100000X", "date-time"), ("", "not a date"),
    ])
    func impossibleTimesAreErrors(value: String, message: String) {
        #expect {
            _ = try ICalTime.parse(value, valueType: nil, zone: nil)
        } throws: { error in
            "\(error)".contains(message)
        }
    }

    @Test func hostileEventsAreErrorsNotCrashes() throws {
        func event(_ lines: String) throws -> ICalEvent {
            let components = try ICalParser.parse("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n\(lines)END:VEVENT\r\nEND:VCALENDAR\r\n")
            var zones = ICalZones(components)
            return try #require(try ICalEvent.events(in: components, zones: &zones).first)
        }
        #expect(throws: ICalParseError.self) { try event("DTSTART:20260101T100000Z\r\n") }
        #expect(throws: ICalParseError.self) { try event("UID:x\r\n") }
        #expect(throws: ICalParseError.self) { try event("UID:x\r\nDTSTART:20260101T100000Z\r\nDURATION:P99999999999D\r\n") }
        #expect(throws: ICalParseError.self) { try event("UID:x\r\nDTSTART:20260101T100000Z\r\nEXDATE:nonsense\r\n") }
        let unknownZone = try event("UID:x\r\nDTSTART;TZID=Mars/Olympus:20260101T100000\r\n")
        guard case .floating = unknownZone.start else {
            Issue.record("an unknown zone reads as floating")
            return
        }
        let windows = try event("UID:y\r\nDTSTART;TZID=W. Europe Standard Time:20260701T100000\r\n")
        guard case .zoned(_, let zone) = windows.start else {
            Issue.record("a Windows zone name is known")
            return
        }
        #expect(zone.identifier == "Europe/Berlin")
    }

    @Test func aSeriesWithAnUnsupportedRuleOrTooManyOccurrencesIsAnErrorNamingIt() throws {
        let window = CivilTime.instant(fromRFC3339: "2026-01-01T00:00:00Z")!..<CivilTime.instant(fromRFC3339: "2027-01-01T00:00:00Z")!
        func series(_ rule: String) throws -> [ICalEvent] {
            let components = try ICalParser.parse(
                "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:s\r\nDTSTART:20260101T100000Z\r\nRRULE:\(rule)\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
            var zones = ICalZones(components)
            return try ICalEvent.events(in: components, zones: &zones)
        }
        #expect(throws: ICalExpansionError.self) {
            try ICalExpansion.occurrences(of: try series("FREQ=YEARLY;BYWEEKNO=20;BYDAY=MO"), in: window, floatingZone: .gmt)
        }
        let daily = try ICalExpansion.occurrences(of: try series("FREQ=DAILY"), in: window, floatingZone: .gmt)
        #expect(daily.count == 365)
    }
}
