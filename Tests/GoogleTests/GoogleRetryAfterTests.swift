import Basics
import CalendarProviders
import Foundation
import Google
import HTTPClient
import HTTPServer
import Metrics
import RequestBudgets
import TestSupport
import Testing

/// Google's token endpoint and Calendar API answering `Retry-After`: a long wait is not slept
/// (the call ends with it, and the account's budget is paused), a short or unusable one is the
/// client's own backoff within the attempt.
@Suite struct GoogleRetryAfterTests {
    final class FixedToken: AccessTokenSource {
        func accessToken() throws -> String { "ya29.fixed" }
        func refresh() throws -> String { "ya29.fixed" }
    }

    static func oauth(_ server: ScriptedServer) -> OAuthClient {
        OAuthClient(
            tokenURL: server.url + "/token", clientID: "client", clientSecret: "secret",
            http: HTTPClient(service: "google_oauth", metrics: MetricsRegistry()))
    }

    static func calendar(_ server: ScriptedServer, budget: RequestBudget = RequestBudget(perMinute: 6000)) -> CalendarClient {
        let client = CalendarClient(
            apiURL: server.url + "/calendar/v3", http: HTTPClient(service: "google", metrics: MetricsRegistry()), tokens: FixedToken(),
            budget: budget)
        client.maxAttempts = 3
        client.baseDelay = .milliseconds(20)
        return client
    }

    @Test(arguments: HostileRetryAfter.long)
    func theTokenEndpointsLongWaitEndsTheRefreshAtOnce(value: String) throws {
        let server = try ScriptedServer(always: ScriptedServer.busy(retryAfter: value))
        let started = ContinuousClock.now
        let error = try #require(throws: HTTPError.self) { try Self.oauth(server).refresh("1//rt") }
        #expect(error.kind == .retryLater && error.requestedWait == HostileRetryAfter.cap)
        #expect(server.requests == 1 && ContinuousClock.now - started < .seconds(2))
    }

    @Test(arguments: HostileRetryAfter.short)
    func theTokenEndpointsShortWaitIsRetried(value: String) throws {
        let server = try ScriptedServer([
            ScriptedServer.busy(retryAfter: value),
            HTTPServerResponse(status: 200, contentType: "application/json", body: #"{"access_token": "ya29.new", "expires_in": 3600}"#),
        ])
        #expect(try Self.oauth(server).refresh("1//rt").accessToken == "ya29.new")
        #expect(server.requests == 2)
    }

    @Test(arguments: HostileRetryAfter.long, [429, 503])
    func theAPIsLongWaitEndsTheCallAndPausesTheAccountsBudget(value: String, status: Int) throws {
        let server = try ScriptedServer(always: ScriptedServer.busy(retryAfter: value, status: status))
        let budget = RequestBudget(perMinute: 6000)
        let client = Self.calendar(server, budget: budget)
        let started = ContinuousClock.now
        let error = try #require(throws: CalendarClientError.self) { _ = try client.event(calendarID: "primary", eventID: "e1") }
        guard case .retryLater(let message, let after) = error else {
            Issue.record("expected retryLater, got \(error)")
            return
        }
        #expect(after == HostileRetryAfter.cap && error.requestedWait == HostileRetryAfter.cap && message.contains("HTTP \(status)"))
        #expect(server.requests == 1 && ContinuousClock.now - started < .seconds(2))
        // The next call of the same account does not go out before the wait is over.
        let next = try #require(throws: CalendarClientError.self) { _ = try client.event(calendarID: "primary", eventID: "e2") }
        #expect(next.requestedWait.map { $0 > .seconds(3500) } == true, "\(next)")
        #expect(server.requests == 1, "the paused budget sent nothing")
    }

    @Test(arguments: HostileRetryAfter.short)
    func theAPIsShortWaitIsTheBackoffAndTheLastAnswerStands(value: String) throws {
        let server = try ScriptedServer(always: ScriptedServer.busy(retryAfter: value))
        let started = ContinuousClock.now
        let error = try #require(throws: CalendarClientError.self) { _ = try Self.calendar(server).event(calendarID: "primary", eventID: "e1") }
        guard case .api(let api) = error else {
            Issue.record("expected the API's error after the attempts, got \(error)")
            return
        }
        #expect(api.status == 503 && error.requestedWait == nil)
        #expect(server.requests == 3 && ContinuousClock.now - started < .seconds(3))
    }
}
