import Foundation

/// Calendar objects as CalDAV servers hand them out (Apple, Radicale, Thunderbird, Outlook):
/// series across summer time, overrides, cancelled and moved occurrences, RDATE and EXDATE,
/// floating and all-day times, folded lines, escapes and X- properties.
enum ICalFixtures {
    static let berlinZone = """
        BEGIN:VTIMEZONE
        TZID:/mozilla.org/20050126_1/Europe/Berlin
        X-LIC-LOCATION:Europe/Berlin
        BEGIN:DAYLIGHT
        TZOFFSETFROM:+0100
        TZOFFSETTO:+0200
        TZNAME:CEST
        DTSTART:19700329T020000
        RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3
        END:DAYLIGHT
        BEGIN:STANDARD
        TZOFFSETFROM:+0200
        TZOFFSETTO:+0100
        TZNAME:CET
        DTSTART:19701025T030000
        RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10
        END:STANDARD
        END:VTIMEZONE
        """

    /// Many events in one object, as a test file (a server sends one UID per object).
    static let calendar = """
        BEGIN:VCALENDAR
        VERSION:2.0
        PRODID:-//calworker//tests//EN
        \(berlinZone)
        BEGIN:VEVENT
        UID:standup@example.com
        DTSTAMP:20260101T000000Z
        DTSTART;TZID=/mozilla.org/20050126_1/Europe/Berlin:20260302T093000
        DTEND;TZID=/mozilla.org/20050126_1/Europe/Berlin:20260302T094500
        RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=12
        EXDATE;TZID=/mozilla.org/20050126_1/Europe/Berlin:20260316T093000
        SUMMARY:Standup\\, daily\\; short
        X-CALWORKER-MIRROR:google:primary:abc
        END:VEVENT
        BEGIN:VEVENT
        UID:standup@example.com
        DTSTAMP:20260101T000000Z
        RECURRENCE-ID;TZID=/mozilla.org/20050126_1/Europe/Berlin:20260406T093000
        DTSTART;TZID=/mozilla.org/20050126_1/Europe/Berlin:20260406T140000
        DTEND;TZID=/mozilla.org/20050126_1/Europe/Berlin:20260406T143000
        SUMMARY:Standup (moved)
        END:VEVENT
        BEGIN:VEVENT
        UID:standup@example.com
        DTSTAMP:20260101T000000Z
        RECURRENCE-ID;TZID=/mozilla.org/20050126_1/Europe/Berlin:20260413T093000
        DTSTART;TZID=/mozilla.org/20050126_1/Europe/Berlin:20260413T093000
        DTEND;TZID=/mozilla.org/20050126_1/Europe/Berlin:20260413T094500
        STATUS:CANCELLED
        SUMMARY:Standup
        END:VEVENT
        BEGIN:VEVENT
        UID:late-call@example.com
        DTSTAMP:20260101T000000Z
        DTSTART;TZID=America/New_York:20260301T233000
        DURATION:PT45M
        RRULE:FREQ=DAILY;COUNT=14
        RDATE;TZID=America/New_York:20260320T080000
        SUMMARY:Late call across the change to summer time in New York
        TRANSP:TRANSPARENT
        END:VEVENT
        BEGIN:VEVENT
        UID:payday@example.com
        DTSTAMP:20260101T000000Z
        DTSTART:20260130T120000Z
        DTEND:20260130T130000Z
        RRULE:FREQ=MONTHLY;BYDAY=-1FR;UNTIL=20261231T235959Z
        SUMMARY:Last Friday
        CLASS:PRIVATE
        END:VEVENT
        BEGIN:VEVENT
        UID:holiday@example.com
        DTSTAMP:20260101T000000Z
        DTSTART;VALUE=DATE:20260720
        DTEND;VALUE=DATE:20260723
        RRULE:FREQ=WEEKLY;INTERVAL=2;COUNT=4
        SUMMARY:Three days off, every other week
        END:VEVENT
        BEGIN:VEVENT
        UID:birthday@example.com
        DTSTAMP:20260101T000000Z
        DTSTART;VALUE=DATE:20000229
        DTEND;VALUE=DATE:20000301
        RRULE:FREQ=YEARLY
        SUMMARY:Leap-day birthday (no occurrence in 2026)
        END:VEVENT
        BEGIN:VEVENT
        UID:floating@example.com
        DTSTAMP:20260101T000000Z
        DTSTART:20261023T080000
        DTEND:20261023T090000
        RRULE:FREQ=DAILY;COUNT=5
        SUMMARY:Floating breakfast across the change to winter time
        END:VEVENT
        BEGIN:VEVENT
        UID:lastweekday@example.com
        DTSTAMP:20260101T000000Z
        DTSTART;TZID=Europe/Berlin:20260130T160000
        DTEND;TZID=Europe/Berlin:20260130T170000
        RRULE:FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;COUNT=12
        SUMMARY:Month-end close, the last weekday (Outlook's BYSETPOS)
        END:VEVENT
        BEGIN:VEVENT
        UID:secondmonday@example.com
        DTSTAMP:20260101T000000Z
        DTSTART;VALUE=DATE:20260112
        DTEND;VALUE=DATE:20260113
        RRULE:FREQ=MONTHLY;BYDAY=MO;BYSETPOS=2;UNTIL=20261231
        SUMMARY:Second Monday, all day
        END:VEVENT
        BEGIN:VEVENT
        UID:once@example.com
        DTSTAMP:20260101T000000Z
        DTSTART;TZID=Europe/Berlin:20261205T100000
        DTEND;TZID=Europe/Berlin:20261205T113000
        SUMMARY:A long title that a server folds at seventy-five octets, as RFC 5545 a
         sks, with ümlauts and 🗓️ emoji that may be split at a fold
        ATTENDEE;CN="Ada, Lovelace";PARTSTAT=ACCEPTED:mailto:Ada@Example.com
        ATTENDEE;PARTSTAT=DECLINED;CN=Bob:MAILTO:bob@example.com
        ORGANIZER:mailto:carol@example.com
        END:VEVENT
        END:VCALENDAR
        """.replacingOccurrences(of: "\n", with: "\r\n")
}
