public import Basics
import Foundation

/// A five-field cron schedule (`minute hour day-of-month month day-of-week`) as Vixie cron and
/// cronie read it: `*`, numbers, ranges `1-5`, steps `*/15` and `10-50/20`, lists `1,15`, month
/// and weekday names (`jan`, `mon-fri`), 7 for Sunday, and `@hourly`, `@daily`, `@weekly`,
/// `@monthly`, `@yearly`. When both day fields are restricted a day matches either (cron's OR).
public struct CronExpression: Sendable, Equatable, CustomStringConvertible {
    public let text: String
    public let minutes: Set<Int>
    public let hours: Set<Int>
    public let days: Set<Int>
    public let months: Set<Int>
    /// 0 Sunday ... 6 Saturday.
    public let weekdays: Set<Int>
    let daysRestricted: Bool
    let weekdaysRestricted: Bool

    public struct ParseError: Error, CustomStringConvertible, Sendable, Equatable {
        public var description: String
    }

    static let macros = [
        "@hourly": "0 * * * *", "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@weekly": "0 0 * * 0",
        "@monthly": "0 0 1 * *", "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *",
    ]
    static let monthNames = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    static let weekdayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]

    public init(_ text: String) throws(ParseError) {
        self.text = text
        let expanded = Self.macros[text.trimmingCharacters(in: .whitespaces).lowercased()] ?? text
        let fields = expanded.split(whereSeparator: \.isWhitespace).map { $0.lowercased() }
        guard fields.count == 5 else {
            throw ParseError(description: "'\(text)' has \(fields.count) fields; cron takes five: minute hour day-of-month month day-of-week")
        }
        minutes = try Self.field(fields[0], "minute", 0...59, names: [])
        hours = try Self.field(fields[1], "hour", 0...23, names: [])
        days = try Self.field(fields[2], "day of month", 1...31, names: [])
        months = try Self.field(fields[3], "month", 1...12, names: Self.monthNames, nameBase: 1)
        // 7 is Sunday too.
        weekdays = Set(try Self.field(fields[4], "day of week", 0...7, names: Self.weekdayNames).map { $0 % 7 })
        daysRestricted = fields[2] != "*"
        weekdaysRestricted = fields[4] != "*"
        // Cron accepts `0 0 30 2 *` and then never runs it; say so instead. (With the weekday
        // restricted too, cron's OR still fires on those weekdays.)
        if daysRestricted && !weekdaysRestricted,
            !months.contains(where: { month in days.contains { $0 <= Self.longestMonth[month - 1] } })
        {
            throw ParseError(description: "'\(text)' never fires: no month it names has day \(days.sorted().map(String.init).joined(separator: ","))")
        }
    }

    /// Days in each month of a leap year: what a day of the month must fit in to ever occur.
    static let longestMonth = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

    static func field(_ text: String, _ name: String, _ range: ClosedRange<Int>, names: [String], nameBase: Int = 0) throws(ParseError) -> Set<Int> {
        func value(_ item: String) throws(ParseError) -> Int {
            if let index = names.firstIndex(of: item) { return index + nameBase }
            guard let number = Int(item), range.contains(number) else {
                throw ParseError(description: "\(name): '\(item)' is not in \(range.lowerBound)-\(range.upperBound)")
            }
            return number
        }
        var result = Set<Int>()
        for part in text.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
            guard !part.isEmpty else { throw ParseError(description: "\(name): an empty item in '\(text)'") }
            let pieces = part.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            guard pieces.count <= 2 else { throw ParseError(description: "\(name): '\(part)' has more than one '/'") }
            var step = 1
            if pieces.count == 2 {
                guard let number = Int(pieces[1]), number >= 1, number <= range.count else {
                    throw ParseError(description: "\(name): step '\(pieces[1])' is not from 1 to \(range.count)")
                }
                step = number
            }
            let bounds: (Int, Int)
            if pieces[0] == "*" {
                bounds = (range.lowerBound, range.upperBound)
            } else if let dash = pieces[0].firstIndex(of: "-") {
                let low = try value(String(pieces[0][..<dash]))
                let high = try value(String(pieces[0][pieces[0].index(after: dash)...]))
                guard low <= high else { throw ParseError(description: "\(name): range '\(pieces[0])' goes backwards") }
                bounds = (low, high)
            } else {
                let single = try value(pieces[0])
                bounds = (single, pieces.count == 2 ? range.upperBound : single)
            }
            result.formUnion(stride(from: bounds.0, through: bounds.1, by: step))
        }
        return result
    }

    /// Whether the wall-clock minute matches.
    public func matches(minute: Int, hour: Int, day: Int, month: Int, weekday: Int) -> Bool {
        guard minutes.contains(minute), hours.contains(hour), months.contains(month) else { return false }
        let dayOK = days.contains(day)
        let weekdayOK = weekdays.contains(weekday)
        switch (daysRestricted, weekdaysRestricted) {
        case (true, true): return dayOK || weekdayOK
        case (true, false): return dayOK
        case (false, true): return weekdayOK
        case (false, false): return true
        }
    }

    public var description: String { text }
}

extension CronExpression.ParseError: CalworkerError {
    public var errorCode: String { "invalid_schedule" }
    public var message: String { description }
    public var isRetryable: Bool { false }
}
