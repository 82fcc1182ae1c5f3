public import Foundation

/// A busy block as a CalDAV calendar object: one VCALENDAR with one VEVENT, private and
/// opaque, its UID derived from the mirror's deterministic id (so a retried create finds the
/// one it made), and `X-CALWORKER-MIRROR` naming the source: the mark by which calworker
/// knows its own writes and never touches anyone else's. A series' mirror carries the
/// series' RRULE and EXDATE lines; its zones get their VTIMEZONEs.
public enum MirrorObject {
    /// The property that marks a calworker mirror; its value names the source.
    public static let markProperty = "X-CALWORKER-MIRROR"

    public struct Mirror: Sendable, Equatable {
        /// The planner's deterministic mirror id.
        public var id: String
        public var summary: String
        public var location: String?
        public var start: FeedEvent.Time
        public var end: FeedEvent.Time?
        /// `RRULE:` and `EXDATE` lines of a mirror series.
        public var recurrence: [String]
        /// Which source event this mirrors (opaque to everyone else).
        public var source: String
        /// Bumped on every change, as RFC 5546 asks of an organizer's updates.
        public var sequence: Int

        public init(
            id: String, summary: String, location: String? = nil, start: FeedEvent.Time, end: FeedEvent.Time?, recurrence: [String] = [],
            source: String, sequence: Int = 0
        ) {
            self.id = id
            self.summary = summary
            self.location = location
            self.start = start
            self.end = end
            self.recurrence = recurrence
            self.source = source
            self.sequence = sequence
        }
    }

    /// The UID a mirror is stored under: its id, in calworker's domain.
    public static func uid(of id: String) -> String { id + "@calworker" }

    /// The object's file name in its collection.
    public static func resourceName(of id: String) -> String { id + ".ics" }

    /// The calendar object, CRLF-terminated, lines folded at 75 octets.
    public static func calendarObject(_ mirror: Mirror, stamp: Date) -> [UInt8] {
        var output: [UInt8] = []
        var zones: [String: TimeZone] = [:]
        func line(_ name: String, _ value: String) { ContentLine.append(name: name, value: value, to: &output) }
        func time(_ name: String, _ value: FeedEvent.Time) {
            switch value {
            case .date(let day): ContentLine.append(name: name, parameters: ["VALUE": "DATE"], value: day, to: &output)
            case .dateTime(let instant, let zone):
                if let zone, let timeZone = zones[zone] ?? TimeZone(identifier: zone) {
                    zones[zone] = timeZone
                    ContentLine.append(name: name, parameters: ["TZID": zone], value: CivilTime.local(instant, in: timeZone), to: &output)
                } else {
                    line(name, CivilTime.utc(instant))
                }
            }
        }
        line("BEGIN", "VCALENDAR")
        line("VERSION", "2.0")
        line("PRODID", "-//calworker//busy blocks//EN")
        line("BEGIN", "VEVENT")
        line("UID", ICalText.escape(uid(of: mirror.id)))
        line("DTSTAMP", CivilTime.utc(stamp))
        time("DTSTART", mirror.start)
        if let end = mirror.end { time("DTEND", end) }
        line("SEQUENCE", String(max(0, mirror.sequence)))
        line("SUMMARY", ICalText.escape(mirror.summary))
        if let location = mirror.location { line("LOCATION", ICalText.escape(location)) }
        line("CLASS", "PRIVATE")
        line("TRANSP", "OPAQUE")
        line("STATUS", "CONFIRMED")
        for text in mirror.recurrence where isRecurrenceLine(text) { ContentLine.appendFolded(Array(text.utf8), to: &output) }
        line(markProperty, ICalText.escape(mirror.source))
        line("END", "VEVENT")
        let span = range(of: mirror)
        for identifier in zones.keys.sorted() { VTimeZone.append(zones[identifier]!, covering: span, to: &output) }
        line("END", "VCALENDAR")
        return output
    }

    /// RRULE, RDATE and EXDATE lines in printable ASCII (the planner's own, from the source).
    static func isRecurrenceLine(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        return bytes.count <= 2000 && bytes.allSatisfy { (0x20...0x7E).contains($0) }
            && ["RRULE:", "RDATE", "EXDATE"].contains { text.hasPrefix($0) }
    }

    /// The span the VTIMEZONEs cover: a year either side of the start.
    static func range(of mirror: Mirror) -> ClosedRange<Date> {
        let start: Date
        switch mirror.start {
        case .dateTime(let instant, _): start = instant
        case .date: start = Date()
        }
        return start.addingTimeInterval(-366 * 86_400)...start.addingTimeInterval(2 * 366 * 86_400)
    }
}
