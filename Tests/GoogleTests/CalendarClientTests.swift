import CalendarProviders
import Foundation
import Google
import GoogleEmulator
import HTTPClient
import Metrics
import RequestBudgets
import Testing

/// The writes the mirror executor will use, against the emulator: insert with a client id,
/// conditional patch (412 on a stale etag), delete, and Google's errors decoded.
@Suite struct CalendarClientTests {
    final class FixedToken: AccessTokenSource {
        let token: String
        init(_ token: String) { self.token = token }
        func accessToken() throws -> String { token }
        func refresh() throws -> String { token }
    }

    func makeClient() throws -> (GoogleEmulator, CalendarClient) {
        let emulator = try GoogleEmulator()
        emulator.start()
        emulator.addAccount(email: "ada@example.com", refreshToken: "rt")
        try emulator.addCalendar(account: "ada@example.com", id: "ada@example.com", primary: true)
        let token = try emulator.issueAccessToken(account: "ada@example.com")
        let client = CalendarClient(
            apiURL: emulator.apiURL, http: HTTPClient(service: "google", metrics: MetricsRegistry()),
            tokens: FixedToken(token), budget: RequestBudget(perMinute: 6000))
        client.baseDelay = .milliseconds(10)
        return (emulator, client)
    }

    @Test func insertPatchWithIfMatchAndDelete() throws {
        let (emulator, client) = try makeClient()
        defer { emulator.stop() }
        let event: [String: Any] = [
            "id": "mirror0001abc", "summary": "Busy",
            "start": ["dateTime": "2026-11-23T09:00:00Z"], "end": ["dateTime": "2026-11-23T10:00:00Z"],
            "extendedProperties": ["private": ["calworkerMirror": "1"]],
        ]
        let inserted = try client.insert(calendarID: "ada@example.com", event: event)
        let etag = try #require(inserted["etag"] as? String)
        // The same id again: 409 duplicate, decoded.
        #expect { try client.insert(calendarID: "ada@example.com", event: event) } throws: { error in
            guard case CalendarClientError.api(let api) = error else { return false }
            return api.status == 409 && api.reason == "duplicate"
        }
        let patched = try client.patch(calendarID: "ada@example.com", eventID: "mirror0001abc", changes: ["summary": "Busy (2)"], ifMatch: etag)
        #expect(patched["summary"] as? String == "Busy (2)")
        // The old etag is stale now: 412, not a silent overwrite.
        #expect { try client.patch(calendarID: "ada@example.com", eventID: "mirror0001abc", changes: ["summary": "x"], ifMatch: etag) } throws: {
            error in
            guard case CalendarClientError.api(let api) = error else { return false }
            return api.status == 412 && api.reason == "conditionNotMet"
        }
        try client.delete(calendarID: "ada@example.com", eventID: "mirror0001abc", ifMatch: patched["etag"] as? String)
        #expect(try client.event(calendarID: "ada@example.com", eventID: "mirror0001abc")["status"] as? String == "cancelled")
        #expect(client.calls["events.insert 200"] == 1 && client.calls["events.insert 409"] == 1 && client.calls["events.patch 412"] == 1)
    }

    @Test func retryableErrorsAreRetriedAndTheRestAreNot() throws {
        let (emulator, client) = try makeClient()
        defer { emulator.stop() }
        emulator.failNext(.serverError, count: 2)
        _ = try client.calendarList(pageToken: nil, syncToken: nil)
        #expect(client.backoffs == 2)
        emulator.failNext(.serverError, count: 10)
        #expect(throws: CalendarClientError.self) { _ = try client.calendarList(pageToken: nil, syncToken: nil) }
        emulator.clearFaults()
        #expect { _ = try client.event(calendarID: "ada@example.com", eventID: "nosuchevent1") } throws: { error in
            guard case CalendarClientError.api(let api) = error else { return false }
            return api.status == 404
        }
        #expect(client.calls["events.get 404"] == 1, "a 404 is not retried")
    }
}
