import Basics
import CalendarProviders
import Foundation
import HTTPClient
import RequestBudgets
import Testing

@testable import Google

@Suite struct EventsPageTests {
    func parse(_ text: String) throws -> EventsPage { try EventsPage.parse(Data(text.utf8)) }

    @Test func findsTheTopLevelTokensOnly() throws {
        let page = try parse(
            #"""
            {"kind": "calendar#events", "items": [
              {"id": "a", "extendedProperties": {"private": {"nextPageToken": "evil", "nextSyncToken": "evil"}}},
              {"id": "b", "summary": "quote \" and \\ and \"nextPageToken\": \"evil\" inside a string"}
            ], "nextPageToken": "page-2"}
            """#)
        #expect(page.nextPageToken == "page-2")
        #expect(page.nextSyncToken == nil)
    }

    @Test func theLastPageHasTheSyncToken() throws {
        let page = try parse(#"{"nextSyncToken": "sync-9", "items": []}"#)
        #expect(page.nextSyncToken == "sync-9" && page.nextPageToken == nil)
    }

    @Test(arguments: ["", "[]", "not json", #"{"items": []"#, #"{"items": []}"#, #"{"items": [}]"#, #""nextPageToken""#])
    func malformedOrTokenlessPagesAreRefused(body: String) {
        #expect(throws: CalendarClientError.self) { try parse(body) }
    }

    @Test func decodesGoogleErrorBodies() {
        let body =
            #"{"error": {"code": 403, "message": "Rate Limit Exceeded", "errors": [{"domain": "usageLimits", "reason": "rateLimitExceeded", "message": "Rate Limit Exceeded"}]}}"#
        let error = GoogleAPIError.decode(.init(status: 403, headers: [.init("Retry-After", "7")], body: Data(body.utf8)), method: "events.list")
        #expect(error.reason == "rateLimitExceeded" && error.domain == "usageLimits" && error.retryAfter == 7)
        #expect(error.isRetryable && error.isRateLimit && !error.isQuotaExceeded)
        let quota = GoogleAPIError(status: 403, reason: "quotaExceeded", message: "m", method: "events.list")
        #expect(quota.isQuotaExceeded && !quota.isRetryable)
        let gone = GoogleAPIError(status: 410, reason: "fullSyncRequired", message: "m", method: "events.list")
        #expect(gone.isFullSyncRequired && !gone.isRetryable)
        let garbage = GoogleAPIError.decode(.init(status: 502, body: Data("<html>bad gateway</html>".utf8)), method: "events.list")
        #expect(garbage.isRetryable && garbage.message.contains("bad gateway"))
    }

    @Test func theBudgetSpacesRequestsOutAfterTheBurst() {
        let budget = RequestBudget(perMinute: 600)  // 10/s, burst 60
        for _ in 0..<60 { #expect(budget.acquire(shouldAbort: { false }) == .granted) }
        #expect(budget.waited == .zero, "the burst goes through without waiting")
        for _ in 0..<5 { #expect(budget.acquire(shouldAbort: { false }) == .granted) }
        #expect(budget.waited > .zero, "past the burst, requests wait for the budget")
        let empty = RequestBudget(perMinute: 1)
        _ = empty.acquire(shouldAbort: { false })
        #expect(empty.acquire(shouldAbort: { true }) == .stopped, "a stopped job does not wait out the budget")
    }

    @Test func aBudgetFurtherOffThanAnAttemptSleepsSaysLaterInsteadOfSleeping() {
        let slow = RequestBudget(perMinute: 1)  // the next request's worth a minute after the first
        #expect(slow.acquire(shouldAbort: { false }) == .granted)
        let started = ContinuousClock.now
        guard case .later(let wait) = slow.acquire(shouldAbort: { false }) else {
            Issue.record("expected .later")
            return
        }
        #expect(wait > .seconds(50) && wait <= .seconds(60))
        #expect(ContinuousClock.now - started < .seconds(1), "nothing was slept")
    }

    @Test func aPausedBudgetGrantsNothingUntilThePauseEnds() {
        let budget = RequestBudget(perMinute: 600)
        #expect(budget.acquire(shouldAbort: { false }) == .granted)
        budget.pause(for: .seconds(3600))
        guard case .later(let wait) = budget.acquire(shouldAbort: { false }) else {
            Issue.record("expected .later after a pause")
            return
        }
        #expect(wait > .seconds(3590) && wait <= .seconds(3601))
        // Inside an attempt whose deadline is near, even a short wait is not slept past it.
        let short = RequestBudget(perMinute: 60)  // a request's worth each second after the burst
        for _ in 0..<6 { _ = short.acquire(shouldAbort: { false }) }
        AttemptWaits.$deadline.withValue(ContinuousClock.now + .milliseconds(500)) {
            let started = ContinuousClock.now
            #expect(short.acquire(shouldAbort: { false }) == .granted, "a wait too close to the deadline is not a snooze")
            #expect(ContinuousClock.now - started < .seconds(2))
        }
    }
}
