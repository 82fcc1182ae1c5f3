import CalendarProviders
import Foundation
import HTTPClient
import HTTPServer
import Metrics
import RequestBudgets
import Testing

@testable import Google

/// Google's answers are checked against the discovery document's shapes before anything acts
/// on them: a malformed page is an error the sync retries, never data.
@Suite struct AnswerShapeTests {
    static let entry = #"{"id": "ada@example.com", "summary": "Ada", "timeZone": "Europe/Berlin", "accessRole": "owner", "primary": true}"#

    @Test func aWellFormedCalendarListPageParses() throws {
        let page = try CalendarListPage.parse(Data(#"{"kind": "calendar#calendarList", "items": [\#(Self.entry)], "nextSyncToken": "s1"}"#.utf8))
        #expect(page.entries.map(\.id) == ["ada@example.com"])
        #expect(page.entries[0].primary && !page.entries[0].deleted && page.entries[0].accessRole == "owner")
        #expect(page.nextSyncToken == "s1" && page.nextPageToken == nil)
    }

    @Test(arguments: [
        #"{"items": "x", "nextSyncToken": "s"}"#,
        #"{"nextSyncToken": "s"}"#,
        #"{"items": null, "nextSyncToken": "s"}"#,
        #"{"items": ["x"], "nextSyncToken": "s"}"#,
        #"{"items": [{"summary": "no id"}], "nextSyncToken": "s"}"#,
        #"{"items": [{"id": 7}], "nextSyncToken": "s"}"#,
        #"{"items": [{"id": "a", "accessRole": "emperor"}], "nextSyncToken": "s"}"#,
        #"{"items": [{"id": "a", "deleted": 1}], "nextSyncToken": "s"}"#,
        #"{"items": [{"id": "a", "summary": ["list"]}], "nextSyncToken": "s"}"#,
        #"{"items": []}"#,
        #"{"items": [], "nextPageToken": "p", "nextSyncToken": "s"}"#,
        #"{"items": [], "nextSyncToken": 5}"#,
        #"[]"#, "garbage", "",
    ])
    func malformedCalendarListPagesAreErrors(body: String) {
        #expect(throws: CalendarClientError.self) { try CalendarListPage.parse(Data(body.utf8)) }
    }

    @Test(arguments: [
        #"{"nextSyncToken": "s"}"#, #"{"items": "x", "nextSyncToken": "s"}"#, #"{"items": null, "nextSyncToken": "s"}"#,
        #"{"items": 5, "nextPageToken": "p"}"#, #"{"items": {"id": "a"}, "nextSyncToken": "s"}"#,
    ])
    func anEventsPageWithoutAnItemsArrayIsRefused(body: String) {
        // Stored, it would have ended a full sync seeing no events, and tombstoned them all.
        #expect(throws: CalendarClientError.self) { try EventsPage.parse(Data(body.utf8)) }
    }

    @Test(arguments: [(1e15, 86_400.0), (-5.0, 60.0), (3599.0, 3599.0), (Double.infinity, 3600.0)])
    func tokenLifetimesAreHeldToAMinuteToADay(expiresIn: Double, seconds: Double) {
        #expect(OAuthClient.lifetime(NSNumber(value: expiresIn)) == seconds)
        #expect(OAuthClient.lifetime("1000000000000000") == 86_400)
        #expect(OAuthClient.lifetime("soon") == 3600)
        #expect(OAuthClient.lifetime(nil) == 3600)
    }

    @Test func aTokenEndpointEchoingTheRequestLeavesNoSecretInTheError() throws {
        let refreshToken = "1//0refresh-echoed-\(UUID().uuidString)"
        let clientSecret = "GOCSPX-echoed-\(UUID().uuidString)"
        let server = try HTTPServer(address: "127.0.0.1:0") { request in
            let echo = String(decoding: request.body, as: UTF8.self)
            let body = try! JSONSerialization.data(withJSONObject: ["error": "invalid_request", "error_description": "could not parse: \(echo)"])
            return HTTPServerResponse(status: 400, contentType: "application/json", bytes: Array(body))
        }
        server.start()
        defer { server.stop() }
        let client = OAuthClient(
            tokenURL: "http://127.0.0.1:\(server.port)/token", clientID: "client", clientSecret: clientSecret,
            http: HTTPClient(service: "test", metrics: MetricsRegistry()))
        let error = try #require(throws: OAuthError.self) { try client.refresh(refreshToken) }
        // Neither value was registered anywhere: the patterns alone take them out.
        for secret in [refreshToken, clientSecret, "echoed"] { #expect(!error.message.contains(secret), "\(error.message)") }
        #expect(error.message.contains("could not parse"))
    }

    @Test func anAPIErrorQuotingTheAuthorizationHeaderLeavesNoToken() {
        let token = "ya29.a0-quoted-\(UUID().uuidString)"
        let body =
            #"{"error": {"code": 401, "message": "Invalid Credentials for header Authorization: Bearer \#(token)", "errors": [{"reason": "authError"}]}}"#
        let error = GoogleAPIError.decode(HTTPResponse(status: 401, body: Data(body.utf8)), method: "events.list")
        #expect(!error.description.contains(token) && !error.description.contains("quoted"))
        #expect(error.description.contains("Invalid Credentials"))
    }
}
