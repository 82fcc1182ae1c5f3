/// A Google account: its calendar list. Its refresh and access tokens live in `EmulatorState`.
struct Account: Sendable {
    let email: String
    /// Entries are never removed (a removed calendar becomes `deleted: true`), so positions in
    /// this array are stable cursors for calendar-list page tokens.
    var entries: [CalendarListEntry] = []
    /// Calendar-list sync tokens older than this are answered 410.
    var syncFloor: Int64 = 0

    func entryIndex(_ calendarID: String) -> Int? {
        entries.firstIndex { $0.calendarID == calendarID }
    }

    var primaryCalendarID: String? {
        entries.first { $0.primary && !$0.deleted }?.calendarID
    }
}

/// The account's view of one calendar (`calendar#calendarListEntry`).
struct CalendarListEntry: Sendable {
    let calendarID: String
    /// `freeBusyReader`, `reader`, `writer` or `owner`.
    var accessRole: String
    var primary: Bool
    var hidden: Bool = false
    var deleted: Bool = false
    var createdSeq: Int64
    var seq: Int64
    var backgroundColor: String = "#9fe1e7"
    var foregroundColor: String = "#000000"
    var colorID: String = "14"
    var summaryOverride: String?

    /// Ranks for `minAccessRole`.
    static func rank(_ role: String) -> Int? {
        ["freeBusyReader": 0, "reader": 1, "writer": 2, "owner": 3][role]
    }

    var canWrite: Bool { accessRole == "writer" || accessRole == "owner" }

    func rendered(calendar: StoredCalendar?) -> JSONValue {
        var object: [String: JSONValue] = [
            "kind": .string("calendar#calendarListEntry"), "etag": .string("\"\(seq)\""),
            "id": .string(calendarID),
        ]
        if deleted {
            object["deleted"] = .bool(true)
            return .object(object)
        }
        object["summary"] = .string(calendar?.summary ?? calendarID)
        object["timeZone"] = .string(calendar?.timeZone ?? "UTC")
        if let description = calendar?.description { object["description"] = .string(description) }
        if let summaryOverride { object["summaryOverride"] = .string(summaryOverride) }
        object["accessRole"] = .string(accessRole)
        object["backgroundColor"] = .string(backgroundColor)
        object["foregroundColor"] = .string(foregroundColor)
        object["colorId"] = .string(colorID)
        object["selected"] = .bool(true)
        object["defaultReminders"] = .array([])
        if primary { object["primary"] = .bool(true) }
        if hidden { object["hidden"] = .bool(true) }
        return .object(object)
    }
}
