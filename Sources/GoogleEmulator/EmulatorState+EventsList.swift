import Foundation

/// One page of a list answer, before it is wrapped in the resource's envelope.
struct ListPage: Sendable {
    var items: [JSONValue] = []
    var nextPageToken: String?
    var nextSyncToken: String?
}

/// `events.list`: full lists, incremental lists from a sync token, and paging through both.
///
/// The snapshot is the change sequence when the first page was asked for; every later page
/// of the same list reads up to it, and its `nextSyncToken` is that snapshot, so a change
/// made while a client pages either shows on a page or in the next incremental list, never
/// nowhere. Cursors are sequences (creation for full lists, change for incremental ones), so
/// writes during paging never shift a page.
extension EmulatorState {
    mutating func listEvents(calendarID: String, query: EventsListQuery) throws(GoogleAPIError) -> ListPage {
        guard let calendar = calendars[calendarID] else { throw .notFound }
        var page: ListTokens.Page
        if let token = query.pageToken {
            guard let parsed = ListTokens.parsePageToken(token, nonce: nonce, scope: calendarID), parsed.fingerprint == query.fingerprint,
                parsed.snapshot <= seq
            else { throw .invalid("Invalid page token value.", parameter: "pageToken") }
            page = parsed
            if page.since >= 0 && page.since < calendar.syncFloor { throw .fullSyncRequired }
        } else if let token = query.syncToken {
            guard let since = ListTokens.parseSyncToken(token, nonce: nonce, scope: calendarID), since <= seq,
                since >= calendar.syncFloor
            else { throw .fullSyncRequired }
            page = ListTokens.Page(mode: .changes, snapshot: seq, cursor: since, since: since, fingerprint: query.fingerprint)
        } else {
            page = ListTokens.Page(
                mode: query.orderByUpdated ? .changes : .full, snapshot: seq, cursor: 0, since: -1,
                fingerprint: query.fingerprint)
        }
        let incremental = page.since >= 0
        let size = pageSize(query.maxResults)
        var result = ListPage()
        var more = false
        /// Takes the event if it matches; false when the page is full and this one must wait.
        func offer(_ event: StoredEvent) -> Bool {
            guard Self.matches(event, in: calendar, query: query, incremental: incremental) else { return true }
            guard result.items.count < size else {
                more = true
                return false
            }
            result.items.append(event.isCancelled && !query.showDeleted ? event.tombstone() : event.rendered(calendarID: calendarID))
            return true
        }
        switch page.mode {
        case .full:
            for index in calendar.orderIndex(after: page.cursor)..<calendar.order.count {
                let created = calendar.order[index]
                if created.createdSeq > page.snapshot { break }
                guard offer(calendar.events[created.eventID]!) else { break }
                page.cursor = created.createdSeq
            }
        case .changes:
            for index in calendar.changeIndex(after: page.cursor)..<calendar.changes.count {
                let change = calendar.changes[index]
                if change.seq > page.snapshot { break }
                let event = calendar.events[change.eventID]!
                // A write superseded by a later one is reported at the later one (in this list
                // when it is before the snapshot, otherwise in the next incremental list).
                if event.seq == change.seq { guard offer(event) else { break } }
                page.cursor = change.seq
            }
        }
        if more {
            result.nextPageToken = ListTokens.pageToken(nonce: nonce, scope: calendarID, page: page)
        } else {
            result.nextSyncToken = ListTokens.syncToken(nonce: nonce, scope: calendarID, seq: page.snapshot)
        }
        return result
    }

    /// Whether a list returns the event. An incremental list returns every change (deletions
    /// included, whatever `showDeleted` says); a full list drops cancelled events unless
    /// `showDeleted`, except cancelled instances of a live series and, with `updatedMin`,
    /// deletions since then.
    static func matches(_ event: StoredEvent, in calendar: StoredCalendar, query: EventsListQuery, incremental: Bool) -> Bool {
        if !query.eventTypes.isEmpty && !query.eventTypes.contains(event.eventType) { return false }
        if incremental { return true }
        if event.isCancelled {
            let seriesLive = event.recurringEventID.flatMap { calendar.events[$0] }.map { !$0.isCancelled } ?? false
            let deletedSince = query.updatedMin.map { event.updated >= $0 } ?? false
            guard query.showDeleted || seriesLive || deletedSince else { return false }
        }
        if let updatedMin = query.updatedMin, event.updated < updatedMin { return false }
        if let iCalUID = query.iCalUID, event.iCalUID != iCalUID { return false }
        if !hasProperties(event, scope: "private", query.privateProperties) || !hasProperties(event, scope: "shared", query.sharedProperties) {
            return false
        }
        if !query.terms.isEmpty {
            let text = searchableText(event)
            guard query.terms.allSatisfy(text.contains) else { return false }
        }
        return inWindow(event, zone: calendar.zone, timeMin: query.timeMin, timeMax: query.timeMax)
    }

    private static func hasProperties(_ event: StoredEvent, scope: String, _ wanted: [(key: String, value: String)]) -> Bool {
        let stored = event.fields["extendedProperties"]?[scope]?.object ?? [:]
        return wanted.allSatisfy { stored[$0.key]?.string == $0.value }
    }

    private static func searchableText(_ event: StoredEvent) -> String {
        var parts = ["summary", "description", "location"].compactMap { event.fields[$0]?.string }
        for person in (event.fields["attendees"]?.array ?? []) + [event.fields["organizer"] ?? .null] {
            parts += ["email", "displayName"].compactMap { person[$0]?.string }
        }
        return parts.joined(separator: "\n").lowercased()
    }

    /// `timeMin` bounds the end (exclusive), `timeMax` the start (exclusive). A series counts
    /// from its first start until its RRULE `UNTIL` (for ever without one): RRULEs are not
    /// expanded, so a series is kept whenever one of its instances might fall in the window.
    private static func inWindow(_ event: StoredEvent, zone: TimeZone, timeMin: Date?, timeMax: Date?) -> Bool {
        guard timeMin != nil || timeMax != nil else { return true }
        guard let start = EventTime(event.fields["start"] ?? event.fields["originalStartTime"], calendarZone: zone) else { return true }
        let end = EventTime(event.fields["end"], calendarZone: zone) ?? start
        if let timeMax, start.instant >= timeMax { return false }
        guard let timeMin else { return true }
        if event.isSeries {
            guard let until = EventTime.recurrenceUntil(event.fields["recurrence"]?.array ?? [], calendarZone: zone) else { return true }
            return until.addingTimeInterval(end.instant.timeIntervalSince(start.instant)) > timeMin
        }
        return end.instant > timeMin
    }
}
