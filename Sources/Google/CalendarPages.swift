import Foundation

/// One page of `calendarList.list`.
public struct CalendarListPage: Sendable {
    public struct Entry: Sendable, Equatable {
        public var id: String
        public var summary: String?
        public var timeZone: String?
        public var accessRole: String
        public var primary: Bool
        public var deleted: Bool
    }

    public var entries: [Entry]
    public var nextPageToken: String?
    public var nextSyncToken: String?
}

/// One page of `events.list`, kept as Google's JSON: the local store reads the items straight
/// from it (PostgreSQL parses the page once), so a page of 2,500 events is never decoded into
/// Swift values and out again, and memory per page is the page's bytes.
public struct EventsPage: Sendable {
    /// The response body: a JSON object; PostgreSQL checks the items when it stores them.
    public var json: Data
    public var nextPageToken: String?
    public var nextSyncToken: String?

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
        return EventsPage(json: body, nextPageToken: found.nextPageToken, nextSyncToken: found.nextSyncToken)
    }
}

/// Why a Calendar API call did not produce a result.
public enum CalendarClientError: Error, CustomStringConvertible, Sendable {
    /// Google answered with an error (after the retries SYNC.md allows).
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

    public var description: String {
        switch self {
        case .api(let error): error.description
        case .transport(let message): message
        case .badResponse(let message): message
        case .stopped: "stopped"
        case .accessToken(let error): "\(error)"
        }
    }
}
