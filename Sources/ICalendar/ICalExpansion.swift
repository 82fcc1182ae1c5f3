public import Basics
public import Foundation
import Reminders

/// One occurrence of an event: a single event, an occurrence of a series, or an overridden one.
public struct ICalOccurrence: Sendable, Equatable {
    public var uid: String
    /// Which occurrence of its series this is (its original start, `20260302T083000Z` or
    /// `20260302` for a day); nil for an event that does not repeat.
    public var recurrenceKey: String?
    /// An all-day occurrence: `startDay`/`endDay` hold its dates (the end exclusive), and
    /// `start`/`end` their midnights in the floating zone.
    public var allDay: Bool
    public var start: Date
    public var end: Date
    public var startDay: String?
    public var endDay: String?
    /// The event it comes from: the series, or the override that replaced this occurrence
    /// (its summary, status, transparency and attendees).
    public var event: ICalEvent

    public static func == (a: ICalOccurrence, b: ICalOccurrence) -> Bool {
        a.uid == b.uid && a.recurrenceKey == b.recurrenceKey && a.allDay == b.allDay && a.start == b.start && a.end == b.end
    }
}

/// A series that cannot be expanded (a rule part calworker does not implement).
public struct ICalExpansionError: Error, CustomStringConvertible, Sendable, Equatable {
    public var uid: String
    public var message: String
    public var description: String { "series \(ICalParser.clipped(uid)): \(message)" }
}

/// Expands one UID's events (a series and its overrides, RFC 5545 §3.8.5) into the
/// occurrences that overlap a window: DTSTART, the RRULEs' occurrences (at the same wall time
/// in the series' zone across summer-time changes) and RDATEs, less EXDATEs, each replaced by
/// the override whose RECURRENCE-ID names it. Cancelled occurrences are kept, with their
/// status: what to make of them is the caller's.
public enum ICalExpansion {
    /// The most occurrences one series may have in a window: a minutely series a server made
    /// up must not become a million busy blocks.
    public static let maxOccurrences = 5_000

    public static func occurrences(of events: [ICalEvent], in window: Range<Date>, floatingZone: TimeZone) throws(ICalExpansionError)
        -> [ICalOccurrence]
    {
        guard let uid = events.first?.uid else { return [] }
        var overrides: [String: ICalEvent] = [:]
        for event in events {
            if let id = event.recurrenceID { overrides[key(id, floatingZone)] = event }
        }
        var found: [ICalOccurrence] = []
        if let master = events.first(where: { $0.recurrenceID == nil }) {
            let repeats = !master.rules.isEmpty || !master.rdates.isEmpty
            for start in try starts(of: master, window: window, floatingZone: floatingZone) {
                let key = key(start, floatingZone)
                if let override = overrides.removeValue(forKey: key) {
                    found.append(occurrence(override, key: key, floatingZone: floatingZone))
                } else {
                    found.append(moved(master, to: start, key: repeats ? key : nil, floatingZone: floatingZone))
                }
            }
            // Overrides of occurrences outside the window may have moved into it.
            for (key, override) in overrides { found.append(occurrence(override, key: key, floatingZone: floatingZone)) }
        } else {
            for (key, override) in overrides { found.append(occurrence(override, key: key, floatingZone: floatingZone)) }
        }
        let overlapping = found.filter { $0.end > $0.start ? $0.end > window.lowerBound && $0.start < window.upperBound : window.contains($0.start) }
        guard overlapping.count <= maxOccurrences else {
            throw ICalExpansionError(uid: uid, message: "more than \(maxOccurrences) occurrences in the window")
        }
        return overlapping.sorted { ($0.start, $0.recurrenceKey ?? "") < ($1.start, $1.recurrenceKey ?? "") }
    }

    /// The series' original starts that may overlap the window.
    static func starts(of master: ICalEvent, window: Range<Date>, floatingZone: TimeZone) throws(ICalExpansionError) -> [ICalTime] {
        let length = master.end.instant(floatingZone: floatingZone).timeIntervalSince(master.start.instant(floatingZone: floatingZone))
        let from = window.lowerBound.addingTimeInterval(-max(0, length) - 86_400)
        let to = window.upperBound.addingTimeInterval(86_400)
        var starts: [ICalTime] = [master.start]
        if !master.rules.isEmpty {
            let recurrence: Recurrence
            do {
                recurrence = try Recurrence(lines: master.rules.map { "RRULE:" + $0 })
            } catch {
                throw ICalExpansionError(uid: master.uid, message: error.description)
            }
            switch master.start {
            case .date:
                let days = recurrence.allDayOccurrences(
                    first: master.start.dayText ?? "", from: dayText(from, floatingZone), to: dayText(to, floatingZone))
                starts += days.compactMap { text in
                    let parts = text.split(separator: "-").compactMap { Int($0) }
                    return parts.count == 3 ? ICalTime.date(year: parts[0], month: parts[1], day: parts[2]) : nil
                }
            default:
                let zone = master.start.zone(floatingZone: floatingZone)
                let instants = recurrence.occurrences(first: master.start.instant(floatingZone: floatingZone), zone: zone, from: from, to: to)
                starts += instants.map { instant in
                    switch master.start {
                    case .utc: return .utc(instant)
                    case .zoned(_, let zone): return .zoned(ICalEvent.wall(instant, in: zone), zone)
                    default: return .floating(ICalEvent.wall(instant, in: floatingZone))
                    }
                }
            }
        }
        starts += master.rdates
        let excluded = Set(master.exdates.map { key($0, floatingZone) })
        var seen = Set<String>()
        return starts.filter { start in
            let key = key(start, floatingZone)
            guard !excluded.contains(key), seen.insert(key).inserted else { return false }
            let instant = start.instant(floatingZone: floatingZone)
            return instant >= from && instant <= to
        }
    }

    /// The series' occurrence at `start`, as long as the series' first one.
    static func moved(_ master: ICalEvent, to start: ICalTime, key: String?, floatingZone: TimeZone) -> ICalOccurrence {
        if case .date = start, case .date(let y0, let m0, let d0) = master.start, case .date(let y1, let m1, let d1) = master.end {
            let days = CivilTime.days(year: y1, month: m1, day: d1) - CivilTime.days(year: y0, month: m0, day: d0)
            return allDay(master, start: start, end: start.adding(days: max(1, days)), key: key, floatingZone: floatingZone)
        }
        let length = master.end.instant(floatingZone: floatingZone).timeIntervalSince(master.start.instant(floatingZone: floatingZone))
        let instant = start.instant(floatingZone: floatingZone)
        return ICalOccurrence(
            uid: master.uid, recurrenceKey: key, allDay: false, start: instant, end: instant.addingTimeInterval(max(0, length)),
            startDay: nil, endDay: nil, event: master)
    }

    /// An override as it now stands.
    static func occurrence(_ event: ICalEvent, key: String, floatingZone: TimeZone) -> ICalOccurrence {
        if event.start.isDate {
            return allDay(
                event, start: event.start, end: event.end.isDate ? event.end : event.start.adding(days: 1), key: key, floatingZone: floatingZone)
        }
        let start = event.start.instant(floatingZone: floatingZone)
        return ICalOccurrence(
            uid: event.uid, recurrenceKey: key, allDay: false, start: start, end: max(start, event.end.instant(floatingZone: floatingZone)),
            startDay: nil, endDay: nil, event: event)
    }

    static func allDay(_ event: ICalEvent, start: ICalTime, end: ICalTime, key: String?, floatingZone: TimeZone) -> ICalOccurrence {
        ICalOccurrence(
            uid: event.uid, recurrenceKey: key, allDay: true, start: start.instant(floatingZone: floatingZone),
            end: end.instant(floatingZone: floatingZone), startDay: start.dayText, endDay: end.dayText, event: event)
    }

    /// How an occurrence is named: its instant in UTC, or its day.
    static func key(_ time: ICalTime, _ floatingZone: TimeZone) -> String {
        if case .date(let year, let month, let day) = time {
            return CivilTime.digits(year, 4) + CivilTime.digits(month, 2) + CivilTime.digits(day, 2)
        }
        return CivilTime.utc(time.instant(floatingZone: floatingZone))
    }

    static func dayText(_ instant: Date, _ zone: TimeZone) -> String {
        let wall = ICalEvent.wall(instant, in: zone)
        return CivilTime.digits(wall.year, 4) + "-" + CivilTime.digits(wall.month, 2) + "-" + CivilTime.digits(wall.day, 2)
    }
}

extension ICalExpansionError: CalworkerError {
    public var errorCode: String { "unexpandable_series" }
    public var isRetryable: Bool { false }
}
