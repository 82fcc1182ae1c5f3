public import Foundation

/// One event as a feed needs it, read from the Google Calendar resource calworker stores
/// (`calworker.events.raw`). Google's JSON is external input: a field of the wrong type or an
/// impossible time is treated as absent, and an event without an id or a start is no event.
public struct FeedEvent: Sendable, Equatable {
    /// When an event starts or ends: a calendar date (all-day), or an instant shown in a zone.
    public enum Time: Sendable, Equatable {
        /// `20261205`.
        case date(String)
        /// The zone is nil when Google named none or one this system does not know: then UTC.
        case dateTime(Date, zone: String?)
    }

    public struct Attendee: Sendable, Equatable {
        public var email: String
        /// Google's `responseStatus`: needsAction, declined, tentative, accepted.
        public var response: String

        public init(email: String, response: String) {
            self.email = email
            self.response = response
        }
    }

    public var id: String
    /// Google's `iCalUID`; the feed's `UID` (shared by a series and its exceptions).
    public var uid: String
    /// confirmed, tentative or cancelled.
    public var status: String
    public var summary: String?
    public var description: String?
    public var location: String?
    public var start: Time
    public var end: Time?
    /// `RRULE:`, `EXDATE...` lines of a series' first event.
    public var recurrence: [String]
    /// Set on an exception: the series' event id.
    public var recurringEventID: String?
    /// An exception's occurrence in the series, before it was moved or cancelled.
    public var originalStart: Time?
    public var sequence: Int
    public var updated: Date?
    public var created: Date?
    /// Marked free (`transparency: transparent`): it blocks no time.
    public var transparent: Bool
    public var attendees: [Attendee]

    public init(
        id: String, uid: String? = nil, status: String = "confirmed", summary: String? = nil, description: String? = nil,
        location: String? = nil, start: Time, end: Time? = nil, recurrence: [String] = [], recurringEventID: String? = nil,
        originalStart: Time? = nil, sequence: Int = 0, updated: Date? = nil, created: Date? = nil, transparent: Bool = false,
        attendees: [Attendee] = []
    ) {
        self.id = id
        self.uid = uid ?? id + "@google.com"
        self.status = status
        self.summary = summary
        self.description = description
        self.location = location
        self.start = start
        self.end = end
        self.recurrence = recurrence
        self.recurringEventID = recurringEventID
        self.originalStart = originalStart
        self.sequence = sequence
        self.updated = updated
        self.created = created
        self.transparent = transparent
        self.attendees = attendees
    }

    /// The event of a Google Calendar `Event` resource; nil when it is not an object, has no
    /// id, or (unless cancelled, when Google may send only the id) no usable start.
    public init?(googleJSON data: Data) {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
        self.init(google: object)
    }

    public init?(google object: [String: Any]) {
        func text(_ key: String, limit: Int = 1 << 20) -> String? {
            guard let value = object[key] as? String, !value.isEmpty, value.utf8.count <= limit else { return nil }
            return value
        }
        guard let id = text("id", limit: 1024) else { return nil }
        let status = ["confirmed", "tentative", "cancelled"].contains(text("status") ?? "") ? text("status")! : "confirmed"
        let original = Self.time(object["originalStartTime"])
        guard let start = Self.time(object["start"]) ?? (status == "cancelled" ? original : nil) else { return nil }
        let attendees = (object["attendees"] as? [[String: Any]] ?? []).compactMap { attendee -> Attendee? in
            guard let email = attendee["email"] as? String, !email.isEmpty, email.utf8.count <= 320 else { return nil }
            return Attendee(email: email, response: attendee["responseStatus"] as? String ?? "needsAction")
        }
        let sequence = (object["sequence"] as? NSNumber).map { Int(truncating: $0) } ?? 0
        self.init(
            id: id, uid: text("iCalUID", limit: 1024), status: status, summary: text("summary"), description: text("description"),
            location: text("location"), start: start, end: Self.time(object["end"]),
            recurrence: (object["recurrence"] as? [Any] ?? []).compactMap { $0 as? String },
            recurringEventID: text("recurringEventId", limit: 1024), originalStart: original,
            sequence: (0...Int(Int32.max)).contains(sequence) ? sequence : 0,
            updated: text("updated").flatMap(CivilTime.instant(fromRFC3339:)),
            created: text("created").flatMap(CivilTime.instant(fromRFC3339:)),
            transparent: text("transparency") == "transparent", attendees: attendees)
    }

    static func time(_ value: Any?) -> Time? {
        guard let object = value as? [String: Any] else { return nil }
        if let text = object["dateTime"] as? String, let instant = CivilTime.instant(fromRFC3339: text) {
            let zone = (object["timeZone"] as? String).flatMap { TimeZone(identifier: $0) != nil ? $0 : nil }
            return .dateTime(instant, zone: zone)
        }
        if let text = object["date"] as? String, let date = CivilTime.basicDate(fromISO: text) { return .date(date) }
        return nil
    }
}
