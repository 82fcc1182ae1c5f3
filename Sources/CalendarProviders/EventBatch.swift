public import Foundation

/// Events for the local copy: a JSON object whose `items` array holds them, and where in each
/// item the fields are. A page straight from a JSON service, or `ProviderEvent`s encoded.
public struct EventBatch: Sendable {
    /// A JSON object with an `items` array; the store checks the items as it writes them.
    public var json: Data
    public var layout: EventLayout

    public init(json: Data, layout: EventLayout) {
        self.json = json
        self.layout = layout
    }

    /// Events a provider built itself (from iCalendar, say), in the neutral layout.
    public static func events(_ events: [ProviderEvent]) throws -> EventBatch {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return EventBatch(json: try encoder.encode(Items(items: events)), layout: .neutral)
    }

    private struct Items: Encodable {
        var items: [ProviderEvent]
    }
}

/// One event in the engine's own terms, for providers whose answers are not JSON pages
/// (CalDAV's iCalendar) and for the tombstones the engine writes itself.
public struct ProviderEvent: Sendable, Equatable, Encodable {
    /// A start or end: `date` (`YYYY-MM-DD`, all day) or `dateTime` (RFC 3339 with offset),
    /// and the zone the user chose, which a series expands in.
    public struct Time: Sendable, Equatable, Encodable {
        public var date: String?
        public var dateTime: String?
        public var timeZone: String?

        public init(date: String? = nil, dateTime: String? = nil, timeZone: String? = nil) {
            self.date = date
            self.dateTime = dateTime
            self.timeZone = timeZone
        }
    }

    /// The calendar's own user's answer to an invitation.
    public struct Attendee: Sendable, Equatable, Encodable {
        public var `self` = true
        public var response: String

        public init(response: String) { self.response = response }
    }

    public var id: String
    public var etag: String?
    public var status: String = "confirmed"
    public var summary: String?
    public var start: Time?
    public var end: Time?
    public var recurrence: [String]?
    public var seriesId: String?
    public var originalStart: Time?
    public var transparency: String?
    public var eventType: String?
    /// RFC 3339.
    public var updated: String?
    /// "1" on calworker's mirrors.
    public var mirror: String?
    public var mirrorSource: String?
    public var uid: String?
    public var location: String?
    public var visibility: String?
    public var remindersUseDefault: Bool?
    public var attendees: [Attendee]?
    /// The service's own representation (an iCalendar object, say), kept beside the fields.
    public var payload: String?

    public init(id: String, status: String = "confirmed") {
        self.id = id
        self.status = status
    }
}
