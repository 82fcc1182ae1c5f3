import Basics
import CalendarProviders
import Foundation
import MirrorPlanner
import Postgres
import Synchronization

/// A calendar service kept in memory, for the engine's contract tests: calendars, events with
/// etags, a change log behind its cursors, cursors that can be expired, and the same
/// preconditions a real service checks. It speaks the engine's neutral layout only, so the
/// tests that pass against it and against Google prove the engine depends on neither.
final class InMemoryCalendarService: Sendable {
    struct Event {
        var value: ProviderEvent
        /// The change that last touched it.
        var sequence: Int
    }

    struct Calendar {
        var entry: CalendarEntry
        var events: [String: Event] = [:]
    }

    fileprivate struct State {
        /// By account email, then calendar id.
        var calendars: [String: [String: Calendar]] = [:]
        var sequence = 0
        /// Cursors below this are expired.
        var oldestValidCursor = 0
        /// Events a page holds at most, so listings take several pages.
        var pageSize = 2
    }

    private let state = Mutex(State())
    static let kind = "memory"

    func addCalendar(account: String, id: String) {
        state.withLock {
            $0.calendars[account, default: [:]][id] = Calendar(
                entry: CalendarEntry(id: id, summary: "Calendar \(id)", timeZone: "Europe/Berlin", accessRole: "owner", primary: true, deleted: false)
            )
        }
    }

    /// Writes an event as its user would (not a mirror).
    func put(account: String, calendar: String, _ event: ProviderEvent) {
        state.withLock { state in
            state.sequence += 1
            var event = event
            event.etag = "\"m\(state.sequence)\""
            state.calendars[account]![calendar]!.events[event.id] = Event(value: event, sequence: state.sequence)
        }
    }

    func delete(account: String, calendar: String, id: String) {
        state.withLock { state in
            state.sequence += 1
            guard var event = state.calendars[account]![calendar]!.events[id] else { return }
            event.value.status = "cancelled"
            event.value.etag = "\"m\(state.sequence)\""
            event.sequence = state.sequence
            state.calendars[account]![calendar]!.events[id] = event
        }
    }

    func event(account: String, calendar: String, id: String) -> ProviderEvent? {
        state.withLock { $0.calendars[account]?[calendar]?.events[id]?.value }
    }

    func events(account: String, calendar: String) -> [ProviderEvent] {
        state.withLock { ($0.calendars[account]?[calendar]?.events.values.map(\.value) ?? []).sorted { $0.id < $1.id } }
    }

    /// Every cursor handed out so far stops working (as Google's 410, CalDAV's invalid token).
    func expireCursors() {
        state.withLock { $0.oldestValidCursor = $0.sequence + 1 }
    }

    fileprivate func call<T>(_ body: (inout State) throws(ProviderError) -> T) throws(ProviderError) -> T {
        try state.withLock { (state: inout State) throws(ProviderError) -> T in try body(&state) }
    }

    /// The directory the engine gets its providers from, for accounts whose provider is `memory`.
    func directory() -> some ProviderDirectory { Directory(service: self) }

    private struct Directory: ProviderDirectory {
        let service: InMemoryCalendarService

        func provider(forAccount accountID: Int64, session: PostgresConnection, shouldAbort: @escaping @Sendable () -> Bool) throws
            -> any CalendarProvider
        {
            let email: String = try session.query("SELECT email FROM calworker.accounts WHERE id = $1", [accountID])[0].decode(at: 0)
            return InMemoryProvider(service: service, account: email)
        }
    }

    /// Page tokens are offsets; cursors are the change sequence a listing ended at.
    fileprivate static func parse(_ token: String?, _ prefix: String) -> Int? {
        token.flatMap { $0.hasPrefix(prefix) ? Int($0.dropFirst(prefix.count)) : nil }
    }
}

/// One account's view of the in-memory service.
final class InMemoryProvider: CalendarProvider {
    let service: InMemoryCalendarService
    let account: String
    private var made: [String: Int] = [:]

    init(service: InMemoryCalendarService, account: String) {
        self.service = service
        self.account = account
    }

    var figures: ProviderFigures { ProviderFigures(calls: made) }
    var watcher: (any ChangeWatcher)? { nil }

    func calendarPage(pageToken: String?, cursor: String?) throws(ProviderError) -> CalendarPage {
        made["calendars", default: 0] += 1
        let account = account
        return try service.call { state throws(ProviderError) in
            if let since = InMemoryCalendarService.parse(cursor, "c"), since < state.oldestValidCursor {
                throw Self.error(.cursorExpired, "cursor expired")
            }
            let entries = (state.calendars[account] ?? [:]).values.map(\.entry).sorted { $0.id < $1.id }
            return CalendarPage(entries: entries, nextPageToken: nil, nextCursor: "c\(state.sequence)")
        }
    }

    func changePage(calendarID: String, pageToken: String?, cursor: String?) throws(ProviderError) -> ChangePage {
        made["events", default: 0] += 1
        let account = account
        return try service.call { state throws(ProviderError) in
            guard let calendar = state.calendars[account]?[calendarID] else { throw Self.error(.notFound, "no calendar \(calendarID)") }
            let since = InMemoryCalendarService.parse(cursor, "c")
            if let since, since < state.oldestValidCursor { throw Self.error(.cursorExpired, "cursor expired") }
            let all = calendar.events.values.filter { since == nil || $0.sequence > since! }.map(\.value).sorted { $0.id < $1.id }
            let offset = InMemoryCalendarService.parse(pageToken, "o") ?? 0
            let page = Array(all.dropFirst(offset).prefix(state.pageSize))
            let more = offset + page.count < all.count
            let batch: EventBatch
            do { batch = try EventBatch.events(page) } catch { throw Self.error(.malformed, "\(error)") }
            return ChangePage(
                events: batch, nextPageToken: more ? "o\(offset + page.count)" : nil, nextCursor: more ? nil : "c\(state.sequence)",
                isEmpty: page.isEmpty)
        }
    }

    func currentEvent(calendarID: String, eventID: String) throws(ProviderError) -> RemoteEvent {
        made["get", default: 0] += 1
        let account = account
        return try service.call { state throws(ProviderError) in
            guard let event = state.calendars[account]?[calendarID]?.events[eventID]?.value else { throw Self.error(.notFound, "no event") }
            return RemoteEvent(
                etag: event.etag, cancelled: event.status == "cancelled", markedAsMirror: event.mirror == "1", seriesID: event.seriesId)
        }
    }

    func insertMirror(_ mirror: DesiredMirror, calendarID: String) throws(ProviderError) -> EventBatch {
        try write("insert", calendarID: calendarID, eventID: mirror.id) { existing throws(ProviderError) in
            if existing != nil { throw Self.error(.conflict, "\(mirror.id) exists") }
            return Self.event(mirror)
        }
    }

    func updateMirror(_ mirror: DesiredMirror, calendarID: String, eventID: String, ifMatch: String?) throws(ProviderError) -> EventBatch {
        try write("update", calendarID: calendarID, eventID: eventID) { existing throws(ProviderError) in
            guard let existing else { throw Self.error(.notFound, "no event \(eventID)") }
            if let ifMatch, ifMatch != existing.etag { throw Self.error(.preconditionFailed, "etag changed") }
            return Self.event(mirror)
        }
    }

    func deleteMirror(calendarID: String, eventID: String, ifMatch: String?) throws(ProviderError) {
        _ = try write("delete", calendarID: calendarID, eventID: eventID) { existing throws(ProviderError) in
            guard var existing, existing.status != "cancelled" else { throw Self.error(.notFound, "no event \(eventID)") }
            if let ifMatch, ifMatch != existing.etag { throw Self.error(.preconditionFailed, "etag changed") }
            existing.status = "cancelled"
            return existing
        }
    }

    private func write(
        _ name: String, calendarID: String, eventID: String, _ change: (ProviderEvent?) throws(ProviderError) -> ProviderEvent
    ) throws(ProviderError) -> EventBatch {
        made[name, default: 0] += 1
        let account = account
        let stored = try service.call { state throws(ProviderError) -> ProviderEvent in
            guard state.calendars[account]?[calendarID] != nil else { throw Self.error(.notFound, "no calendar \(calendarID)") }
            var event = try change(state.calendars[account]![calendarID]!.events[eventID]?.value)
            state.sequence += 1
            event.etag = "\"m\(state.sequence)\""
            state.calendars[account]![calendarID]!.events[eventID] = InMemoryCalendarService.Event(value: event, sequence: state.sequence)
            return event
        }
        do { return try EventBatch.events([stored]) } catch { throw Self.error(.malformed, "\(error)") }
    }

    /// A mirror as this service keeps it: the mark and the source in fields of their own.
    static func event(_ mirror: DesiredMirror) -> ProviderEvent {
        func time(_ value: EventTime?) -> ProviderEvent.Time? {
            guard let value else { return nil }
            return ProviderEvent.Time(date: value.date, dateTime: value.instant.map { $0.formatted(.iso8601) }, timeZone: value.timeZone)
        }
        var event = ProviderEvent(id: mirror.id, status: mirror.status)
        event.summary = mirror.summary
        event.start = time(mirror.start)
        event.end = time(mirror.end)
        event.recurrence = mirror.recurrence
        event.transparency = DesiredMirror.transparency
        event.visibility = DesiredMirror.visibility
        event.remindersUseDefault = false
        event.location = mirror.location
        event.mirror = "1"
        event.mirrorSource = mirror.source
        return event
    }

    static func error(_ kind: ProviderError.Kind, _ message: String) -> ProviderError {
        ProviderError(kind, InMemoryError(message: message, retryable: kind == .retryable))
    }
}

struct InMemoryError: CalworkerError {
    var message: String
    var retryable: Bool
    var errorCode: String { "memory" }
    var isRetryable: Bool { retryable }
}
