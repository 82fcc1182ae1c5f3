public import Foundation

/// A DATE or DATE-TIME as an event states it (RFC 5545 §3.3.4, §3.3.5): a day (all-day), an
/// instant in UTC (`Z`), a wall time in a zone (`TZID=`), or a floating wall time, which means
/// the same clock time wherever the reader is (here: the calendar owner's zone).
public enum ICalTime: Sendable, Hashable {
    case date(year: Int, month: Int, day: Int)
    case utc(Date)
    case zoned(WallTime, TimeZone)
    case floating(WallTime)

    /// A clock reading: date and time of day, no zone.
    public struct WallTime: Sendable, Hashable {
        public var year, month, day, hour, minute, second: Int
    }

    public var isDate: Bool {
        if case .date = self { return true }
        return false
    }

    /// The instant: a day starts at midnight and a floating time is read in `floatingZone`.
    public func instant(floatingZone: TimeZone) -> Date {
        switch self {
        case .date(let year, let month, let day):
            return Self.instant(WallTime(year: year, month: month, day: day, hour: 0, minute: 0, second: 0), floatingZone)
        case .utc(let date): return date
        case .zoned(let wall, let zone): return Self.instant(wall, zone)
        case .floating(let wall): return Self.instant(wall, floatingZone)
        }
    }

    /// The zone the event's clock runs in: a series repeats at the same wall time there.
    public func zone(floatingZone: TimeZone) -> TimeZone {
        switch self {
        case .utc: return TimeZone(identifier: "UTC")!
        case .zoned(_, let zone): return zone
        case .date, .floating: return floatingZone
        }
    }

    /// `2026-03-29` for a day.
    public var dayText: String? {
        guard case .date(let year, let month, let day) = self else { return nil }
        return CivilTime.digits(year, 4) + "-" + CivilTime.digits(month, 2) + "-" + CivilTime.digits(day, 2)
    }

    static func instant(_ wall: WallTime, _ zone: TimeZone) -> Date {
        // The wall time read as UTC, then moved by the zone's offset at that moment; a wall time
        // in the hour skipped by summer time is read with the offset before the change, as
        // Python's zoneinfo (fold 0) does.
        let naive = Double(
            CivilTime.days(year: wall.year, month: wall.month, day: wall.day) * 86_400 + wall.hour * 3600 + wall.minute * 60 + wall.second)
        let guess = Date(timeIntervalSince1970: naive - Double(zone.secondsFromGMT(for: Date(timeIntervalSince1970: naive))))
        let offset = zone.secondsFromGMT(for: guess)
        let adjusted = Date(timeIntervalSince1970: naive - Double(offset))
        if zone.secondsFromGMT(for: adjusted) == offset { return adjusted }
        // In a gap: the offset in force before it.
        let before = zone.secondsFromGMT(for: Date(timeIntervalSince1970: naive - Double(offset) - 86_400 / 8))
        return Date(timeIntervalSince1970: naive - Double(before))
    }

    /// Reads a DATE or DATE-TIME value with its property's `VALUE` and `TZID` parameters.
    public static func parse(_ value: String, valueType: String?, zone: TimeZone?) throws(ICalParseError) -> ICalTime {
        let bytes = Array(value.utf8)
        func number(_ start: Int, _ length: Int) -> Int? {
            guard start + length <= bytes.count else { return nil }
            var result = 0
            for byte in bytes[start..<(start + length)] {
                guard byte >= 0x30 && byte <= 0x39 else { return nil }
                result = result * 10 + Int(byte - 0x30)
            }
            return result
        }
        guard let year = number(0, 4), let month = number(4, 2), let day = number(6, 2), year >= 1, (1...12).contains(month),
            (1...31).contains(day), CivilTime.date(days: CivilTime.days(year: year, month: month, day: day)) == (year, month, day)
        else { throw ICalParseError(line: 0, "'\(ICalParser.clipped(value))' is not a date") }
        if bytes.count == 8 { return .date(year: year, month: month, day: day) }
        guard valueType?.uppercased() != "DATE" else { throw ICalParseError(line: 0, "'\(ICalParser.clipped(value))' is not a DATE") }
        guard bytes.count == 15 || (bytes.count == 16 && bytes[15] == UInt8(ascii: "Z")), bytes[8] == UInt8(ascii: "T"),
            let hour = number(9, 2), let minute = number(11, 2), let second = number(13, 2), hour <= 23, minute <= 59, second <= 60
        else { throw ICalParseError(line: 0, "'\(ICalParser.clipped(value))' is not a date-time") }
        let wall = WallTime(year: year, month: month, day: day, hour: hour, minute: minute, second: min(second, 59))
        if bytes.count == 16 { return .utc(instant(wall, TimeZone(identifier: "UTC")!)) }
        if let zone { return .zoned(wall, zone) }
        return .floating(wall)
    }

    /// The same clock reading moved by whole days and seconds (an all-day event's end).
    func adding(days: Int) -> ICalTime {
        switch self {
        case .date(let year, let month, let day):
            let moved = CivilTime.date(days: CivilTime.days(year: year, month: month, day: day) + days)
            return .date(year: moved.year, month: moved.month, day: moved.day)
        default: return self
        }
    }
}
