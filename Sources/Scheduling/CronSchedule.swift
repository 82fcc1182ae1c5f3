public import Foundation

/// When a cron expression fires in a time zone, with cronie's answer to clock changes: a time
/// that does not exist (02:30 on the night clocks go forward) fires once, at the first minute
/// after the gap; a time that happens twice (02:30 on the night they go back) fires once, the
/// first time. A fire is named by its wall-clock time, so each fires once however often the
/// scheduler looks.
public struct CronSchedule: Sendable {
    public let expression: CronExpression
    public let timeZone: TimeZone

    public init(_ expression: CronExpression, timeZone: TimeZone) {
        self.expression = expression
        self.timeZone = timeZone
    }

    public struct Fire: Sendable, Equatable {
        /// The minute it fires at.
        public var at: Date
        /// The wall-clock time it was scheduled for (`2026-03-29T02:30`), its identity.
        public var wallTime: String
    }

    /// Fires after `start` up to and including `end` (minute resolution), in order.
    public func fires(after start: Date, through end: Date) -> [Fire] {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        var fires: [Fire] = []
        var seen = Set<String>()
        var minute = Date(timeIntervalSince1970: (start.timeIntervalSince1970 / 60).rounded(.down) * 60 + 60)
        var previousWall = calendar.dateComponents([.year, .month, .day, .hour, .minute, .weekday], from: minute.addingTimeInterval(-60))
        while minute <= end {
            let wall = calendar.dateComponents([.year, .month, .day, .hour, .minute, .weekday], from: minute)
            // Wall times the clock jumped over (spring forward) fire now, at the first minute after.
            if let gap = Self.skipped(from: previousWall, to: wall, calendar: calendar) {
                for skipped in gap where matches(skipped, calendar: calendar) {
                    let name = Self.name(skipped)
                    if seen.insert(name).inserted { fires.append(Fire(at: minute, wallTime: name)) }
                }
            }
            if matches(wall, calendar: calendar) {
                let name = Self.name(wall)
                // The second pass through a repeated hour (fall back) has the same name: not again.
                if seen.insert(name).inserted { fires.append(Fire(at: minute, wallTime: name)) }
            }
            previousWall = wall
            minute.addTimeInterval(60)
        }
        return fires
    }

    /// The newest fire in `(start, end]`, if any: what a scheduler that was away should run once.
    public func latestFire(after start: Date, through end: Date) -> Fire? { fires(after: start, through: end).last }

    func matches(_ wall: DateComponents, calendar: Calendar) -> Bool {
        expression.matches(minute: wall.minute!, hour: wall.hour!, day: wall.day!, month: wall.month!, weekday: wall.weekday! - 1)
    }

    static func name(_ wall: DateComponents) -> String {
        String(format: "%04d-%02d-%02dT%02d:%02d", wall.year!, wall.month!, wall.day!, wall.hour!, wall.minute!)
    }

    /// The wall-clock minutes strictly between two consecutive real minutes, when the clock
    /// jumped forward between them (none normally).
    static func skipped(from previous: DateComponents, to current: DateComponents, calendar: Calendar) -> [DateComponents]? {
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = TimeZone(identifier: "UTC")!
        func flat(_ wall: DateComponents) -> Date? {
            utc.date(from: DateComponents(year: wall.year, month: wall.month, day: wall.day, hour: wall.hour, minute: wall.minute))
        }
        guard let before = flat(previous), let now = flat(current), now.timeIntervalSince(before) > 60 else { return nil }
        var missing: [DateComponents] = []
        var cursor = before.addingTimeInterval(60)
        while cursor < now {
            var wall = utc.dateComponents([.year, .month, .day, .hour, .minute, .weekday], from: cursor)
            wall.timeZone = calendar.timeZone
            missing.append(wall)
            cursor.addTimeInterval(60)
        }
        return missing
    }
}

extension CronSchedule {
    /// The longest time between two consecutive fires over the `days` after `start` (a week
    /// and a day by default, so weekday schedules count their weekend): how long a healthy
    /// installation may go without a fire of this schedule. Nil when it fires less than twice.
    public func longestGap(after start: Date, days: Int = 8) -> TimeInterval? {
        let times = fires(after: start, through: start.addingTimeInterval(Double(days) * 86_400)).map(\.at)
        guard times.count >= 2 else { return nil }
        return zip(times, times.dropFirst()).map { $1.timeIntervalSince($0) }.max()
    }
}
