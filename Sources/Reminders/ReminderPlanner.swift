public import Foundation

/// A start or end as the local copy keeps it: a date for all-day events, else an instant and
/// the zone a series repeats in.
public struct ReminderTime: Sendable, Equatable {
    public var date: String?
    public var instant: Date?
    public var timeZone: String?

    public init(date: String? = nil, instant: Date? = nil, timeZone: String? = nil) {
        self.date = date
        self.instant = instant
        self.timeZone = timeZone
    }
}

/// One event of a user's calendars, as the planner needs it (read from `calworker.events`).
public struct ReminderEvent: Sendable, Equatable {
    public var calendarID: String
    public var eventID: String
    /// The same meeting in two of the user's calendars shares it: one reminder, not two.
    public var iCalUID: String?
    public var summary: String?
    public var status = "confirmed"
    public var start: ReminderTime
    public var recurrence: [String]?
    public var recurringEventID: String?
    public var originalStart: ReminderTime?
    public var isMirror = false
    public var selfDeclined = false

    public init(
        calendarID: String, eventID: String, iCalUID: String? = nil, summary: String? = nil, status: String = "confirmed",
        start: ReminderTime, recurrence: [String]? = nil, recurringEventID: String? = nil, originalStart: ReminderTime? = nil,
        isMirror: Bool = false, selfDeclined: Bool = false
    ) {
        self.calendarID = calendarID
        self.eventID = eventID
        self.iCalUID = iCalUID
        self.summary = summary
        self.status = status
        self.start = start
        self.recurrence = recurrence
        self.recurringEventID = recurringEventID
        self.originalStart = originalStart
        self.isMirror = isMirror
        self.selfDeclined = selfDeclined
    }
}

/// A user's reminder preferences (one row of `calworker.notification_settings`, or the defaults).
public struct ReminderPreferences: Sendable, Equatable {
    /// Minutes before a timed event starts. Default 30.
    public var leadMinutes = 30
    /// The zone quiet hours, all-day reminders and the message's times are in. Default UTC.
    public var timeZone = TimeZone(identifier: "UTC")!
    /// Quiet hours as minutes after local midnight; `start > end` spans midnight (22:00-07:00).
    public var quietStart: Int?
    public var quietEnd: Int?
    /// When, on an all-day event's day, its reminder goes. Default 08:00.
    public var allDayAt = 8 * 60

    public init(
        leadMinutes: Int = 30, timeZone: TimeZone = TimeZone(identifier: "UTC")!, quietStart: Int? = nil, quietEnd: Int? = nil,
        allDayAt: Int = 8 * 60
    ) {
        self.leadMinutes = leadMinutes
        self.timeZone = timeZone
        self.quietStart = quietStart
        self.quietEnd = quietEnd
        self.allDayAt = allDayAt
    }

    func isQuiet(at date: Date) -> Bool {
        guard let quietStart, let quietEnd, quietStart != quietEnd else { return false }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.hour, .minute], from: date)
        let minute = parts.hour! * 60 + parts.minute!
        return quietStart < quietEnd ? (minute >= quietStart && minute < quietEnd) : (minute >= quietStart || minute < quietEnd)
    }
}

/// A reminder that is due now.
public struct DueReminder: Sendable, Equatable {
    /// One occurrence of one event for this user: the meeting's uid and the occurrence's start.
    /// A moved event gets a new key (so a new reminder); the same meeting in two calendars, one.
    public var key: String
    public var calendarID: String
    public var eventID: String
    public var summary: String
    /// The occurrence's start (an all-day event's: its local midnight).
    public var start: Date
    /// `YYYY-MM-DD` for all-day events.
    public var allDayDate: String?
    /// Minutes from now to the start, rounded up (0 for all-day events).
    public var minutesBefore: Int
}

public struct ReminderPlan: Sendable, Equatable {
    public var due: [DueReminder] = []
    /// Due, but now is in the user's quiet hours: they are sent after, if the event has not started.
    public var quietHours = 0
    /// Series whose rule this build cannot expand (named, so an operator can see why).
    public var unsupported: [String] = []
}

/// Decides, without any I/O, which reminders are due at `now`: timed events from `leadMinutes`
/// before their start until they start; all-day events from `allDayAt` on their day until it
/// ends; series expanded in their own zone (DST-correct), moved occurrences at their new time,
/// cancelled ones not at all. Mirrors, cancelled and declined events get none.
public struct ReminderPlanner: Sendable {
    public var preferences: ReminderPreferences
    public var now: Date

    public init(preferences: ReminderPreferences, now: Date) {
        self.preferences = preferences
        self.now = now
    }

    public func plan(_ events: [ReminderEvent]) -> ReminderPlan {
        var plan = ReminderPlan()
        var byKey: [String: DueReminder] = [:]
        let live = events.filter { !$0.isMirror && !$0.selfDeclined }
        // Occurrences of a series that were moved or cancelled are exceptions of their own.
        var replaced: [String: (instants: Set<Date>, days: Set<String>)] = [:]
        for exception in live where exception.recurringEventID != nil {
            let series = "\(exception.calendarID)/\(exception.recurringEventID!)"
            if let instant = exception.originalStart?.instant { replaced[series, default: ([], [])].instants.insert(instant) }
            if let day = exception.originalStart?.date { replaced[series, default: ([], [])].days.insert(day) }
        }
        let windowStart = now.addingTimeInterval(-86_400)
        let windowEnd = now.addingTimeInterval(Double(preferences.leadMinutes) * 60 + 86_400)
        for event in live where event.status != "cancelled" {
            let uid = event.iCalUID ?? "\(event.calendarID)/\(event.recurringEventID ?? event.eventID)"
            let summary = event.summary ?? "(no title)"
            if let lines = event.recurrence, !lines.isEmpty, event.recurringEventID == nil {
                let recurrence: Recurrence
                do {
                    recurrence = try Recurrence(lines: lines)
                } catch {
                    plan.unsupported.append("\(event.calendarID)/\(event.eventID): \(error.description)")
                    continue
                }
                let skip = replaced["\(event.calendarID)/\(event.eventID)"] ?? ([], [])
                if let first = event.start.instant {
                    let zone = event.start.timeZone.flatMap(TimeZone.init(identifier:)) ?? preferences.timeZone
                    for start in recurrence.occurrences(first: first, zone: zone, from: windowStart, to: windowEnd)
                    where !skip.instants.contains(start) {
                        consider(timed: start, uid: uid, event: event, summary: summary, into: &byKey, plan: &plan)
                    }
                } else if let first = event.start.date {
                    for day in recurrence.allDayOccurrences(
                        first: first, from: Self.dayText(windowStart, preferences.timeZone),
                        to: Self.dayText(windowEnd, preferences.timeZone)) where !skip.days.contains(day)
                    {
                        consider(allDay: day, uid: uid, event: event, summary: summary, into: &byKey, plan: &plan)
                    }
                }
            } else if let start = event.start.instant {
                consider(timed: start, uid: uid, event: event, summary: summary, into: &byKey, plan: &plan)
            } else if let day = event.start.date {
                consider(allDay: day, uid: uid, event: event, summary: summary, into: &byKey, plan: &plan)
            }
        }
        plan.due = byKey.values.sorted { ($0.start, $0.key) < ($1.start, $1.key) }
        return plan
    }

    private func consider(
        timed start: Date, uid: String, event: ReminderEvent, summary: String, into due: inout [String: DueReminder],
        plan: inout ReminderPlan
    ) {
        let remindAt = start.addingTimeInterval(-Double(preferences.leadMinutes) * 60)
        guard remindAt <= now && now < start else { return }
        guard !preferences.isQuiet(at: now) else {
            plan.quietHours += 1
            return
        }
        let key = uid + "#" + Self.iso(start)
        due[key] = DueReminder(
            key: key, calendarID: event.calendarID, eventID: event.eventID, summary: summary, start: start, allDayDate: nil,
            minutesBefore: Int((start.timeIntervalSince(now) / 60).rounded(.up)))
    }

    private func consider(
        allDay day: String, uid: String, event: ReminderEvent, summary: String, into due: inout [String: DueReminder],
        plan: inout ReminderPlan
    ) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = preferences.timeZone
        let parts = day.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3, let midnight = calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2])),
            let next = calendar.date(byAdding: .day, value: 1, to: midnight),
            let remindAt = calendar.date(byAdding: .minute, value: preferences.allDayAt, to: midnight)
        else { return }
        guard remindAt <= now && now < next else { return }
        guard !preferences.isQuiet(at: now) else {
            plan.quietHours += 1
            return
        }
        let key = uid + "#" + day
        due[key] = DueReminder(
            key: key, calendarID: event.calendarID, eventID: event.eventID, summary: summary, start: midnight,
            allDayDate: day, minutesBefore: 0)
    }

    static func iso(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }

    static func dayText(_ date: Date, _ zone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
    }
}
