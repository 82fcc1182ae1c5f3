public import Foundation

/// How much of each event a feed shows.
public enum FeedDetail: Sendable, Equatable {
    /// Start, end and `title` only, marked private; events marked free are left out.
    case busy(title: String)
    /// Title, location and description; attendees' addresses only when `attendees` is true.
    case full(attendees: Bool)
}

/// Writes an iCalendar feed (RFC 5545) as it goes: a series at a time in, bytes out to `sink`
/// in blocks, so a feed of any size is never held whole in memory.
///
/// Series and their exceptions share a UID; a cancelled occurrence becomes an `EXDATE` on its
/// series (every client hides it), a moved one a `VEVENT` with `RECURRENCE-ID`; a cancelled
/// event on its own is left out. Times in a zone are written with `TZID`, and the zones used
/// get their `VTIMEZONE` at the end, generated for `range`.
public final class FeedWriter {
    public let name: String
    public let detail: FeedDetail
    /// The span the feed's times fall in; each `VTIMEZONE` covers it.
    public let range: ClosedRange<Date>
    let sink: ([UInt8]) throws -> Void
    var buffer: [UInt8] = []
    var zones: [String: TimeZone] = [:]
    /// `VEVENT`s written so far.
    public private(set) var eventsWritten = 0
    /// Bytes handed to the sink so far.
    public private(set) var bytesWritten = 0
    static let blockSize = 1 << 16

    public init(name: String, detail: FeedDetail, range: ClosedRange<Date>, sink: @escaping ([UInt8]) throws -> Void) {
        self.name = name
        self.detail = detail
        self.range = range
        self.sink = sink
        buffer.reserveCapacity(Self.blockSize + 4096)
    }

    public func begin() throws {
        line("BEGIN", "VCALENDAR")
        line("VERSION", "2.0")
        line("PRODID", "-//calworker//iCalendar feed//EN")
        line("CALSCALE", "GREGORIAN")
        line("X-WR-CALNAME", ICalText.escape(name))
        try flushIfFull()
    }

    /// One series (its first event and its exceptions, in any order) or one single event.
    public func write(series events: [FeedEvent]) throws {
        let master = events.first { $0.recurringEventID == nil }
        let exceptions = events.filter { $0.recurringEventID != nil }
        guard let master, !master.recurrence.isEmpty else {
            // Single events, or exceptions whose series is not in the feed: each on its own.
            for event in events where event.status != "cancelled" { vevent(event, recurrenceID: nil, extraExceptions: []) }
            return try flushIfFull()
        }
        guard master.status != "cancelled" else { return }
        let cancelled = exceptions.filter { $0.status == "cancelled" }.compactMap(\.originalStart)
        vevent(master, recurrenceID: nil, extraExceptions: cancelled)
        for exception in exceptions where exception.status != "cancelled" {
            vevent(exception, recurrenceID: exception.originalStart, extraExceptions: [])
        }
        try flushIfFull()
    }

    /// Groups `events` into series by `recurringEventID ?? id` and writes them in order of
    /// first appearance: for callers that hold a few events (tests, a small calendar).
    public func write(events: [FeedEvent]) throws {
        var order: [String] = []
        var groups: [String: [FeedEvent]] = [:]
        for event in events {
            let key = event.recurringEventID ?? event.id
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(event)
        }
        for key in order { try write(series: groups[key]!) }
    }

    /// The time zones, `END:VCALENDAR`, and the last block to the sink.
    public func finish() throws {
        for identifier in zones.keys.sorted() { VTimeZone.append(zones[identifier]!, covering: range, to: &buffer) }
        line("END", "VCALENDAR")
        try flush()
    }

    func vevent(_ event: FeedEvent, recurrenceID: FeedEvent.Time?, extraExceptions: [FeedEvent.Time]) {
        if case .busy = detail, event.transparent { return }
        line("BEGIN", "VEVENT")
        line("UID", ICalText.escape(event.uid))
        line("DTSTAMP", CivilTime.utc(event.updated ?? event.created ?? Date(timeIntervalSince1970: 0)))
        if let recurrenceID { time("RECURRENCE-ID", recurrenceID, like: event.start) }
        time("DTSTART", event.start, like: event.start)
        if let end = event.end { time("DTEND", end, like: end) }
        line("SEQUENCE", String(event.sequence))
        if let created = event.created { line("CREATED", CivilTime.utc(created)) }
        if let updated = event.updated { line("LAST-MODIFIED", CivilTime.utc(updated)) }
        switch detail {
        case .busy(let title):
            line("SUMMARY", ICalText.escape(title))
            line("CLASS", "PRIVATE")
        case .full(let attendees):
            if let summary = event.summary { line("SUMMARY", ICalText.escape(summary)) }
            if let location = event.location { line("LOCATION", ICalText.escape(location)) }
            if let description = event.description { line("DESCRIPTION", ICalText.escape(description)) }
            if attendees {
                for attendee in event.attendees {
                    let status = ["accepted": "ACCEPTED", "declined": "DECLINED", "tentative": "TENTATIVE"][attendee.response] ?? "NEEDS-ACTION"
                    ContentLine.append(
                        name: "ATTENDEE", parameters: ["PARTSTAT": status], value: "mailto:" + ICalText.escape(attendee.email),
                        to: &buffer)
                }
            }
        }
        line("STATUS", event.status == "tentative" ? "TENTATIVE" : "CONFIRMED")
        line("TRANSP", event.transparent ? "TRANSPARENT" : "OPAQUE")
        if recurrenceID == nil {
            for text in event.recurrence { recurrenceLine(text) }
            for exception in extraExceptions { time("EXDATE", exception, like: event.start) }
        }
        line("END", "VEVENT")
        eventsWritten += 1
    }

    /// `NAME;VALUE=DATE:20261205`, `NAME;TZID=Europe/Berlin:20261205T093000` or `NAME:...Z`.
    /// An occurrence (`RECURRENCE-ID`, `EXDATE`) is written the way its series' start is, as
    /// RFC 5545 asks; a date against a timed start (or the reverse) is taken as it comes.
    func time(_ name: String, _ value: FeedEvent.Time, like reference: FeedEvent.Time) {
        switch (value, reference) {
        case (.date(let day), _):
            ContentLine.append(name: name, parameters: ["VALUE": "DATE"], value: day, to: &buffer)
        case (.dateTime(let instant, _), .dateTime(_, let zone?)), (.dateTime(let instant, let zone?), _):
            guard let timeZone = timeZone(zone) else { return line(name, CivilTime.utc(instant)) }
            ContentLine.append(name: name, parameters: ["TZID": zone], value: CivilTime.local(instant, in: timeZone), to: &buffer)
        case (.dateTime(let instant, nil), _):
            line(name, CivilTime.utc(instant))
        }
    }

    /// A series' `RRULE`, `EXRULE`, `RDATE` or `EXDATE` line from Google, passed on only when
    /// it is one of those, printable ASCII, and names (if any) a zone this system knows.
    func recurrenceLine(_ text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count <= 2000, bytes.allSatisfy({ (0x20...0x7E).contains($0) }),
            let separator = bytes.firstIndex(where: { $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: ";") }),
            ["RRULE", "EXRULE", "RDATE", "EXDATE"].contains(String(decoding: bytes[..<separator], as: UTF8.self))
        else { return }
        if let range = text.range(of: "TZID=") {
            let zone = String(text[range.upperBound...].prefix { $0 != ":" && $0 != ";" })
            guard timeZone(zone) != nil else { return }
        }
        ContentLine.appendFolded(bytes, to: &buffer)
    }

    /// A zone this system knows, remembered for its `VTIMEZONE`.
    func timeZone(_ identifier: String) -> TimeZone? {
        if let known = zones[identifier] { return known }
        guard let zone = TimeZone(identifier: identifier) else { return nil }
        zones[identifier] = zone
        return zone
    }

    func line(_ name: String, _ value: String) { ContentLine.append(name: name, value: value, to: &buffer) }

    func flushIfFull() throws { if buffer.count >= Self.blockSize { try flush() } }

    func flush() throws {
        guard !buffer.isEmpty else { return }
        try sink(buffer)
        bytesWritten += buffer.count
        buffer.removeAll(keepingCapacity: true)
    }
}
