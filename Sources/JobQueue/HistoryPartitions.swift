public import Foundation

/// The run history's partitions, a UTC day each (`job_runs_YYYYMMDD`), and what retention
/// does with them. Pure: `JobQueue.maintainHistory` reads the names and carries the plan out.
public struct HistoryPartitions: Sendable, Equatable {
    /// The days the history's partitions cover, as their first instant (UTC midnight).
    public var days: [Date]

    /// Days created ahead of today, so a worker never writes into the default partition while
    /// the cleanup job runs at least once in that long.
    public static let daysAhead = 3

    public init(days: [Date]) { self.days = days.sorted() }

    /// Reads the partition names; a table that is not a day's partition (the default one,
    /// anything else) is ignored.
    public init(names: [String]) {
        self.init(days: names.compactMap(Self.day(fromName:)))
    }

    /// The UTC calendar, which the partitions' boundaries follow.
    static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    /// `job_runs_20261203` → 2026-12-03T00:00:00Z.
    static func day(fromName name: String) -> Date? {
        guard name.hasPrefix("job_runs_"), name.count == 17, let number = Int(name.dropFirst(9)) else { return nil }
        let components = DateComponents(year: number / 10_000, month: number / 100 % 100, day: number % 100)
        guard let date = utc.date(from: components), utc.dateComponents([.year, .month, .day], from: date) == components else { return nil }
        return date
    }

    /// The first instant of `date`'s UTC day.
    public static func startOfDay(_ date: Date) -> Date { utc.startOfDay(for: date) }

    /// Days from today to `daysAhead` after it that have no partition yet.
    public func missing(now: Date) -> [Date] {
        let today = Self.startOfDay(now)
        let present = Set(days)
        return (0...Self.daysAhead).compactMap { Self.utc.date(byAdding: .day, value: $0, to: today) }.filter { !present.contains($0) }
    }

    /// Partitions whose every record finished before `now - retention`: whole days only, so
    /// the newest day that retention reaches into is kept whole.
    public func expired(now: Date, retention: TimeInterval) -> [Date] {
        let cutoff = now.addingTimeInterval(-retention)
        return days.filter { day in (Self.utc.date(byAdding: .day, value: 1, to: day) ?? day) <= cutoff }
    }

    /// The partition's table name.
    public static func name(of day: Date) -> String {
        let parts = utc.dateComponents([.year, .month, .day], from: day)
        return String(format: "job_runs_%04d%02d%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
    }
}
