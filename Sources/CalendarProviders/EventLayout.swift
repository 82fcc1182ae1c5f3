/// Where a service's JSON keeps each field the local copy reads, as JSON paths the store binds
/// as parameters: a page of events is then stored straight from the service's bytes
/// (PostgreSQL parses it once), never decoded into Swift values and out again. A provider
/// whose answers are not JSON builds `ProviderEvent`s, which `EventLayout.neutral` reads.
///
/// Values are the engine's vocabulary (docs/providers.md): status `confirmed`, `tentative` or
/// `cancelled` (missing: confirmed); transparency `opaque` or `transparent`; a start is a
/// `date` (all day) or a `dateTime` with an offset, and an optional zone name.
public struct EventLayout: Sendable, Equatable {
    public var id: [String]
    public var etag: [String]
    public var status: [String]
    public var summary: [String]
    public var startDate: [String]
    public var startDateTime: [String]
    public var startTimeZone: [String]
    public var endDate: [String]
    public var endDateTime: [String]
    public var endTimeZone: [String]
    /// An array of RRULE, RDATE and EXDATE lines.
    public var recurrence: [String]
    /// On an occurrence of a series: the series' id.
    public var seriesID: [String]
    public var originalStartDate: [String]
    public var originalStartDateTime: [String]
    public var originalStartTimeZone: [String]
    public var transparency: [String]
    /// `default`, or a kind the service gives events that are not meetings (missing: default).
    public var eventType: [String]
    public var updated: [String]
    /// Calworker's mark on a mirror: this path holds `mirrorMarkValue`.
    public var mirrorMark: [String]
    public var mirrorMarkValue: String
    /// Which source a mirror copies.
    public var mirrorSource: [String]
    /// The id the event has across calendars (RFC 5545 UID).
    public var iCalUID: [String]
    public var location: [String]
    public var visibility: [String]
    public var remindersUseDefault: [String]
    /// The attendees array; the calendar's own user is the one whose `attendeeIsSelf` is true,
    /// and `attendeeResponse` its answer (`needsAction`, `declined`, `tentative`, `accepted`).
    public var attendees: [String]
    public var attendeeIsSelf: [String]
    public var attendeeResponse: [String]

    public init(
        id: [String], etag: [String], status: [String], summary: [String], startDate: [String], startDateTime: [String],
        startTimeZone: [String], endDate: [String], endDateTime: [String], endTimeZone: [String], recurrence: [String],
        seriesID: [String], originalStartDate: [String], originalStartDateTime: [String], originalStartTimeZone: [String],
        transparency: [String], eventType: [String], updated: [String], mirrorMark: [String], mirrorMarkValue: String,
        mirrorSource: [String], iCalUID: [String], location: [String], visibility: [String], remindersUseDefault: [String],
        attendees: [String], attendeeIsSelf: [String], attendeeResponse: [String]
    ) {
        self.id = id
        self.etag = etag
        self.status = status
        self.summary = summary
        self.startDate = startDate
        self.startDateTime = startDateTime
        self.startTimeZone = startTimeZone
        self.endDate = endDate
        self.endDateTime = endDateTime
        self.endTimeZone = endTimeZone
        self.recurrence = recurrence
        self.seriesID = seriesID
        self.originalStartDate = originalStartDate
        self.originalStartDateTime = originalStartDateTime
        self.originalStartTimeZone = originalStartTimeZone
        self.transparency = transparency
        self.eventType = eventType
        self.updated = updated
        self.mirrorMark = mirrorMark
        self.mirrorMarkValue = mirrorMarkValue
        self.mirrorSource = mirrorSource
        self.iCalUID = iCalUID
        self.location = location
        self.visibility = visibility
        self.remindersUseDefault = remindersUseDefault
        self.attendees = attendees
        self.attendeeIsSelf = attendeeIsSelf
        self.attendeeResponse = attendeeResponse
    }

    /// The paths in the order the store's statement binds them.
    public var paths: [[String]] {
        [
            id, etag, status, summary, startDate, startDateTime, startTimeZone, endDate, endDateTime, endTimeZone, recurrence, seriesID,
            originalStartDate, originalStartDateTime, originalStartTimeZone, transparency, eventType, updated, mirrorMark, mirrorSource,
            iCalUID, location, visibility, remindersUseDefault, attendees, attendeeIsSelf, attendeeResponse,
        ]
    }

    /// The layout `ProviderEvent` encodes to.
    public static let neutral = EventLayout(
        id: ["id"], etag: ["etag"], status: ["status"], summary: ["summary"], startDate: ["start", "date"],
        startDateTime: ["start", "dateTime"], startTimeZone: ["start", "timeZone"], endDate: ["end", "date"],
        endDateTime: ["end", "dateTime"], endTimeZone: ["end", "timeZone"], recurrence: ["recurrence"], seriesID: ["seriesId"],
        originalStartDate: ["originalStart", "date"], originalStartDateTime: ["originalStart", "dateTime"],
        originalStartTimeZone: ["originalStart", "timeZone"], transparency: ["transparency"], eventType: ["eventType"],
        updated: ["updated"], mirrorMark: ["mirror"], mirrorMarkValue: "1", mirrorSource: ["mirrorSource"], iCalUID: ["uid"],
        location: ["location"], visibility: ["visibility"], remindersUseDefault: ["remindersUseDefault"], attendees: ["attendees"],
        attendeeIsSelf: ["self"], attendeeResponse: ["response"])
}
