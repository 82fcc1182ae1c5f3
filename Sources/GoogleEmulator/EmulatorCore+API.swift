import Foundation
import HTTPServer
import Synchronization

/// The Calendar API itself: authentication, faults, then the route.
extension EmulatorCore {
    func handleAPI(_ request: HTTPServerRequest, segments: [String]) -> Reply {
        let query = QueryParameters(request.query)
        let apiRoot = apiRoot(of: request)
        return state.withLock { state in
            guard let (route, parameters) = APIRoute.match(method: request.method, segments: segments) else {
                let reply = Reply(.notFound)
                Self.record(&state, method: request.method, route: "(unknown)", reply: reply)
                return reply
            }
            let reply = Self.withFaults(&state, tokenEndpoint: false) { state in
                do throws(GoogleAPIError) {
                    let email = try Self.authenticate(request, state: &state)
                    try Self.enforceProjectRateLimit(state: &state)
                    try Self.enforceUserRateLimit(email, state: &state)
                    if route.isPush {
                        return try Self.respondPush(route, parameters: parameters, request: request, email: email, apiRoot: apiRoot, state: &state)
                    }
                    return try Self.respond(route, parameters: parameters, request: request, query: query, email: email, state: &state)
                } catch {
                    return Reply(error)
                }
            }
            Self.record(&state, method: request.method, route: route.template, reply: reply)
            return reply
        }
    }

    /// The account of the request's `Authorization: Bearer` access token, or 401.
    static func authenticate(_ request: HTTPServerRequest, state: inout EmulatorState) throws(GoogleAPIError) -> String {
        guard let header = request.header("Authorization"), header.count > 7, header.prefix(7).lowercased() == "bearer " else {
            throw .authError
        }
        let token = header.dropFirst(7).trimmingCharacters(in: .whitespaces)
        guard let access = state.accessTokens[token], access.expires > state.now() else { throw .authError }
        return access.email
    }

    /// Google's per-user limit, when switched on: a sliding minute of requests per account.
    /// Requests refused for it count too, as they do at Google.
    static func enforceUserRateLimit(_ email: String, state: inout EmulatorState) throws(GoogleAPIError) {
        let limit = state.options.userRequestsPerMinute
        guard limit > 0 else { return }
        let now = state.now()
        var recent = (state.recentRequests[email] ?? []).filter { now.timeIntervalSince($0) < 60 }
        recent.append(now)
        state.recentRequests[email] = recent
        if recent.count > limit {
            throw GoogleAPIError(
                code: 403, domain: "usageLimits", reason: "userRateLimitExceeded", message: "User Rate Limit Exceeded",
                status: "PERMISSION_DENIED")
        }
    }

    /// Google's per-project limit, when switched on: every account's requests in a sliding
    /// minute. Refused requests count too.
    static func enforceProjectRateLimit(state: inout EmulatorState) throws(GoogleAPIError) {
        let limit = state.options.projectRequestsPerMinute
        guard limit > 0 else { return }
        let second = Int64(state.now().timeIntervalSince1970.rounded(.down))
        if state.projectRequests.add(second: second) > limit {
            throw GoogleAPIError(
                code: 403, domain: "usageLimits", reason: "rateLimitExceeded", message: "Rate Limit Exceeded",
                status: "PERMISSION_DENIED")
        }
    }

    static func respond(
        _ route: APIRoute, parameters: [String: String], request: HTTPServerRequest, query: QueryParameters,
        email: String, state: inout EmulatorState
    ) throws(GoogleAPIError) -> Reply {
        if route == .calendarListList {
            let page = try state.listCalendarList(email: email, query: query)
            return Reply(body: envelope(["kind": .string("calendar#calendarList"), "etag": .string("\"\(state.seq)\"")], page))
        }
        let entry = try state.access(email, calendarID: parameters["calendarId"] ?? "")
        let calendarID = entry.calendarID
        // Read-only routes take the calendar; writes must not hold a copy of it (the write
        // would then copy every event).
        var calendar: StoredCalendar { state.calendars[calendarID]! }
        let eventID = parameters["eventId"] ?? ""
        switch route {
        case .calendarListList, .eventsWatch, .calendarListWatch, .channelsStop:
            preconditionFailure("answered above or by respondPush")
        case .calendarListGet:
            return Reply(body: entry.rendered(calendar: calendar))
        case .calendarsGet:
            return Reply(body: calendar.rendered())
        case .eventsList:
            let listQuery = try EventsListQuery(query)
            let page = try state.listEvents(calendarID: calendarID, query: listQuery)
            let calendar = calendar
            var head: [String: JSONValue] = [
                "kind": .string("calendar#events"), "etag": .string("\"\(state.seq)\""), "summary": .string(calendar.summary),
                "updated": .string(RFC3339.format(calendar.updated)), "timeZone": .string(listQuery.timeZone ?? calendar.timeZone),
                "accessRole": .string(entry.accessRole), "defaultReminders": .array([]),
            ]
            if let description = calendar.description { head["description"] = .string(description) }
            return Reply(body: envelope(head, page))
        case .eventsGet:
            guard let event = state.event(calendarID: calendarID, eventID: eventID) else { throw .notFound }
            if let tags = request.header("If-None-Match"), tags == "*" || tags.contains(event.etag) {
                return Reply(status: 304, body: nil, headers: [("ETag", event.etag)])
            }
            return Reply(body: event.rendered(calendarID: calendarID), headers: [("ETag", event.etag)])
        case .eventsInsert, .eventsPatch, .eventsUpdate, .eventsDelete:
            guard entry.canWrite else { throw .writerAccessRequired }
            let ifMatch = request.header("If-Match")
            let event: StoredEvent
            switch route {
            case .eventsInsert:
                event = try state.insertEvent(calendarID: calendarID, body: try body(request), actor: email, validateID: true)
            case .eventsPatch:
                event = try state.patchEvent(calendarID: calendarID, eventID: eventID, patch: try body(request), ifMatch: ifMatch)
            case .eventsUpdate:
                event = try state.replaceEvent(calendarID: calendarID, eventID: eventID, body: try body(request), ifMatch: ifMatch)
            default:
                try state.deleteEvent(calendarID: calendarID, eventID: eventID, ifMatch: ifMatch)
                return Reply(status: 204, body: nil)
            }
            return Reply(body: event.rendered(calendarID: calendarID), headers: [("ETag", event.etag)])
        }
    }

    /// A list answer: its head fields, the items, and `nextPageToken` or `nextSyncToken`.
    static func envelope(_ head: [String: JSONValue], _ page: ListPage) -> JSONValue {
        var object = head
        object["items"] = .array(page.items)
        if let token = page.nextPageToken { object["nextPageToken"] = .string(token) }
        if let token = page.nextSyncToken { object["nextSyncToken"] = .string(token) }
        return .object(object)
    }

    /// The request body as a JSON object, or Google's 400 `parseError`.
    static func body(_ request: HTTPServerRequest) throws(GoogleAPIError) -> [String: JSONValue] {
        guard let object = JSONValue.parse(request.body)?.object else { throw .parseError }
        return object
    }
}
