import Foundation
import GoogleEmulator
import HTTPClient
import Metrics

/// An emulator on a free port with one account (`a@example.com`, refresh token `rt-a`, a
/// primary calendar in Europe/Berlin) and an access token for it, plus a libcurl client:
/// tests talk to it over real HTTP, as calworker will.
struct EmulatorFixture {
    static let email = "a@example.com"
    static let calendarPath = "calendars/a%40example.com"

    let emulator: GoogleEmulator
    let client = HTTPClient(service: "test", metrics: MetricsRegistry())
    let accessToken: String

    init(events: [[String: Any]] = [], options: EmulatorOptions = EmulatorOptions()) throws {
        emulator = try GoogleEmulator()
        emulator.options = options
        try emulator.seed([
            "accounts": [
                [
                    "email": Self.email, "refresh_token": "rt-a",
                    "calendars": [
                        [
                            "id": Self.email, "summary": "A", "primary": true, "accessRole": "owner",
                            "timeZone": "Europe/Berlin", "events": events,
                        ]
                    ],
                ]
            ]
        ])
        emulator.start()
        accessToken = try emulator.issueAccessToken(account: Self.email)
    }

    func stop() { emulator.stop() }

    /// A GET of the API with the account's bearer token (or `token`; "" sends none).
    func api(_ path: String, query: String? = nil, headers: [HTTPHeader] = [], token: String? = nil) throws -> HTTPResponse {
        try api("GET", path, query: query, headers: headers, token: token)
    }

    /// A request to the API with the account's bearer token (or `token`; "" sends none).
    func api(
        _ method: String, _ path: String, query: String? = nil, json: [String: Any]? = nil,
        headers: [HTTPHeader] = [], token: String? = nil
    ) throws -> HTTPResponse {
        var url = emulator.apiURL + "/" + path
        if let query { url += "?" + query }
        var all = headers
        let bearer = token ?? accessToken
        if !bearer.isEmpty { all.append(HTTPHeader("Authorization", "Bearer \(bearer)")) }
        var body: Data?
        if let json {
            body = try JSONSerialization.data(withJSONObject: json)
            all.append(HTTPHeader("Content-Type", "application/json"))
        }
        return try client.send(HTTPRequest(method: method, url: url, headers: all, body: body))
    }

    /// A request to the admin interface.
    func admin(_ method: String, _ path: String, json: [String: Any]? = nil) throws -> HTTPResponse {
        let body = try json.map { try JSONSerialization.data(withJSONObject: $0) }
        return try client.send(HTTPRequest(method: method, url: emulator.baseURL + "/admin/" + path, body: body))
    }

    /// A form POST to the token endpoint.
    func token(_ form: String) throws -> HTTPResponse {
        try client.send(
            HTTPRequest(
                method: "POST", url: emulator.tokenURL,
                headers: [HTTPHeader("Content-Type", "application/x-www-form-urlencoded")], body: Data(form.utf8)))
    }

    /// Every page of a list (events by default), following `nextPageToken`.
    func listAll(_ query: String = "", path: String = Self.calendarPath + "/events", limit: Int = 10_000) throws -> [[String: Any]] {
        var pages: [[String: Any]] = []
        var pageToken: String?
        while pages.count < limit {
            var parts = query.isEmpty ? [] : [query]
            if let pageToken { parts.append("pageToken=\(pageToken)") }
            let response = try api(path, query: parts.joined(separator: "&"))
            guard response.status == 200 else { throw FixtureError("list answered \(response.status): \(response.bodyExcerpt())") }
            let page = try Self.json(response)
            pages.append(page)
            guard let next = page["nextPageToken"] as? String else { return pages }
            pageToken = next
        }
        throw FixtureError("more than \(limit) pages")
    }

    static func items(_ pages: [[String: Any]]) -> [[String: Any]] {
        pages.flatMap { $0["items"] as? [[String: Any]] ?? [] }
    }

    static func ids(_ items: [[String: Any]]) -> [String] {
        items.compactMap { $0["id"] as? String }
    }

    static func json(_ response: HTTPResponse) throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: response.body) as? [String: Any] else {
            throw FixtureError("not a JSON object: \(response.bodyExcerpt())")
        }
        return object
    }

    /// `error.errors[0].reason` of a Google error body.
    static func reason(_ response: HTTPResponse) -> String? {
        let object = try? json(response)
        let errors = (object?["error"] as? [String: Any])?["errors"] as? [[String: Any]]
        return errors?.first?["reason"] as? String
    }

    static func timedEvent(id: String? = nil, summary: String = "Meeting", day: Int = 3, hour: Int = 9) -> [String: Any] {
        var event: [String: Any] = [
            "summary": summary,
            "start": ["dateTime": "2025-03-\(two(day))T\(two(hour)):00:00+01:00"],
            "end": ["dateTime": "2025-03-\(two(day))T\(two(hour)):30:00+01:00"],
        ]
        if let id { event["id"] = id }
        return event
    }
}

private func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }

struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
