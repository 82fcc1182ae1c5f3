import Foundation

/// Reads `start`/`end`/`originalStartTime` (`EventDateTime`) as instants, for validation, the
/// `timeMin`/`timeMax` window and recurring instances.
///
/// `{"date": "2025-03-01"}` is an all-day date, taken as midnight in the calendar's time zone;
/// `{"dateTime": "...", "timeZone": "..."}` is an instant, its offset optional only when a
/// `timeZone` says how to read it.
struct EventTime: Sendable, Equatable {
    let instant: Date
    let allDay: Bool

    init(instant: Date, allDay: Bool) {
        self.instant = instant
        self.allDay = allDay
    }

    /// Nil when the value is missing or malformed.
    init?(_ value: JSONValue?, calendarZone: TimeZone) {
        guard let object = value?.object else { return nil }
        let zone = object["timeZone"]?.string.flatMap(TimeZone.init(identifier:)) ?? calendarZone
        if let dateTime = object["dateTime"]?.string {
            guard object["date"] == nil || object["date"] == .null,
                let instant = RFC3339.parse(dateTime, defaultZone: object["timeZone"]?.string == nil ? nil : zone)
            else { return nil }
            self.init(instant: instant, allDay: false)
        } else if let date = object["date"]?.string {
            guard let instant = RFC3339.parseDay(date, in: zone) else { return nil }
            self.init(instant: instant, allDay: true)
        } else {
            return nil
        }
    }

    /// The event's start and end, or why they are not acceptable, in Google's words.
    static func validatedRange(_ fields: [String: JSONValue], calendarZone: TimeZone) throws(GoogleAPIError) -> (start: EventTime, end: EventTime) {
        guard let startValue = fields["start"], startValue != .null else { throw .required("Missing start time.") }
        guard let endValue = fields["end"], endValue != .null else { throw .required("Missing end time.") }
        guard let start = EventTime(startValue, calendarZone: calendarZone) else { throw .invalid("Invalid start time.") }
        guard let end = EventTime(endValue, calendarZone: calendarZone) else { throw .invalid("Invalid end time.") }
        guard start.allDay == end.allDay else { throw .invalid("Start and end times must either both be date or both be dateTime.") }
        guard end.instant >= start.instant else { throw .timeRangeEmpty(location: "end.dateTime") }
        if !(fields["recurrence"]?.array ?? []).isEmpty, !start.allDay, startValue["timeZone"]?.string == nil {
            throw .required("Missing time zone definition for start time.")
        }
        return (start, end)
    }

    /// `{"dateTime": "2025-03-01T10:00:00+01:00", "timeZone": zone}` for a timed instance, or
    /// `{"date": "2025-03-01"}`: how Google writes an instance's `originalStartTime`.
    static func json(_ instant: Date, allDay: Bool, zoneName: String?, calendarZone: TimeZone) -> JSONValue {
        let zone = zoneName.flatMap(TimeZone.init(identifier:)) ?? calendarZone
        if allDay { return .object(["date": .string(RFC3339.day(instant, in: zone))]) }
        var object: [String: JSONValue] = ["dateTime": .string(RFC3339.format(instant, offsetIn: zone))]
        if let zoneName { object["timeZone"] = .string(zoneName) }
        return .object(object)
    }

    /// The `UNTIL` of an `RRULE` line, if any: a series cannot have instances after it.
    static func recurrenceUntil(_ recurrence: [JSONValue], calendarZone: TimeZone) -> Date? {
        var latest: Date?
        for line in recurrence.compactMap(\.string) where line.uppercased().hasPrefix("RRULE:") {
            guard let part = line.dropFirst(6).split(separator: ";").first(where: { $0.uppercased().hasPrefix("UNTIL=") }) else {
                return nil  // an RRULE without UNTIL may run forever
            }
            let value = String(part.dropFirst(6))
            guard let until = RFC3339.parseBasic(value, zone: calendarZone)?.date else { return nil }
            latest = max(latest ?? until, until)
        }
        return latest
    }
}
