import Basics
import Foundation
public import HTTPClient

/// Calendar API v3 for one account: the calls the sync needs, each through the account's
/// request budget and the retry rules of docs/sync.md (backoff with jitter on 429, 403 rate-limit
/// reasons and 5xx, honouring Retry-After; one token refresh on 401).
///
/// Used from one thread (a worker slot) for one job; it counts what it did in `figures`.
public final class CalendarClient {
    public let apiURL: String
    let http: HTTPClient
    let tokens: any AccessTokenSource
    let budget: RequestBudget
    let shouldAbort: @Sendable () -> Bool
    /// Attempts per call before a retryable error is given up to the caller (who snoozes the job).
    public var maxAttempts = 5
    public var baseDelay: Duration = .milliseconds(500)
    public var maxDelay: Duration = .seconds(32)
    /// Calls by method and status (`events.list 200`), backoffs, bytes.
    public private(set) var calls: [String: Int] = [:]
    public private(set) var backoffs = 0
    public private(set) var bytesReceived = 0

    public init(
        apiURL: String, http: HTTPClient, tokens: any AccessTokenSource, budget: RequestBudget,
        shouldAbort: @escaping @Sendable () -> Bool = { false }
    ) {
        self.apiURL = apiURL.hasSuffix("/") ? String(apiURL.dropLast()) : apiURL
        self.http = http
        self.tokens = tokens
        self.budget = budget
        self.shouldAbort = shouldAbort
    }

    public func calendarList(pageToken: String?, syncToken: String?) throws(CalendarClientError) -> CalendarListPage {
        var query = [("maxResults", "250"), ("showDeleted", "true"), ("showHidden", "true")]
        if let pageToken { query.append(("pageToken", pageToken)) }
        if let syncToken { query.append(("syncToken", syncToken)) }
        return try CalendarListPage.parse(try call("calendarList.list", "GET", "/users/me/calendarList", query: query).body)
    }

    /// One page of events: a full listing (with deleted events, so tombstones are known) or the
    /// changes since `syncToken`. Google forbids other filters beside a sync token.
    public func events(calendarID: String, pageToken: String?, syncToken: String?, maxResults: Int = 2500) throws(CalendarClientError) -> EventsPage {
        var query = [("maxResults", String(maxResults)), ("showDeleted", "true")]
        if let pageToken { query.append(("pageToken", pageToken)) }
        if let syncToken { query.append(("syncToken", syncToken)) }
        let response = try call("events.list", "GET", "/calendars/\(Self.pathSegment(calendarID))/events", query: query)
        return try EventsPage.parse(response.body)
    }

    public func event(calendarID: String, eventID: String) throws(CalendarClientError) -> [String: Any] {
        try object(call("events.get", "GET", "/calendars/\(Self.pathSegment(calendarID))/events/\(Self.pathSegment(eventID))"), "events.get")
    }

    public func insert(calendarID: String, event: [String: Any]) throws(CalendarClientError) -> [String: Any] {
        try object(call("events.insert", "POST", "/calendars/\(Self.pathSegment(calendarID))/events", json: event), "events.insert")
    }

    /// PATCH with `If-Match`, so a concurrent edit by the user is not overwritten (412 instead).
    public func patch(calendarID: String, eventID: String, changes: [String: Any], ifMatch etag: String?) throws(CalendarClientError) -> [String: Any]
    {
        try object(
            call(
                "events.patch", "PATCH", "/calendars/\(Self.pathSegment(calendarID))/events/\(Self.pathSegment(eventID))",
                json: changes, ifMatch: etag), "events.patch")
    }

    public func delete(calendarID: String, eventID: String, ifMatch etag: String?) throws(CalendarClientError) {
        _ = try call(
            "events.delete", "DELETE", "/calendars/\(Self.pathSegment(calendarID))/events/\(Self.pathSegment(eventID))",
            ifMatch: etag)
    }

    func object(_ response: HTTPResponse, _ method: String) throws(CalendarClientError) -> [String: Any] {
        guard let object = try? JSONSerialization.jsonObject(with: response.body) as? [String: Any] else {
            throw .badResponse("\(method) answered with something that is not a JSON object")
        }
        return object
    }

    /// Sends one call with the budget, the retries and the 401 refresh; returns a 2xx response.
    func call(
        _ method: String, _ verb: String, _ path: String, query: [(String, String)] = [],
        json: [String: Any]? = nil, ifMatch: String? = nil
    ) throws(CalendarClientError) -> HTTPResponse {
        var url = apiURL + path
        if !query.isEmpty { url += "?" + query.map { "\($0.0)=\(Self.queryValue($0.1))" }.joined(separator: "&") }
        var body: Data?
        if let json {
            guard let data = try? JSONSerialization.data(withJSONObject: json) else { throw .badResponse("\(method): body is not JSON") }
            body = data
        }
        var refreshed = false
        var attempt = 1
        while true {
            guard budget.acquire(shouldAbort: shouldAbort) else { throw .stopped }
            let token: String
            do { token = try tokens.accessToken() } catch let error as CalendarClientError { throw error } catch {
                throw .accessToken(error)
            }
            var headers = [HTTPHeader("Authorization", "Bearer \(token)"), HTTPHeader("Accept", "application/json")]
            if body != nil { headers.append(HTTPHeader("Content-Type", "application/json")) }
            if let ifMatch { headers.append(HTTPHeader("If-Match", ifMatch)) }
            var request = HTTPRequest(method: verb, url: url, headers: headers, body: body)
            request.timeout = .seconds(60)
            request.maxResponseBytes = 64 << 20
            let failure: CalendarClientError
            var wait: Double?
            do {
                let response = try http.send(request, shouldAbort: shouldAbort)
                calls["\(method) \(response.status)", default: 0] += 1
                bytesReceived += response.body.count
                if response.isSuccess { return response }
                let error = GoogleAPIError.decode(response, method: method)
                if response.status == 401 && !refreshed {
                    refreshed = true
                    do { _ = try tokens.refresh() } catch let error as CalendarClientError { throw error } catch {
                        throw CalendarClientError.accessToken(error)
                    }
                    continue
                }
                guard error.isRetryable else { throw CalendarClientError.api(error) }
                failure = .api(error)
                wait = error.retryAfter
            } catch let error as HTTPError {
                calls["\(method) error", default: 0] += 1
                if error.kind == .aborted { throw .stopped }
                guard error.isRetryable else { throw .transport(error.message) }
                failure = .transport(error.message)
            } catch let error as CalendarClientError {
                throw error
            } catch {
                throw .transport("\(error)")
            }
            guard attempt < maxAttempts else { throw failure }
            backoffs += 1
            let delay =
                wait
                ?? HTTPRetryPolicy(maxAttempts: maxAttempts, baseDelay: baseDelay, maxDelay: maxDelay)
                .delay(afterAttempt: attempt, retryAfter: nil).seconds
            try sleep(min(delay, maxDelay.seconds))
            attempt += 1
        }
    }

    func sleep(_ seconds: Double) throws(CalendarClientError) {
        let end = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        while ContinuousClock.now < end {
            if shouldAbort() { throw .stopped }
            Thread.sleep(forTimeInterval: min(0.05, max(0, (end - ContinuousClock.now).seconds)))
        }
    }

    /// A calendar or event id as one path segment (calendar ids contain `@` and `#`).
    static func pathSegment(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    static func queryValue(_ text: String) -> String { pathSegment(text) }
}
