import Basics
import Foundation
import HTTPClient
import HTTPServer
import Metrics
import TestSupport
import Testing

/// A server's `Retry-After` inside a job's attempt: a long one is not slept (the job snoozes),
/// a short or unusable one is a short backoff, and nothing is slept past the attempt's deadline.
@Suite struct RetryAfterTests {
    let client = HTTPClient(service: "test", metrics: MetricsRegistry())
    let policy = HTTPRetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(20), maxDelay: .milliseconds(100))

    @Test(arguments: HostileRetryAfter.long)
    func aLongWaitEndsTheSendAtOnceWithTheWait(value: String) throws {
        let server = try ScriptedServer(always: ScriptedServer.busy(retryAfter: value))
        let started = ContinuousClock.now
        let error = try #require(throws: HTTPError.self) { try client.send(HTTPRequest(url: server.url + "/x"), retry: policy) }
        #expect(ContinuousClock.now - started < .seconds(2), "nothing was slept")
        #expect(error.kind == .retryLater && error.isRetryable)
        #expect(error.requestedWait == HostileRetryAfter.cap, "an hour at most, whatever was asked")
        #expect(server.requests == 1, "asked once, not again within the attempt")
        #expect(error.message.contains("HTTP 503") && error.message.contains("3600 s"), "\(error.message)")
    }

    @Test(arguments: HostileRetryAfter.short)
    func anUnusableOrShortWaitIsAShortBackoffWithinTheAttempt(value: String) throws {
        let server = try ScriptedServer([ScriptedServer.busy(retryAfter: value), HTTPServerResponse(status: 200, body: "ok")])
        let started = ContinuousClock.now
        let response = try client.send(HTTPRequest(url: server.url + "/x"), retry: policy)
        #expect(response.status == 200 && server.requests == 2)
        #expect(ContinuousClock.now - started < .seconds(2))
    }

    @Test(arguments: HostileRetryAfter.short)
    func aServerBusyForeverEndsTheSendAfterItsAttempts(value: String) throws {
        let server = try ScriptedServer(always: ScriptedServer.busy(retryAfter: value))
        let response = try client.send(HTTPRequest(url: server.url + "/x"), retry: policy)
        #expect(response.status == 503 && server.requests == 3, "the last answer, after three attempts, is the caller's")
    }

    @Test func aWaitThatWouldPassTheAttemptsDeadlineIsNotSlept() throws {
        let server = try ScriptedServer(always: ScriptedServer.busy(retryAfter: "3"))
        let started = ContinuousClock.now
        let response = try AttemptWaits.$deadline.withValue(started + .seconds(4)) {
            try client.send(HTTPRequest(url: server.url + "/x"), retry: policy)
        }
        #expect(response.status == 503 && server.requests == 1, "the attempt's deadline comes before the wait ends")
        #expect(ContinuousClock.now - started < .seconds(2))
    }

    @Test func aRetryAfterIsTheLeastWaitNeverLessThanTheBackoff() {
        let policy = HTTPRetryPolicy(maxAttempts: 3, baseDelay: .seconds(1), maxDelay: .seconds(1))
        #expect(policy.delay(afterAttempt: 1, retryAfter: "0") >= .milliseconds(500), "Retry-After: 0 does not make a retry loop")
        #expect(policy.delay(afterAttempt: 1, retryAfter: "120") == .seconds(120))
        #expect(policy.delay(afterAttempt: 1, retryAfter: "-5") <= .seconds(1), "a negative value is not a wait")
    }
}
