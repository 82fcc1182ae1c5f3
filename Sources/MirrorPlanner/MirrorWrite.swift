/// One write the executor makes to bring a target calendar to its desired state.
public struct MirrorWrite: Sendable, Equatable {
    public enum Action: String, Sendable, Equatable {
        /// A new mirror with its deterministic id (a 409 means it exists: read and converge).
        case insert
        /// Bring an existing mirror to its desired fields (with If-Match).
        case patch
        /// A mirror that was cancelled (by hand, or an earlier sync) must live again.
        case restore
        /// A mirror whose source is gone or no longer qualifies (with If-Match).
        case delete
    }

    public var action: Action
    public var target: PlannedCalendar
    public var eventID: String
    /// The desired mirror (absent for deletes).
    public var mirror: DesiredMirror?
    /// The etag the write is conditional on, when the mirror is known locally.
    public var ifMatch: String?

    public init(action: Action, target: PlannedCalendar, eventID: String, mirror: DesiredMirror? = nil, ifMatch: String? = nil) {
        self.action = action
        self.target = target
        self.eventID = eventID
        self.mirror = mirror
        self.ifMatch = ifMatch
    }
}

/// What a mirror must look like (docs/sync.md "The state after a sync", rule 2).
public struct DesiredMirror: Sendable, Equatable {
    public var id: String
    /// Cancelled for a mirror instance whose source occurrence was cancelled (rule 3).
    public var status: String
    public var summary: String
    /// The source's location, when the link shows it; nil: none.
    public var location: String? = nil
    public var start: EventTime?
    public var end: EventTime?
    public var recurrence: [String]?
    /// For an instance of a mirror series: the series' id and the occurrence's original start.
    public var recurringEventID: String?
    public var originalStart: EventTime?
    /// Opaque: which source this mirrors (`calworkerSource`).
    public var source: String
    public static let transparency = "opaque"
    public static let visibility = "private"
}
