public import Foundation
public import ICalendar

/// One published feed, as stored.
public struct Feed: Sendable, Equatable, Encodable {
    public var id: Int64
    public var owner: String
    /// Set for a feed of one calendar; nil for the owner's calendars merged.
    public var accountID: Int64?
    public var calendarID: String?
    /// `busy` or `full`.
    public var detail: String
    public var attendees: Bool
    public var name: String
    /// The unguessable part of its address; whoever holds it reads the feed.
    public var token: String
    public var createdAt: Date
    public var publishedAt: Date?
    public var contentBytes: Int64?
    public var events: Int?
    public var lastError: String?

    /// The object's name under the feeds target.
    public var objectName: String { token + ".ics" }

    /// What the writer shows of each event; `busyTitle` is the owner's (as on busy blocks).
    public func feedDetail(busyTitle: String) -> FeedDetail {
        detail == "busy" ? .busy(title: busyTitle) : .full(attendees: attendees)
    }

    enum CodingKeys: String, CodingKey {
        case id, owner, detail, attendees, name, events
        case accountID = "account_id"
        case calendarID = "calendar_id"
        case createdAt = "created_at"
        case publishedAt = "published_at"
        case contentBytes = "content_bytes"
        case lastError = "last_error"
    }
}
