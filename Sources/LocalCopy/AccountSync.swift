import Basics
public import CalendarProviders
import Foundation
public import Postgres

/// Brings one account's local copy up to date: the calendar list, then every calendar's
/// events, incrementally where a sync token allows and fully otherwise (docs/sync.md "The local copy and its cursor").
public final class AccountSync {
    let accountID: Int64
    let events = EventStore()
    let db: PostgresConnection
    let provider: any CalendarProvider
    let progress: (@Sendable ([String: String]) -> Void)?
    public private(set) var report = SyncReport()

    /// - Parameter provider: speaks as the account, on a session of its own: a token refresh
    ///   can happen on the page-fetch thread while this thread holds a page's transaction
    ///   open, and must not slip into it.
    public init(accountID: Int64, provider: any CalendarProvider, db: PostgresConnection, progress: (@Sendable ([String: String]) -> Void)? = nil) {
        self.accountID = accountID
        self.provider = provider
        self.db = db
        self.progress = progress
    }

    /// Runs the sync: the calendar list and every calendar, or with `calendarID` only that
    /// calendar's events (a push notification named it; the list has not changed). Throws
    /// `ProviderError` or a database error; what was committed before stays (every page is
    /// its own transaction).
    public func run(onlyCalendar calendarID: String? = nil) throws -> SyncReport {
        defer { collectFigures() }
        if let calendarID { try syncOne(calendarID) } else { try syncAll() }
        collectFigures()
        return report
    }

    private func collectFigures() {
        let figures = provider.figures
        report.calls = figures.calls
        report.backoffs = figures.backoffs
        report.bytes = figures.bytesReceived
        report.tokenRefreshes = figures.tokenRefreshes
    }

    private func syncAll() throws {
        try syncCalendarList()
        for calendar in try events.calendarsToSync(accountID: accountID, on: db) {
            do {
                try syncEvents(calendar)
                report.calendars += 1
            } catch let error as ProviderError where error.kind == .notFound {
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
        } catch let error as ProviderError where error.kind == .notFound {
            try events.markDeleted(accountID: accountID, calendarID: calendarID, on: db)
        }
    }

    func syncCalendarList() throws {
        let stored = try events.calendarListSyncToken(accountID: accountID, on: db)
        do {
            try listCalendars(syncToken: stored)
        } catch let error as ProviderError where error.kind == .cursorExpired && stored != nil {
            try listCalendars(syncToken: nil)
        }
    }

    private func listCalendars(syncToken: String?) throws {
        var entries: [CalendarEntry] = []
        var pageToken: String?
        var paging = PageGuard(method: "the calendar list", limit: PageGuard.calendarListPages)
        while true {
            let page = try provider.calendarPage(pageToken: pageToken, cursor: syncToken)
            entries += page.entries
            if let next = page.nextPageToken {
                try paging.advance(to: next, afterEmptyPage: page.entries.isEmpty)
                pageToken = next
                continue
            }
            try events.applyCalendarList(
                accountID: accountID, entries: entries, syncToken: page.nextCursor,
                complete: syncToken == nil, on: db)
            return
        }
    }

    func syncEvents(_ calendar: EventStore.CalendarState) throws {
        if let token = calendar.syncToken {
            do {
                try listEvents(calendar.calendarID, syncToken: token, generation: calendar.generation, fullSync: false)
                return
            } catch let error as ProviderError where error.kind == .cursorExpired {
                // The token is gone (Google's 410). A full listing, reconciled against the local copy.
            }
        }
        let generation = try events.beginFullSync(accountID: accountID, calendarID: calendar.calendarID, on: db)
        report.fullSyncs += 1
        try listEvents(calendar.calendarID, syncToken: nil, generation: generation, fullSync: true)
    }

    /// Lists and stores pages, fetching page N+1 while page N is being stored: the two wait on
    /// different servers (the calendar service, PostgreSQL), so overlapping them nearly halves a full sync.
    private func listEvents(_ calendarID: String, syncToken: String?, generation: Int64, fullSync: Bool) throws {
        var page = try provider.changePage(calendarID: calendarID, pageToken: nil, cursor: syncToken)
        var paging = PageGuard(method: "the event listing of \(calendarID)", limit: PageGuard.eventPages)
        while true {
            if let next = page.nextPageToken { try paging.advance(to: next, afterEmptyPage: page.isEmpty) }
            let prefetch = page.nextPageToken.map { token in
                PageFetch(provider: provider) { provider in
                    try provider.changePage(calendarID: calendarID, pageToken: token, cursor: syncToken)
                }
            }
            let stored: Int
            do {
                stored = try events.applyPage(
                    accountID: accountID, calendarID: calendarID, page: page, generation: generation,
                    fullSync: fullSync, on: db)
            } catch let error as PostgresError where !error.isConnectionProblem && !error.isTransient {
                _ = try? prefetch?.result()
                // The service's page did not fit its documented shape (no id, bad times, not JSON).
                throw ProviderError(
                    .malformed, MalformedPage(message: "an event listing page of \(calendarID) could not be stored: \(error.message)"))
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
/// `@unchecked Sendable`: the provider is not thread-safe, and is used by exactly one thread at
/// a time: the fetch thread between `init` and the end of `body`, then (after `result()` has
/// waited for that) the caller again.
private final class PageFetch: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var outcome: Result<ChangePage, any Error>?
    private let provider: any CalendarProvider
    private let body: (any CalendarProvider) throws -> ChangePage

    init(provider: any CalendarProvider, _ body: @escaping (any CalendarProvider) throws -> ChangePage) {
        self.provider = provider
        self.body = body
        let deadline = AttemptWaits.deadline
        let thread = Thread { [self] in
            outcome = AttemptWaits.$deadline.withValue(deadline) { Result { try self.body(self.provider) } }
            done.signal()
        }
        thread.name = "calworker-page-fetch"
        thread.stackSize = 1 << 20
        thread.start()
    }

    func result() throws -> ChangePage {
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

    mutating func advance(to token: String, afterEmptyPage empty: Bool) throws(ProviderError) {
        pages += 1
        if !seen.insert(token).inserted {
            repeats += 1
            guard empty, repeats <= Self.emptyRepeats else {
                throw ProviderError(
                    .malformed, MalformedPage(message: "\(method) returned a page token it had returned before; the listing would never end"))
            }
        }
        guard pages < limit else {
            throw ProviderError(.malformed, MalformedPage(message: "\(method) went on for more than \(limit) pages; stopped"))
        }
    }
}

/// A listing the engine could not use: a page that would not store, or pages that never end.
/// Retried later, as a garbage answer always is.
struct MalformedPage: CalworkerError {
    var message: String
    var errorCode: String { "bad_response" }
    var isRetryable: Bool { true }
}
