public import Foundation
import Synchronization

/// In-process control, mirroring the `/admin` HTTP interface: seed accounts, calendars and
/// events; write as the user would in Google Calendar; revoke, expire, invalidate.
///
/// Events go in and come out as `[String: Any]` in the API's JSON shape. Errors are the
/// `GoogleAPIError` a client would get (`notFound`, `duplicate`, `deleted`, ...).
extension GoogleEmulator {
    /// Seeds from the JSON of `POST /admin/seed` (see `EmulatorState.seed`). All or nothing.
    public func seed(json: Data) throws {
        guard let value = JSONValue.parse(json) else { throw GoogleAPIError.parseError }
        try seed(value)
    }

    /// Seeds from the same structure as `[String: Any]`.
    public func seed(_ object: [String: Any]) throws {
        guard let value = JSONValue(any: object) else { throw GoogleAPIError.parseError }
        try seed(value)
    }

    private func seed(_ value: JSONValue) throws {
        try core.state.withLock { state throws(GoogleAPIError) in
            var seeded = state
            try seeded.seed(value)
            state = seeded
        }
    }

    /// Adds an account (if new) with a refresh token the token endpoint will accept.
    public func addAccount(email: String, refreshToken: String) {
        core.state.withLock { $0.addRefreshToken(refreshToken, for: email) }
    }

    /// Adds a calendar to an account's list (creating the account and calendar if new); a
    /// calendar id shared by two accounts is one calendar both see.
    public func addCalendar(
        account: String, id: String, summary: String? = nil, timeZone: String = "UTC",
        accessRole: String = "owner", primary: Bool = false, hidden: Bool = false
    ) throws {
        try core.state.withLock { state throws(GoogleAPIError) in
            try state.addCalendar(
                account: account, id: id, summary: summary, timeZone: timeZone, accessRole: accessRole,
                primary: primary, hidden: hidden)
        }
    }

    /// Removes a calendar from an account's list: its next calendar-list sync shows it
    /// `deleted: true`.
    public func removeCalendar(account: String, calendarID: String) throws {
        try core.state.withLock { state throws(GoogleAPIError) in try state.removeCalendar(account: account, calendarID: calendarID) }
    }

    /// Creates an event as the user (any id, or a generated one); returns it as the API would.
    @discardableResult
    public func createEvent(calendarID: String, _ event: [String: Any]) throws -> [String: Any] {
        guard let fields = JSONValue(any: event)?.object else { throw GoogleAPIError.parseError }
        return try core.state.withLock { state throws(GoogleAPIError) in
            try state.insertEvent(calendarID: calendarID, body: fields, actor: calendarID, validateID: false).rendered(calendarID: calendarID)
        }.object!.anyObject
    }

    /// Edits an event as the user, with patch semantics (an instance of a series by its id
    /// too); returns the new version.
    @discardableResult
    public func patchEvent(calendarID: String, eventID: String, _ patch: [String: Any]) throws -> [String: Any] {
        guard let fields = JSONValue(any: patch)?.object else { throw GoogleAPIError.parseError }
        return try core.state.withLock { state throws(GoogleAPIError) in
            try state.patchEvent(calendarID: calendarID, eventID: eventID, patch: fields, ifMatch: nil).rendered(calendarID: calendarID)
        }.object!.anyObject
    }

    /// Deletes an event as the user: it becomes a cancelled tombstone.
    public func deleteEvent(calendarID: String, eventID: String) throws {
        try core.state.withLock { state throws(GoogleAPIError) in try state.deleteEvent(calendarID: calendarID, eventID: eventID, ifMatch: nil) }
    }

    /// An event as `events.get` returns it (cancelled ones included), or nil.
    public func event(calendarID: String, eventID: String) -> [String: Any]? {
        core.state.withLock { $0.event(calendarID: calendarID, eventID: eventID)?.rendered(calendarID: calendarID) }?.object?.anyObject
    }

    /// Every event of a calendar ever written, cancelled ones included, in creation order.
    public func events(calendarID: String) -> [[String: Any]] {
        let values: [JSONValue] = core.state.withLock { state in
            guard let calendar = state.calendars[calendarID] else { return [] }
            return calendar.order.compactMap { calendar.events[$0.eventID]?.rendered(calendarID: calendarID) }
        }
        return values.compactMap { $0.object?.anyObject }
    }

    /// The user revokes access: the account's refresh tokens give `invalid_grant`, its access
    /// tokens 401.
    public func revoke(account: String) throws {
        try core.state.withLock { state throws(GoogleAPIError) in try state.revoke(account: account) }
    }

    /// An access token for the account without the token endpoint.
    public func issueAccessToken(account: String) throws -> String {
        try core.state.withLock { state throws(GoogleAPIError) in
            guard state.accounts[account] != nil else { throw .notFound }
            return state.issueAccessToken(for: account)
        }
    }

    /// Expires access tokens now (all, or one account's): the next API call gets 401.
    public func expireAccessTokens(account: String? = nil) {
        core.state.withLock { $0.expireAccessTokens(account: account) }
    }

    /// Makes earlier sync tokens of a calendar (nil: of every calendar and calendar list)
    /// answer 410 `fullSyncRequired`.
    public func invalidateSyncTokens(calendarID: String? = nil) throws {
        try core.state.withLock { state throws(GoogleAPIError) in try state.invalidateSyncTokens(calendarID: calendarID) }
    }

    /// Random faults: each API request fails with probability `rate`, with a kind drawn from
    /// `kinds` (default: 403 rate limit, 429, 500), reproducibly for a `seed`.
    public func setFaults(rate: Double, kinds: [FaultKind] = [], seed: UInt64 = 0, includeTokenEndpoint: Bool = false) {
        core.state.withLock { $0.faults.configure(rate: min(max(rate, 0), 1), kinds: kinds, seed: seed, includeTokenEndpoint: includeTokenEndpoint) }
    }

    /// The next `count` API requests fail with `kind` (after faults queued before).
    public func failNext(_ kind: FaultKind, count: Int = 1) {
        guard count > 0 else { return }
        core.state.withLock { $0.faults.queue.append((kind, count)) }
    }

    /// No more faults, random or queued.
    public func clearFaults() {
        core.state.withLock { $0.faults = FaultState() }
    }

    public var options: EmulatorOptions {
        get { core.state.withLock { $0.options } }
        set { core.state.withLock { $0.options = newValue } }
    }

    /// Forgets every account, calendar, event, token, fault and statistic.
    public func reset() {
        core.state.withLock { $0.reset() }
    }

    /// The whole state as `GET /admin/state` returns it: accounts with their calendar lists,
    /// calendars with every event (cancelled included), options, faults.
    public func state() -> [String: Any] {
        core.state.withLock { $0.dump }.object!.anyObject
    }

    /// The same, as JSON bytes.
    public func stateJSON() -> Data {
        Data(core.state.withLock { $0.dump }.serialized())
    }

    /// Requests answered, by method, route template and status (`/token` included).
    public func stats() -> [RequestStat: Int] {
        core.state.withLock { $0.stats }
    }

    /// How many requests matched; nil arguments match anything.
    public func requestCount(method: String? = nil, route: String? = nil, status: Int? = nil) -> Int {
        stats().filter { key, _ in
            (method == nil || key.method == method) && (route == nil || key.route == route) && (status == nil || key.status == status)
        }.values.reduce(0, +)
    }

    public func resetStats() {
        core.state.withLock { $0.stats.removeAll() }
    }
}
