public import Basics
public import Foundation

/// One `RRULE` line (RFC 5545 §3.3.10), the subset Google Calendar writes: FREQ DAILY, WEEKLY,
/// MONTHLY or YEARLY; INTERVAL; COUNT or UNTIL; BYDAY (with ordinals for monthly and yearly
/// rules, `2TU`, `-1FR`); BYMONTHDAY; BYMONTH; BYSETPOS (Outlook's and Apple's "last weekday of
/// the month"); WKST. Anything else (BYHOUR, BYWEEKNO, …) is refused, so a series is never
/// reminded, or mirrored, at made-up times.
public struct RecurrenceRule: Sendable, Equatable {
    public enum Frequency: String, Sendable {
        case daily = "DAILY"
        case weekly = "WEEKLY"
        case monthly = "MONTHLY"
        case yearly = "YEARLY"
    }

    public struct WeekdayRule: Sendable, Equatable {
        /// Foundation's numbering: 1 Sunday ... 7 Saturday.
        public var weekday: Int
        /// `2` in `2TU`, `-1` in `-1FR`; nil for every such weekday of the period.
        public var ordinal: Int?
    }

    public var frequency: Frequency
    public var interval = 1
    public var count: Int?
    /// The last moment an occurrence may start (a date-only UNTIL is the end of that day).
    public var until: UntilValue?
    public var byDay: [WeekdayRule] = []
    public var byMonthDay: [Int] = []
    public var byMonth: [Int] = []
    /// Positions in each period's set of candidates (1 the first, -1 the last).
    public var bySetPosition: [Int] = []
    /// First day of the week for WEEKLY rules with BYDAY (default Monday, 2).
    public var weekStart = 2

    public enum UntilValue: Sendable, Equatable {
        case instant(Date)
        /// `UNTIL=20261231`: through that day, in the series' own zone.
        case date(year: Int, month: Int, day: Int)
    }

    static let weekdays = ["SU": 1, "MO": 2, "TU": 3, "WE": 4, "TH": 5, "FR": 6, "SA": 7]

    public struct ParseError: Error, CustomStringConvertible, Sendable, Equatable {
        public var description: String
    }

    public init(_ line: String) throws(ParseError) {
        let text = line.hasPrefix("RRULE:") ? String(line.dropFirst(6)) : line
        var frequency: Frequency?
        for part in text.split(separator: ";") {
            let pair = part.split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2 else { throw ParseError(description: "'\(part)' is not NAME=VALUE in \(line)") }
            let (name, value) = (pair[0].uppercased(), pair[1].uppercased())
            switch name {
            case "FREQ":
                guard let known = Frequency(rawValue: value) else { throw ParseError(description: "FREQ=\(value) is not supported") }
                frequency = known
            case "INTERVAL":
                guard let number = Int(value), number >= 1 else { throw ParseError(description: "INTERVAL=\(value) is not a positive number") }
                interval = number
            case "COUNT":
                guard let number = Int(value), number >= 1 else { throw ParseError(description: "COUNT=\(value) is not a positive number") }
                count = number
            case "UNTIL": until = try Self.parseUntil(value)
            case "BYDAY":
                byDay = []
                for item in value.split(separator: ",") { byDay.append(try Self.parseWeekday(String(item))) }
            case "BYMONTHDAY":
                byMonthDay = try value.split(separator: ",").map { item throws(ParseError) in
                    guard let day = Int(item), day != 0, (-31...31).contains(day) else { throw ParseError(description: "BYMONTHDAY=\(value)") }
                    return day
                }
            case "BYMONTH":
                byMonth = try value.split(separator: ",").map { item throws(ParseError) in
                    guard let month = Int(item), (1...12).contains(month) else { throw ParseError(description: "BYMONTH=\(value)") }
                    return month
                }
            case "BYSETPOS":
                bySetPosition = try value.split(separator: ",").map { item throws(ParseError) in
                    guard let position = Int(item), position != 0, (-366...366).contains(position) else {
                        throw ParseError(description: "BYSETPOS=\(value)")
                    }
                    return position
                }
            case "WKST":
                guard let day = Self.weekdays[value] else { throw ParseError(description: "WKST=\(value)") }
                weekStart = day
            default:
                throw ParseError(description: "\(name) is not supported")
            }
        }
        guard let frequency else { throw ParseError(description: "no FREQ in \(line)") }
        self.frequency = frequency
    }

    static func parseWeekday(_ text: String) throws(ParseError) -> WeekdayRule {
        let code = String(text.suffix(2))
        guard let weekday = weekdays[code] else { throw ParseError(description: "BYDAY \(text) is not a weekday") }
        let prefix = text.dropLast(2)
        guard !prefix.isEmpty else { return WeekdayRule(weekday: weekday, ordinal: nil) }
        guard let ordinal = Int(prefix), ordinal != 0, (-53...53).contains(ordinal) else {
            throw ParseError(description: "BYDAY \(text): bad ordinal")
        }
        return WeekdayRule(weekday: weekday, ordinal: ordinal)
    }

    static func parseUntil(_ value: String) throws(ParseError) -> UntilValue {
        let digits = value.prefix(8)
        guard digits.count == 8, let year = Int(digits.prefix(4)), let month = Int(digits.dropFirst(4).prefix(2)),
            let day = Int(digits.suffix(2))
        else { throw ParseError(description: "UNTIL=\(value) is not a date") }
        guard value.count > 8 else { return .date(year: year, month: month, day: day) }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let time = value.dropFirst(9).prefix(6)
        guard value.dropFirst(8).first == "T", time.count == 6, let hour = Int(time.prefix(2)), let minute = Int(time.dropFirst(2).prefix(2)),
            let second = Int(time.suffix(2)),
            let date = calendar.date(from: DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second))
        else { throw ParseError(description: "UNTIL=\(value) is not a date-time") }
        // A floating UNTIL (no Z) is read as UTC too: Google writes UTC.
        return .instant(date)
    }
}

extension RecurrenceRule.ParseError: CalworkerError {
    public var errorCode: String { "unsupported_rule" }
    public var message: String { description }
    public var isRetryable: Bool { false }
}
