public import Accounts
import Basics
import Foundation
import Google
import HTTPClient
public import Metrics
public import Postgres

/// Brings one account's local copy up to date: the calendar list, then every calendar's
/// events, incrementally where a sync token allows and fully otherwise (docs/sync.md "The local copy and its cursor").
public final class AccountSync {
    let accountID: Int64
    let store: AccountStore
    let events = EventStore()
    let db: PostgresConnection
    let client: CalendarClient
    let tokens: StoredAccessTokens
    let progress: (@Sendable ([String: String]) -> Void)?
    let pageSize: Int
    public private(set) var report = SyncReport()

    public convenience init(
        accountID: Int64, settings: GoogleSettings, store: AccountStore, db: PostgresConnection, metrics: MetricsRegistry,
        shouldAbort: @escaping @Sendable () -> Bool, progress: (@Sendable ([String: String]) -> Void)? = nil
    ) throws {
        try self.init(
            accountID: accountID, settings: settings, clients: settings.clients(metrics: metrics), store: store, db: db,
            shouldAbort: shouldAbort, progress: progress)
    }

    init(
        accountID: Int64, settings: GoogleSettings, clients: GoogleClients, store: AccountStore, db: PostgresConnection,
        shouldAbort: @escaping @Sendable () -> Bool, progress: (@Sendable ([String: String]) -> Void)?
    ) throws {
        self.accountID = accountID
        self.store = store
        self.db = db
        self.progress = progress
        self.pageSize = max(1, min(2500, settings.eventsPageSize))
        // Its own session: a token refresh can happen on the page-fetch thread while this
        // thread holds a page's transaction open, and must not slip into it.
        (client, tokens) = try settings.calendarClient(
            for: accountID, clients: clients, store: store, session: try db.openSibling(),
            shouldAbort: shouldAbort)
    }

    /// Lets tests shorten the client's backoff.
    public func configureRetries(maxAttempts: Int, baseDelay: Duration, maxDelay: Duration) {
        client.maxAttempts = maxAttempts
        client.baseDelay = baseDelay
        client.maxDelay = maxDelay
    }

    /// Runs the sync: the calendar list and every calendar, or with `calendarID` only that
    /// calendar's events (a push notification named it; the list has not changed). Throws
    /// `SyncFailure`, `CalendarClientError` or a database error; what was committed before
    /// stays (every page is its own transaction).
    public func run(onlyCalendar calendarID: String? = nil) throws -> SyncReport {
        defer { collectClientFigures() }
        do {
            if let calendarID { try syncOne(calendarID) } else { try syncAll() }
        } catch CalendarClientError.accessToken(let underlying) {
            // The token source's own error (SyncFailure.needsReauth), not a Calendar API one.
            throw underlying
        }
        collectClientFigures()
        return report
    }

    private func collectClientFigures() {
        report.calls = client.calls
        report.backoffs = client.backoffs
        report.bytes = client.bytesReceived
        report.tokenRefreshes = tokens.refreshes
    }

    private func syncAll() throws {
        try syncCalendarList()
        for calendar in try events.calendarsToSync(accountID: accountID, on: db) {
            do {
                try syncEvents(calendar)
                report.calendars += 1
            } catch CalendarClientError.api(let error) where error.status == 404 {
                // Removed between the calendar list and now: the next list sync marks it deleted.
                try events.markDeleted(accountID: accountID, calendarID: calendar.calendarID, on: db)
            }
        }
    }

    /// One calendar's events, when the account syncs it (not excluded, still in its list).
    private func syncOne(_ calendarID: String) throws {
        guard let calendar = try events.calendarsToSync(accountID: accountID, on: db).first(where: { $0.calendarID == calendarID }) else {
            return
        }
        do {
            try syncEvents(calendar)
            report.calendars += 1
        } catch CalendarClientError.api(let error) where error.status == 404 {
            try events.markDeleted(accountID: accountID, calendarID: calendarID, on: db)
        }
    }

    func syncCalendarList() throws {
        let stored = try events.calendarListSyncToken(accountID: accountID, on: db)
        do {
            try listCalendars(syncToken: stored)
        } catch CalendarClientError.api(let error) where error.isFullSyncRequired && stored != nil {
            try listCalendars(syncToken: nil)
        }
    }

    private func listCalendars(syncToken: String?) throws {
        var entries: [CalendarListPage.Entry] = []
        var pageToken: String?
        var paging = PageGuard(method: "calendarList.list", limit: PageGuard.calendarListPages)
        while true {
            let page = try client.calendarList(pageToken: pageToken, syncToken: syncToken)
            entries += page.entries
            if let next = page.nextPageToken {
                try paging.advance(to: next, afterEmptyPage: page.entries.isEmpty)
                pageToken = next
                continue
            }
            try events.applyCalendarList(
                accountID: accountID, entries: entries, syncToken: page.nextSyncToken,
                complete: syncToken == nil, on: db)
            return
        }
    }

    func syncEvents(_ calendar: EventStore.CalendarState) throws {
        if let token = calendar.syncToken {
            do {
                try listEvents(calendar.calendarID, syncToken: token, generation: calendar.generation, fullSync: false)
                return
            } catch CalendarClientError.api(let error) where error.isFullSyncRequired {
                // 410: the token is gone. A full listing, reconciled against the local copy.
            }
        }
        let generation = try events.beginFullSync(accountID: accountID, calendarID: calendar.calendarID, on: db)
        report.fullSyncs += 1
        try listEvents(calendar.calendarID, syncToken: nil, generation: generation, fullSync: true)
    }

    /// Lists and stores pages, fetching page N+1 while page N is being stored: the two wait on
    /// different servers (Google, PostgreSQL), so overlapping them nearly halves a full sync.
    private func listEvents(_ calendarID: String, syncToken: String?, generation: Int64, fullSync: Bool) throws {
        var page = try client.events(calendarID: calendarID, pageToken: nil, syncToken: syncToken, maxResults: pageSize)
        var paging = PageGuard(method: "events.list of \(calendarID)", limit: PageGuard.eventPages)
        while true {
            if let next = page.nextPageToken { try paging.advance(to: next, afterEmptyPage: page.isEmpty) }
            let prefetch = page.nextPageToken.map { token in
                PageFetch(client: client) { client in
                    try client.events(calendarID: calendarID, pageToken: token, syncToken: syncToken, maxResults: self.pageSize)
                }
            }
            let stored: Int
            do {
                stored = try events.applyPage(
                    accountID: accountID, calendarID: calendarID, page: page, generation: generation,
                    fullSync: fullSync, on: db)
            } catch let error as PostgresError where !error.isConnectionProblem && !error.isTransient {
                _ = try? prefetch?.result()
                // Google's page did not fit its documented shape (no id, bad times, not JSON).
                throw CalendarClientError.badResponse("an events.list page of \(calendarID) could not be stored: \(error.message)")
            }
            report.pages += 1
            report.eventsFetched += stored
            progress?(["calendar": calendarID, "pages": String(report.pages), "events": String(report.eventsFetched)])
            guard let prefetch else { return }
            page = try prefetch.result()
        }
    }
}

/// One page fetched on its own thread while the caller stores the previous one.
///
/// `@unchecked Sendable`: the client is not thread-safe, and is used by exactly one thread at
/// a time: the fetch thread between `init` and the end of `body`, then (after `result()` has
/// waited for that) the caller again.
private final class PageFetch: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var outcome: Result<EventsPage, any Error>?
    private let client: CalendarClient
    private let body: (CalendarClient) throws -> EventsPage

    init(client: CalendarClient, _ body: @escaping (CalendarClient) throws -> EventsPage) {
        self.client = client
        self.body = body
        let deadline = AttemptWaits.deadline
        let thread = Thread { [self] in
            outcome = AttemptWaits.$deadline.withValue(deadline) { Result { try self.body(self.client) } }
            done.signal()
        }
        thread.name = "calworker-page-fetch"
        thread.stackSize = 1 << 20
        thread.start()
    }

    func result() throws -> EventsPage {
        done.wait()
        done.signal()
        return try outcome!.get()
    }
}

/// Stops a listing that would never end: a server answering a page token it already gave with
/// a page of items (a loop that once paged at the request budget until the job's 30-minute
/// timeout), or more pages than any real account has. Either is an error the sync retries.
///
/// An empty page may carry the token it was asked with (Google documents empty pages "even if
/// there are more events", and the next request then moves on), so that is allowed a few
/// times, not forever.
struct PageGuard {
    /// calendarList.list pages (250 calendars each): 25,000 calendars.
    static let calendarListPages = 100
    /// events.list pages of one calendar (up to 2,500 events each): 2.5 million events.
    static let eventPages = 1000
    /// Empty pages that repeat a token, per listing.
    static let emptyRepeats = 20

    let method: String
    let limit: Int
    private var seen = Set<String>()
    private var pages = 0
    private var repeats = 0

    init(method: String, limit: Int) {
        self.method = method
        self.limit = limit
    }

    mutating func advance(to token: String, afterEmptyPage empty: Bool) throws(CalendarClientError) {
        pages += 1
        if !seen.insert(token).inserted {
            repeats += 1
            guard empty, repeats <= Self.emptyRepeats else {
                throw .badResponse("\(method) returned a page token it had returned before; the listing would never end")
            }
        }
        guard pages < limit else {
            throw .badResponse("\(method) went on for more than \(limit) pages; stopped")
        }
    }
}
