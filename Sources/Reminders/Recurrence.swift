public import Foundation

/// A series' recurrence (its `RRULE` lines and `EXDATE`s) expanded into the starts of its
/// occurrences, in the series' own time zone: a weekly 09:00 in Europe/Berlin stays at 09:00
/// local across the change to and from summer time.
public struct Recurrence: Sendable {
    public let rules: [RecurrenceRule]
    let excludedInstants: Set<Date>
    let excludedDays: Set<String>

    /// - Parameter lines: Google's `recurrence` array (`RRULE:`, `EXDATE:`, `RDATE:` lines).
    public init(lines: [String]) throws(RecurrenceRule.ParseError) {
        var rules: [RecurrenceRule] = []
        var instants = Set<Date>()
        var days = Set<String>()
        for line in lines {
            if line.hasPrefix("RRULE:") {
                rules.append(try RecurrenceRule(line))
            } else if line.hasPrefix("EXDATE") {
                let (zone, values) = Self.split(line)
                for value in values {
                    if value.count == 8 {
                        days.insert("\(value.prefix(4))-\(value.dropFirst(4).prefix(2))-\(value.suffix(2))")
                    } else if let date = Self.parseDateTime(value, zone: zone) {
                        instants.insert(date)
                    }
                }
            } else if line.hasPrefix("RDATE") {
                throw RecurrenceRule.ParseError(description: "RDATE is not supported")
            }
        }
        guard !rules.isEmpty else { throw RecurrenceRule.ParseError(description: "no RRULE") }
        self.rules = rules
        excludedInstants = instants
        excludedDays = days
    }

    /// `EXDATE;TZID=Europe/Berlin:20261202T090000,20261209T090000` → (zone, values).
    static func split(_ line: String) -> (TimeZone?, [String]) {
        guard let colon = line.firstIndex(of: ":") else { return (nil, []) }
        let parameters = line[..<colon]
        var zone: TimeZone?
        if let range = parameters.range(of: "TZID=") {
            zone = TimeZone(identifier: String(parameters[range.upperBound...].prefix { $0 != ";" }))
        }
        return (zone, line[line.index(after: colon)...].split(separator: ",").map(String.init))
    }

    static func parseDateTime(_ value: String, zone: TimeZone?) -> Date? {
        guard value.count >= 15 else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = value.hasSuffix("Z") ? TimeZone(identifier: "UTC")! : (zone ?? TimeZone(identifier: "UTC")!)
        let digits = value.replacingOccurrences(of: "T", with: "").replacingOccurrences(of: "Z", with: "")
        guard digits.count == 14, let number = Int(digits), number > 0 else { return nil }
        func part(_ start: Int, _ length: Int) -> Int { Int(digits.dropFirst(start).prefix(length))! }
        return calendar.date(
            from: DateComponents(
                year: part(0, 4), month: part(4, 2), day: part(6, 2), hour: part(8, 2),
                minute: part(10, 2), second: part(12, 2)))
    }

    /// Starts of timed occurrences in `from...to`, `first` being the series' own start (the
    /// first occurrence) and `zone` the zone it repeats in.
    public func occurrences(first: Date, zone: TimeZone, from: Date, to: Date) -> [Date] {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let time = calendar.dateComponents([.hour, .minute, .second], from: first)
        var found = Set<Date>()
        for rule in rules {
            let expansion = RuleExpansion(
                rule: rule, calendar: calendar, first: calendar.dateComponents([.year, .month, .day], from: first),
                untilOf: { Self.lastStart($0, calendar: calendar) },
                startOn: { day in
                    calendar.date(
                        from: DateComponents(
                            year: day.year, month: day.month, day: day.day, hour: time.hour,
                            minute: time.minute, second: time.second))
                })
            expansion.days(through: to) { start in
                if start >= from && start <= to && !excludedInstants.contains(start) { found.insert(start) }
            }
        }
        return found.sorted()
    }

    /// Dates (`YYYY-MM-DD`) of all-day occurrences in `from...to` (dates compare as strings).
    public func allDayOccurrences(first: String, from: String, to: String) -> [String] {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = first.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3, let end = Self.day(to, calendar) else { return [] }
        var found = Set<String>()
        for rule in rules {
            let expansion = RuleExpansion(
                rule: rule, calendar: calendar, first: DateComponents(year: parts[0], month: parts[1], day: parts[2]),
                untilOf: { Self.lastStart($0, calendar: calendar) },
                startOn: { day in calendar.date(from: DateComponents(year: day.year, month: day.month, day: day.day)) })
            expansion.days(through: end) { date in
                let components = calendar.dateComponents([.year, .month, .day], from: date)
                let text = String(format: "%04d-%02d-%02d", components.year!, components.month!, components.day!)
                if text >= from && text <= to && !excludedDays.contains(text) { found.insert(text) }
            }
        }
        return found.sorted()
    }

    static func day(_ text: String, _ calendar: Calendar) -> Date? {
        let parts = text.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3 else { return nil }
        return calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2]))
    }

    static func lastStart(_ until: RecurrenceRule.UntilValue, calendar: Calendar) -> Date? {
        switch until {
        case .instant(let date): return date
        case .date(let year, let month, let day):
            return calendar.date(from: DateComponents(year: year, month: month, day: day, hour: 23, minute: 59, second: 59))
        }
    }
}
