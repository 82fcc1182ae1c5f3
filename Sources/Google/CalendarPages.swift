public import Basics
public import CalendarProviders
public import Foundation

/// One page of `calendarList.list`.
public struct CalendarListPage: Sendable {
    /// An entry in the engine's terms; Google's roles are the engine's vocabulary.
    public typealias Entry = CalendarEntry

    public var entries: [Entry]
    public var nextPageToken: String?
    public var nextSyncToken: String?

    /// The access roles the discovery document lists for `CalendarListEntry.accessRole`.
    static let accessRoles: Set<String> = ["freeBusyReader", "reader", "writer", "owner", "none"]

    /// Reads a page and checks it against the discovery document's `CalendarList` shape
    /// before anything acts on it: `items` an array of entries, each with a string `id`, the
    /// documented types for the rest, and exactly one of the two page tokens. A page that
    /// does not fit is an error (the sync retries later); before, `{"items": "x",
    /// "nextSyncToken": "s"}` was read as an empty list and marked every calendar deleted.
    public static func parse(_ body: Data) throws(CalendarClientError) -> CalendarListPage {
        func bad(_ why: String) -> CalendarClientError { .badResponse("calendarList.list answered a malformed page: \(why)") }
        guard let object = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] else {
            throw bad("not a JSON object")
        }
        guard let items = object["items"] as? [Any] else { throw bad("'items' is missing or not an array") }
        let nextPageToken = try token(object, "nextPageToken", bad)
        let nextSyncToken = try token(object, "nextSyncToken", bad)
        guard (nextPageToken == nil) != (nextSyncToken == nil) else { throw bad("a page ends with exactly one of nextPageToken and nextSyncToken") }
        var entries: [Entry] = []
        entries.reserveCapacity(items.count)
        for (index, value) in items.enumerated() {
            guard let item = value as? [String: Any] else { throw bad("item \(index) is not an object") }
            guard let id = item["id"] as? String, !id.isEmpty, id.utf8.count <= 1024 else { throw bad("item \(index) has no usable 'id'") }
            func optional<T>(_ key: String, _ type: T.Type) throws(CalendarClientError) -> T? {
                guard let value = item[key], !(value is NSNull) else { return nil }
                guard let typed = value as? T else { throw bad("item \(index): '\(key)' is not a \(T.self)") }
                return typed
            }
            let role = try optional("accessRole", String.self) ?? "none"
            guard accessRoles.contains(role) else { throw bad("item \(index): unknown accessRole '\(role.prefix(40))'") }
            entries.append(
                Entry(
                    id: id, summary: try optional("summary", String.self), timeZone: try optional("timeZone", String.self),
                    accessRole: role, primary: try booleanValue(item["primary"], "primary", index, bad),
                    deleted: try booleanValue(item["deleted"], "deleted", index, bad)))
        }
        return CalendarListPage(entries: entries, nextPageToken: nextPageToken, nextSyncToken: nextSyncToken)
    }

    private static func token(
        _ object: [String: Any], _ key: String,
        _ bad: (String) -> CalendarClientError
    ) throws(CalendarClientError) -> String? {
        guard let value = object[key], !(value is NSNull) else { return nil }
        guard let text = value as? String, !text.isEmpty, text.utf8.count <= 8192 else { throw bad("'\(key)' is not a token") }
        return text
    }

    /// JSON booleans only: Foundation would read the number 1 as `true`.
    private static func booleanValue(
        _ value: Any?, _ key: String, _ index: Int,
        _ bad: (String) -> CalendarClientError
    ) throws(CalendarClientError) -> Bool {
        guard let value, !(value is NSNull) else { return false }
        // JSONSerialization gives `true` and `false` as NSNumbers of Objective-C type "c".
        guard let number = value as? NSNumber, String(cString: number.objCType) == "c" else {
            throw bad("item \(index): '\(key)' is not a boolean")
        }
        return number.boolValue
    }
}

/// One page of `events.list`, kept as Google's JSON: the local store reads the items straight
/// from it (PostgreSQL parses the page once), so a page of 2,500 events is never decoded into
/// Swift values and out again, and memory per page is the page's bytes.
public struct EventsPage: Sendable {
    /// The response body: a JSON object; PostgreSQL checks the items when it stores them.
    public var json: Data
    public var nextPageToken: String?
    public var nextSyncToken: String?
    /// The page holds no events (Google may send such a page before the next one).
    public var isEmpty = false

    /// Finds the page's tokens; a body that is not a JSON object, or has neither token, is
    /// an error, never half-stored.
    public static func parse(_ body: Data) throws(CalendarClientError) -> EventsPage {
        let found = body.withUnsafeBytes { PageTokens.scan($0) }
        guard found.wellFormed else {
            throw CalendarClientError.badResponse("events.list answered with something that is not a JSON object")
        }
        guard found.nextPageToken != nil || found.nextSyncToken != nil else {
            throw CalendarClientError.badResponse("events.list page has neither nextPageToken nor nextSyncToken")
        }
        // A page without its items must not be stored: a full listing would then tombstone
        // every event it "did not see".
        guard found.itemsIsArray == true else {
            throw CalendarClientError.badResponse("events.list page has no 'items' array")
        }
        return EventsPage(json: body, nextPageToken: found.nextPageToken, nextSyncToken: found.nextSyncToken, isEmpty: found.itemsEmpty)
    }
}

/// Why a Calendar API call did not produce a result.
public enum CalendarClientError: Error, CustomStringConvertible, Sendable {
    /// Google answered with an error (after the retries docs/sync.md allows).
    case api(GoogleAPIError)
    /// No usable HTTP response (after retries): network, DNS, TLS, timeouts.
    case transport(String)
    /// Google answered 2xx with a body that is not what the API documents.
    case badResponse(String)
    /// The job was asked to stop (cancelled, timed out, worker stopping).
    case stopped
    /// The access token could not be obtained; the token source's own error (e.g. the
    /// account's refresh token was revoked), for the caller to act on.
    case accessToken(any Error & Sendable)
    /// The next try is further off than an attempt sleeps (Google's `Retry-After`, or the
    /// account's paused request budget): try again after `after`.
    case retryLater(String, after: Duration)

    public var description: String {
        switch self {
        case .api(let error): error.description
        case .transport(let message): message
        case .badResponse(let message): message
        case .stopped: "stopped"
        case .accessToken(let error): "\(error)"
        case .retryLater(let message, _): message
        }
    }
}

extension CalendarClientError: CalworkerError {
    public var errorCode: String {
        switch self {
        case .api(let error): error.errorCode
        case .transport: "transport"
        case .badResponse: "bad_response"
        case .stopped: "stopped"
        case .accessToken: "access_token"
        case .retryLater: "retry_later"
        }
    }
    public var message: String { description }
    /// Google's answers are retried as the queue always retried them (a garbage page is
    /// retried later, never acted on), except an error Google says is final.
    public var isRetryable: Bool {
        if case .accessToken(let error) = self { return (error as? any CalworkerError)?.isRetryable ?? true }
        return true
    }

    /// The wait Google (or the account's paused budget) asked for, when longer than an attempt
    /// sleeps: the worker snoozes the job for it.
    public var requestedWait: Duration? {
        switch self {
        case .retryLater(_, let after): after
        case .accessToken(let error): (error as? any CalworkerError)?.requestedWait
        default: nil
        }
    }
}
