/// What one sync did, for the run record and the logs.
public struct SyncReport: Sendable, Equatable {
    public var calendars = 0
    public var fullSyncs = 0
    public var pages = 0
    public var eventsFetched = 0
    public var tokenRefreshes = 0
    public var backoffs = 0
    public var bytes = 0
    /// API calls by "method status", e.g. "events.list 200".
    public var calls: [String: Int] = [:]
}
