public import MirrorPlanner

/// What the sync engine needs from a calendar service (Google today; CalDAV and Microsoft
/// Graph next), and nothing more: the engine keeps the cursor, the local copy and the plan,
/// a provider only moves pages and mirrors over the wire. docs/providers.md maps each call
/// onto the services.
///
/// One instance speaks as one account for one run, with that account's credentials and
/// request budget. It is used by one thread at a time (the engine may hand it to a page-fetch
/// thread while it stores the previous page, never to two at once).
public protocol CalendarProvider: AnyObject {
    /// One page of the account's calendar list: everything (`cursor` nil) or the changes
    /// since `cursor`. An expired cursor throws `.cursorExpired`; the engine lists afresh.
    func calendarPage(pageToken: String?, cursor: String?) throws(ProviderError) -> CalendarPage

    /// One page of a calendar's events, cancelled ones included (they become tombstones):
    /// every event (`cursor` nil) or the changes since `cursor`. An expired cursor throws
    /// `.cursorExpired`; a calendar the service no longer has throws `.notFound`.
    func changePage(calendarID: String, pageToken: String?, cursor: String?) throws(ProviderError) -> ChangePage

    /// What the service holds now under `eventID`, after a write lost a race (409, 412).
    func currentEvent(calendarID: String, eventID: String) throws(ProviderError) -> RemoteEvent

    /// Writes a new mirror under its deterministic id, marked as calworker's in a way the
    /// service keeps. An id that exists throws `.conflict`. Returns the stored event, for the
    /// local copy.
    func insertMirror(_ mirror: DesiredMirror, calendarID: String) throws(ProviderError) -> EventBatch

    /// Brings a mirror to `mirror`'s fields, only if it still has `ifMatch` (when given):
    /// a user's edit in between throws `.preconditionFailed` instead of being overwritten.
    func updateMirror(_ mirror: DesiredMirror, calendarID: String, eventID: String, ifMatch: String?) throws(ProviderError) -> EventBatch

    /// Deletes a mirror, only if it still has `ifMatch` (when given). One that is already gone
    /// throws `.notFound`.
    func deleteMirror(calendarID: String, eventID: String, ifMatch: String?) throws(ProviderError)

    /// What this instance did so far (calls, retries, bytes), for the run record.
    var figures: ProviderFigures { get }

    /// Push notifications, when the service has them; nil: the engine polls.
    var watcher: (any ChangeWatcher)? { get }
}

/// What a provider did in one run, for the run record and the logs.
public struct ProviderFigures: Sendable, Equatable {
    /// Calls by "method status", e.g. `events.list 200`.
    public var calls: [String: Int] = [:]
    /// Waits between attempts of one call.
    public var backoffs = 0
    public var bytesReceived = 0
    /// Access tokens refreshed (OAuth providers).
    public var tokenRefreshes = 0

    public init(calls: [String: Int] = [:], backoffs: Int = 0, bytesReceived: Int = 0, tokenRefreshes: Int = 0) {
        self.calls = calls
        self.backoffs = backoffs
        self.bytesReceived = bytesReceived
        self.tokenRefreshes = tokenRefreshes
    }
}
