public import Foundation

/// A start or end as Google gives it: a date for all-day events, else an instant (with the
/// zone the user chose, which recurring series need to expand in).
public struct EventTime: Sendable, Equatable, Hashable {
    /// `YYYY-MM-DD` for all-day events.
    public var date: String?
    public var instant: Date?
    public var timeZone: String?

    public init(date: String? = nil, instant: Date? = nil, timeZone: String? = nil) {
        self.date = date
        self.instant = instant
        self.timeZone = timeZone
    }

    /// The same moment (or day): zone spellings and offsets do not make two times different.
    public func sameTime(as other: EventTime) -> Bool {
        if let date { return date == other.date }
        guard let instant, let otherInstant = other.instant else { return false }
        return abs(instant.timeIntervalSince(otherInstant)) < 0.001
    }

    /// A comparable point for window checks: an all-day date counts from its midnight UTC.
    var point: Date? {
        if let instant { return instant }
        guard let date else { return nil }
        let parts = date.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3 else { return nil }
        var components = DateComponents()
        (components.year, components.month, components.day) = (parts[0], parts[1], parts[2])
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.date(from: components)
    }
}

/// One event of the local copy, as the planner needs it (no I/O: the caller reads these from
/// `calworker.events`).
public struct PlannedEvent: Sendable, Equatable {
    public var accountID: Int64
    public var calendarID: String
    public var id: String
    public var etag: String?
    public var status: String
    public var summary: String?
    public var start: EventTime?
    public var end: EventTime?
    public var recurrence: [String]?
    /// Set on an instance of a recurring series (an exception or a cancelled occurrence).
    public var recurringEventID: String?
    public var originalStart: EventTime?
    public var transparency: String?
    public var visibility: String?
    public var eventType: String
    /// `extendedProperties.private.calworkerMirror == "1"`: calworker wrote it.
    public var isMirror: Bool
    /// The attendee with `self: true` declined.
    public var selfDeclined: Bool
    /// `reminders.useDefault` as stored (mirrors must have false).
    public var remindersUseDefault: Bool?
    /// The mirror's `calworkerSource` property, when it is one.
    public var mirrorSource: String?
    public var location: String?
    /// The calendar's own user's answer to an invitation (`needsAction`, `tentative`,
    /// `accepted`, `declined`); nil when the event is not an invitation to them.
    public var selfResponse: String?

    public init(
        accountID: Int64, calendarID: String, id: String, etag: String? = nil, status: String = "confirmed",
        summary: String? = nil, start: EventTime? = nil, end: EventTime? = nil, recurrence: [String]? = nil,
        recurringEventID: String? = nil, originalStart: EventTime? = nil, transparency: String? = nil,
        visibility: String? = nil, eventType: String = "default", isMirror: Bool = false, selfDeclined: Bool = false,
        remindersUseDefault: Bool? = nil, mirrorSource: String? = nil, location: String? = nil, selfResponse: String? = nil
    ) {
        self.accountID = accountID
        self.calendarID = calendarID
        self.id = id
        self.etag = etag
        self.status = status
        self.summary = summary
        self.start = start
        self.end = end
        self.recurrence = recurrence
        self.recurringEventID = recurringEventID
        self.originalStart = originalStart
        self.transparency = transparency
        self.visibility = visibility
        self.eventType = eventType
        self.isMirror = isMirror
        self.selfDeclined = selfDeclined
        self.remindersUseDefault = remindersUseDefault
        self.mirrorSource = mirrorSource
        self.location = location
        self.selfResponse = selfResponse
    }

    public var isCancelled: Bool { status == "cancelled" }
    public var isInstance: Bool { recurringEventID != nil }
}

/// A participating calendar of a sync group (docs/sync.md: owner role, not deleted, not excluded).
public struct PlannedCalendar: Sendable, Equatable, Hashable {
    public var accountID: Int64
    public var calendarID: String

    public init(accountID: Int64, calendarID: String) {
        self.accountID = accountID
        self.calendarID = calendarID
    }
}
