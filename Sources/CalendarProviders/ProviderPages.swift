/// One calendar of an account's calendar list, in the engine's terms.
public struct CalendarEntry: Sendable, Equatable {
    public var id: String
    public var summary: String?
    /// An IANA zone name, when the service says.
    public var timeZone: String?
    /// `owner`, `writer`, `reader`, `freeBusyReader` or `none`: only an owned calendar's
    /// events are mirrored and receive busy blocks; a read-only one is copied, never written.
    public var accessRole: String
    public var primary: Bool
    /// Removed from the list (an incremental listing's tombstone).
    public var deleted: Bool

    public init(id: String, summary: String?, timeZone: String?, accessRole: String, primary: Bool, deleted: Bool) {
        self.id = id
        self.summary = summary
        self.timeZone = timeZone
        self.accessRole = accessRole
        self.primary = primary
        self.deleted = deleted
    }

    /// The roles an entry may have.
    public static let accessRoles: Set<String> = ["freeBusyReader", "reader", "writer", "owner", "none"]
}

/// One page of a calendar list: exactly one of `nextPageToken` (more pages) and `nextCursor`
/// (the listing is complete; changes since now start from here).
public struct CalendarPage: Sendable {
    public var entries: [CalendarEntry]
    public var nextPageToken: String?
    public var nextCursor: String?

    public init(entries: [CalendarEntry], nextPageToken: String?, nextCursor: String?) {
        self.entries = entries
        self.nextPageToken = nextPageToken
        self.nextCursor = nextCursor
    }
}

/// One page of a calendar's events: exactly one of `nextPageToken` and `nextCursor`, as for
/// `CalendarPage`; the cursor commits with the page that carries it.
public struct ChangePage: Sendable {
    public var events: EventBatch
    public var nextPageToken: String?
    public var nextCursor: String?
    /// No events on this page (a service may send such a page before the next one).
    public var isEmpty: Bool

    public init(events: EventBatch, nextPageToken: String?, nextCursor: String?, isEmpty: Bool) {
        self.events = events
        self.nextPageToken = nextPageToken
        self.nextCursor = nextCursor
        self.isEmpty = isEmpty
    }
}

/// An event as the service holds it now, for deciding whether and how to converge a mirror.
public struct RemoteEvent: Sendable, Equatable {
    public var etag: String?
    public var cancelled: Bool
    /// It carries calworker's mark.
    public var markedAsMirror: Bool
    /// The series it is an occurrence of, when it is one.
    public var seriesID: String?

    public init(etag: String?, cancelled: Bool, markedAsMirror: Bool, seriesID: String?) {
        self.etag = etag
        self.cancelled = cancelled
        self.markedAsMirror = markedAsMirror
        self.seriesID = seriesID
    }

    /// Calworker wrote it: it carries the mark, or is an occurrence of one of our mirror
    /// series (the service builds those from the series and may not copy the mark).
    public func isMirror(mirrorSeries: Set<String>) -> Bool {
        markedAsMirror || seriesID.map(mirrorSeries.contains) == true
    }
}
