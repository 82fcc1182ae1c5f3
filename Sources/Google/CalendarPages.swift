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
/// from it, so a page of 2,500 events is never decoded into Swift values and out again.
public struct EventsPage: Sendable {
    /// The response body, validated: a JSON object whose `items` are objects with a string `id`.
    public var json: Data
    public var itemCount: Int
    public var nextPageToken: String?
    public var nextSyncToken: String?

    /// Checks Google's page shape; a malformed page is an error, never half-stored.
    public static func parse(_ body: Data) throws(CalendarClientError) -> EventsPage {
        guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any] else {
            throw CalendarClientError.badResponse("events.list answered with something that is not a JSON object")
        }
        let items = object["items"] as? [Any] ?? []
        for (index, item) in items.enumerated() {
            guard let event = item as? [String: Any], let id = event["id"] as? String, !id.isEmpty else {
                throw CalendarClientError.badResponse("events.list item \(index) has no id")
            }
        }
        let next = object["nextPageToken"] as? String
        let sync = object["nextSyncToken"] as? String
        guard next != nil || sync != nil else {
            throw CalendarClientError.badResponse("events.list page has neither nextPageToken nor nextSyncToken")
        }
        return EventsPage(json: body, itemCount: items.count, nextPageToken: next, nextSyncToken: sync)
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
