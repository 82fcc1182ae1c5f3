import Foundation

/// Walks one rule period by period (RFC 5545's order: candidates of a period sorted, those
/// before the first occurrence dropped, COUNT and UNTIL applied), handing each occurrence to
/// a callback until `through`.
struct RuleExpansion {
    let rule: RecurrenceRule
    let calendar: Calendar
    /// The first occurrence's date (year, month, day) in the series' zone.
    let first: DateComponents
    let untilOf: (RecurrenceRule.UntilValue) -> Date?
    /// The occurrence on a given day (with the series' time of day).
    let startOn: (DateComponents) -> Date?

    init(
        rule: RecurrenceRule, calendar: Calendar, first: DateComponents, untilOf: @escaping (RecurrenceRule.UntilValue) -> Date?,
        startOn: @escaping (DateComponents) -> Date?
    ) {
        self.rule = rule
        self.calendar = calendar
        self.first = first
        self.untilOf = untilOf
        self.startOn = startOn
    }

    /// A safety net: no series is walked for more periods than this (daily for 270 years).
    static let maximumPeriods = 100_000

    func days(through end: Date, _ visit: (Date) -> Void) {
        guard let firstStart = startOn(first) else { return }
        let until = rule.until.flatMap(untilOf)
        var produced = 0
        for period in 0..<Self.maximumPeriods {
            let candidates = positioned(self.candidates(period: period).compactMap(startOn).sorted()).filter { $0 >= firstStart }
            for start in candidates {
                if let until, start > until { return }
                if start > end { return }
                produced += 1
                if let count = rule.count, produced > count { return }
                visit(start)
            }
            // A period entirely past the window ends the walk even when it produced nothing.
            if let periodStart = periodStart(period), periodStart > end { return }
        }
    }

    /// BYSETPOS: the period's candidates at those positions (RFC 5545 §3.3.10), before the
    /// series' start is applied.
    func positioned(_ sorted: [Date]) -> [Date] {
        guard !rule.bySetPosition.isEmpty else { return sorted }
        let picked = rule.bySetPosition.compactMap { position -> Date? in
            let index = position > 0 ? position - 1 : sorted.count + position
            return sorted.indices.contains(index) ? sorted[index] : nil
        }
        return Array(Set(picked)).sorted()
    }

    func periodStart(_ period: Int) -> Date? {
        let base = calendar.date(from: DateComponents(year: first.year, month: first.month, day: first.day))!
        switch rule.frequency {
        case .daily: return calendar.date(byAdding: .day, value: period * rule.interval, to: base)
        case .weekly: return calendar.date(byAdding: .day, value: period * rule.interval * 7 - 7, to: base)
        case .monthly: return calendar.date(byAdding: .month, value: period * rule.interval - 1, to: base)
        case .yearly: return calendar.date(byAdding: .year, value: period * rule.interval - 1, to: base)
        }
    }

    /// The candidate days (year, month, day) of period `period`.
    func candidates(period: Int) -> [DateComponents] {
        let base = calendar.date(from: DateComponents(year: first.year, month: first.month, day: first.day))!
        switch rule.frequency {
        case .daily:
            guard let day = calendar.date(byAdding: .day, value: period * rule.interval, to: base) else { return [] }
            return filtered([components(day)])
        case .weekly:
            guard let anchor = calendar.date(byAdding: .day, value: period * rule.interval * 7, to: base) else { return [] }
            let weekday = calendar.component(.weekday, from: anchor)
            let offset = (weekday - rule.weekStart + 7) % 7
            guard let weekStart = calendar.date(byAdding: .day, value: -offset, to: anchor) else { return [] }
            let wanted = rule.byDay.isEmpty ? [calendar.component(.weekday, from: base)] : rule.byDay.map(\.weekday)
            let days = (0..<7).compactMap { calendar.date(byAdding: .day, value: $0, to: weekStart) }
                .filter { wanted.contains(calendar.component(.weekday, from: $0)) }
            return filtered(days.map(components), applyingByDay: false)
        case .monthly:
            guard
                let month = calendar.date(
                    byAdding: .month, value: period * rule.interval,
                    to: calendar.date(from: DateComponents(year: first.year, month: first.month, day: 1))!)
            else { return [] }
            return filtered(days(inMonth: components(month)), applyingByDay: false)
        case .yearly:
            let year = first.year! + period * rule.interval
            let months = rule.byMonth.isEmpty ? [first.month!] : rule.byMonth
            return months.flatMap { days(inMonth: DateComponents(year: year, month: $0, day: 1)) }
        }
    }

    /// The days of one month a MONTHLY (or YEARLY with BYMONTH) rule picks.
    func days(inMonth month: DateComponents) -> [DateComponents] {
        guard let start = calendar.date(from: DateComponents(year: month.year, month: month.month, day: 1)),
            let length = calendar.range(of: .day, in: .month, for: start)?.count
        else { return [] }
        func day(_ number: Int) -> DateComponents { DateComponents(year: month.year, month: month.month, day: number) }
        if !rule.byMonthDay.isEmpty {
            return rule.byMonthDay.map { $0 > 0 ? $0 : length + 1 + $0 }.filter { (1...length).contains($0) }.sorted().map(day)
        }
        if !rule.byDay.isEmpty {
            var picked: [Int] = []
            for item in rule.byDay {
                let matching = (1...length).filter { calendar.component(.weekday, from: calendar.date(from: day($0))!) == item.weekday }
                if let ordinal = item.ordinal {
                    let index = ordinal > 0 ? ordinal - 1 : matching.count + ordinal
                    if matching.indices.contains(index) { picked.append(matching[index]) }
                } else {
                    picked += matching
                }
            }
            return Set(picked).sorted().map(day)
        }
        // The first occurrence's day of the month; months without it are skipped (RFC 5545).
        return first.day! <= length ? [day(first.day!)] : []
    }

    func components(_ date: Date) -> DateComponents { calendar.dateComponents([.year, .month, .day], from: date) }

    /// BYMONTH (and, for daily rules, BYDAY) narrow the candidates.
    func filtered(_ days: [DateComponents], applyingByDay: Bool = true) -> [DateComponents] {
        days.filter { day in
            if !rule.byMonth.isEmpty && !rule.byMonth.contains(day.month!) { return false }
            if applyingByDay && !rule.byDay.isEmpty {
                let weekday = calendar.component(.weekday, from: calendar.date(from: day)!)
                return rule.byDay.contains { $0.weekday == weekday }
            }
            return true
        }
    }
}
