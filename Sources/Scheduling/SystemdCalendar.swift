import Foundation

/// A cron expression as systemd `OnCalendar=` lines (`systemd.time(7)`), for `.timer` units.
/// Each field becomes its explicit values (systemd has no cron steps over ranges), and since
/// systemd ANDs the day-of-month and weekday where cron ORs them, such a schedule becomes two
/// lines, one per day field (a timer fires on the union of its lines).
public enum SystemdCalendar {
    public static func onCalendar(_ cron: CronExpression, timeZone: String) -> [String] {
        func list(_ values: Set<Int>, full: ClosedRange<Int>, width: Int) -> String {
            if values == Set(full) { return "*" }
            return values.sorted().map { width == 2 ? String(format: "%02d", $0) : String($0) }.joined(separator: ",")
        }
        let names = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let time = "\(list(cron.hours, full: 0...23, width: 2)):\(list(cron.minutes, full: 0...59, width: 2)):00"
        let months = list(cron.months, full: 1...12, width: 2)
        func line(days: String, weekdays: Set<Int>?) -> String {
            let weekday = weekdays.map { $0.sorted().map { names[$0] }.joined(separator: ",") + " " } ?? ""
            return "\(weekday)*-\(months)-\(days) \(time) \(timeZone)"
        }
        let days = list(cron.days, full: 1...31, width: 2)
        switch (cron.daysRestricted, cron.weekdaysRestricted) {
        case (true, true): return [line(days: days, weekdays: nil), line(days: "*", weekdays: cron.weekdays)]
        case (false, true): return [line(days: "*", weekdays: cron.weekdays)]
        default: return [line(days: days, weekdays: nil)]
        }
    }
}
