import Basics
import Foundation
public import HTTPClient
public import RequestBudgets

/// Calendar API v3 for one account: the calls the sync needs, each through the account's
/// request budget and the retry rules of docs/sync.md (backoff with jitter on 429, 403 rate-limit
/// reasons and 5xx, honouring Retry-After; one token refresh on 401). A wait longer than an
/// attempt sleeps (`AttemptWaits`) ends the call with `.retryLater` instead, and when Google
/// asked for it, pauses the account's budget for every process until then.
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
            switch budget.acquire(shouldAbort: shouldAbort) {
            case .granted: break
            case .stopped: throw .stopped
            case .later(let wait):
                throw .retryLater(
                    "\(method): the account's request budget allows no request for \(AttemptWaits.describe(wait)) "
                        + "(Google asked it to wait); the job comes back then", after: wait)
            }
            let token = try accessToken { try tokens.accessToken() }
            var headers = [HTTPHeader("Authorization", "Bearer \(token)"), HTTPHeader("Accept", "application/json")]
            if body != nil { headers.append(HTTPHeader("Content-Type", "application/json")) }
            if let ifMatch { headers.append(HTTPHeader("If-Match", ifMatch)) }
            var request = HTTPRequest(method: verb, url: url, headers: headers, body: body)
            request.timeout = .seconds(60)
            request.maxResponseBytes = 64 << 20
            let failure: CalendarClientError
            /// What Google's `Retry-After` asked for, in seconds.
            var asked: Double?
            do {
                let response = try http.send(request, shouldAbort: shouldAbort)
                calls["\(method) \(response.status)", default: 0] += 1
                bytesReceived += response.body.count
                if response.isSuccess { return response }
                let error = GoogleAPIError.decode(response, method: method)
                if response.status == 401 && !refreshed {
                    refreshed = true
                    _ = try accessToken { try tokens.refresh() }
                    continue
                }
                guard error.isRetryable else { throw CalendarClientError.api(error) }
                failure = .api(error)
                asked = error.retryAfter
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
            let backoff = HTTPRetryPolicy(maxAttempts: maxAttempts, baseDelay: baseDelay, maxDelay: maxDelay).backoff(afterAttempt: attempt)
            switch AttemptWaits.decide(max(backoff, .milliseconds(Int64((asked ?? 0) * 1000)))) {
            case .noTime:
                throw failure
            case .later(let wait):
                // Google asked this account to wait: no request of it goes out before then,
                // from this job or another, and this one comes back after the wait.
                if asked != nil { budget.pause(for: wait) }
                throw .retryLater("\(failure); Google asked to wait \(AttemptWaits.describe(wait)), so the job comes back then", after: wait)
            case .sleep(let wait):
                backoffs += 1
                guard AttemptWaits.sleep(wait, shouldAbort: shouldAbort) else { throw .stopped }
            }
            attempt += 1
        }
    }

    /// An access token from `obtain` (the source's cached one or a refresh). The token
    /// endpoint's own wait, when it asked for a long one, pauses the account's budget too: it
    /// is Google's, and the account cannot make a call without a token.
    private func accessToken(_ obtain: () throws -> String) throws(CalendarClientError) -> String {
        do {
            return try obtain()
        } catch let error as CalendarClientError {
            throw error
        } catch {
            if let wait = (error as? any CalworkerError)?.requestedWait { budget.pause(for: wait) }
            throw .accessToken(error)
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
