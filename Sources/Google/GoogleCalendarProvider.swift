import Basics
public import CalendarProviders
import Foundation
public import MirrorPlanner

/// Google Calendar API v3 behind the engine's `CalendarProvider`: each call through
/// `CalendarClient` (the account's budget, retries, token refresh), its answer in the
/// engine's terms and its errors classified once (`classify`).
public final class GoogleCalendarProvider: CalendarProvider, ChangeWatcher {
    public let client: CalendarClient
    private let tokens: StoredAccessTokens?
    /// `maxResults` of events.list.
    let pageSize: Int

    init(client: CalendarClient, tokens: StoredAccessTokens?, pageSize: Int) {
        self.client = client
        self.tokens = tokens
        self.pageSize = max(1, min(2500, pageSize))
    }

    public var figures: ProviderFigures {
        ProviderFigures(
            calls: client.calls, backoffs: client.backoffs, bytesReceived: client.bytesReceived, tokenRefreshes: tokens?.refreshes ?? 0)
    }

    public var watcher: (any ChangeWatcher)? { self }

    public func calendarPage(pageToken: String?, cursor: String?) throws(ProviderError) -> CalendarPage {
        let page = try listing { () throws(CalendarClientError) in try client.calendarList(pageToken: pageToken, syncToken: cursor) }
        return CalendarPage(entries: page.entries, nextPageToken: page.nextPageToken, nextCursor: page.nextSyncToken)
    }

    public func changePage(calendarID: String, pageToken: String?, cursor: String?) throws(ProviderError) -> ChangePage {
        let page = try listing { () throws(CalendarClientError) in
            try client.events(calendarID: calendarID, pageToken: pageToken, syncToken: cursor, maxResults: pageSize)
        }
        return ChangePage(
            events: EventBatch(json: page.json, layout: .google), nextPageToken: page.nextPageToken, nextCursor: page.nextSyncToken,
            isEmpty: page.isEmpty)
    }

    public func currentEvent(calendarID: String, eventID: String) throws(ProviderError) -> RemoteEvent {
        let event = try call { () throws(CalendarClientError) in try client.event(calendarID: calendarID, eventID: eventID) }
        let properties = (event["extendedProperties"] as? [String: Any])?["private"] as? [String: Any]
        return RemoteEvent(
            etag: event["etag"] as? String, cancelled: event["status"] as? String == "cancelled",
            markedAsMirror: properties?["calworkerMirror"] as? String == "1", seriesID: event["recurringEventId"] as? String)
    }

    public func insertMirror(_ mirror: DesiredMirror, calendarID: String) throws(ProviderError) -> EventBatch {
        try stored(
            call { () throws(CalendarClientError) in
                try client.insert(calendarID: calendarID, event: GoogleMirrorBody.body(mirror, includeID: true))
            }, id: mirror.id, method: "events.insert")
    }

    public func updateMirror(_ mirror: DesiredMirror, calendarID: String, eventID: String, ifMatch: String?) throws(ProviderError)
        -> EventBatch
    {
        try stored(
            call { () throws(CalendarClientError) in
                try client.patch(
                    calendarID: calendarID, eventID: eventID, changes: GoogleMirrorBody.body(mirror, includeID: false), ifMatch: ifMatch)
            }, id: eventID, method: "events.patch")
    }

    public func deleteMirror(calendarID: String, eventID: String, ifMatch: String?) throws(ProviderError) {
        try call { () throws(CalendarClientError) in try client.delete(calendarID: calendarID, eventID: eventID, ifMatch: ifMatch) }
    }

    public func watchEvents(calendarID: String, _ channel: ChannelRequest) throws(ProviderError) -> WatchedChannel {
        try call { () throws(CalendarClientError) in try client.watchEvents(calendarID: calendarID, channel) }
    }

    public func watchCalendarList(_ channel: ChannelRequest) throws(ProviderError) -> WatchedChannel {
        try call { () throws(CalendarClientError) in try client.watchCalendarList(channel) }
    }

    public func stopChannel(id: String, resourceID: String) throws(ProviderError) {
        try call { () throws(CalendarClientError) in try client.stopChannel(id: id, resourceID: resourceID) }
    }

    /// Google's answer to a write, as the local copy stores it: the event written, under the id
    /// it was written as. Anything else answered with 200 (another resource, a page, an error
    /// body) is malformed, and never stored.
    private func stored(_ event: [String: Any], id: String, method: String) throws(ProviderError) -> EventBatch {
        guard event["id"] as? String == id else {
            throw ProviderError(.malformed, CalendarClientError.badResponse("\(method) answered with something that is not the event written"))
        }
        guard let json = try? JSONSerialization.data(withJSONObject: ["items": [event]]) else {
            throw ProviderError(.malformed, CalendarClientError.badResponse("Google's answer to a write could not be kept"))
        }
        return EventBatch(json: json, layout: .google)
    }

    private func listing<T>(_ body: () throws(CalendarClientError) -> T) throws(ProviderError) -> T {
        do { return try body() } catch { throw Self.classify(error, listing: true) }
    }

    private func call<T>(_ body: () throws(CalendarClientError) -> T) throws(ProviderError) -> T {
        do { return try body() } catch { throw Self.classify(error, listing: false) }
    }

    /// What Google's answer means for the engine (docs/sync.md "Faults the sync survives").
    /// A 410 on a listing is an expired sync token; on an event, the event is gone.
    public static func classify(_ error: CalendarClientError, listing: Bool) -> ProviderError {
        switch error {
        case .api(let api):
            let kind: ProviderError.Kind =
                if listing && api.isFullSyncRequired {
                    .cursorExpired
                } else if api.isQuotaExceeded {
                    .quotaExceeded
                } else if api.isRateLimit {
                    .rateLimited(after: api.retryAfter.map { .milliseconds(Int64(min($0, 86_400) * 1000)) })
                } else if api.isRetryable {
                    .retryable
                } else if api.status == 412 {
                    .preconditionFailed
                } else if api.status == 409 {
                    .conflict
                } else if api.status == 404 || api.status == 410 {
                    .notFound
                } else {
                    .refused
                }
            return ProviderError(kind, error)
        case .transport, .retryLater: return ProviderError(.retryable, error)
        case .badResponse: return ProviderError(.malformed, error)
        case .stopped: return ProviderError(.stopped, error)
        case .accessToken(let underlying):
            if let refused = underlying as? CredentialsRefused { return ProviderError(.authRevoked, refused) }
            // The token endpoint's own error (the network, a busy endpoint, the database the
            // tokens are kept in), in its own words.
            return ProviderError(.retryable, (underlying as? any CalworkerError) ?? error)
        }
    }
}
