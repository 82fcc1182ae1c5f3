import Foundation
import HTTPClient
import HTTPServer
import Metrics
import Notify
import Postgres
import TestSupport
import Testing
import Worker

/// Webhook receivers answering `Retry-After`: a long wait is not slept inside the notify job;
/// the message is tried again after it, and other messages go on.
@Suite struct WebhookRetryAfterTests {
    let sender = WebhookSender(http: HTTPClient(service: "webhook", metrics: MetricsRegistry()), secret: "whsec-test-91")

    @Test(arguments: HostileRetryAfter.long)
    func aLongWaitEndsTheSendWithTheWait(value: String) throws {
        let server = try ScriptedServer(always: ScriptedServer.busy(retryAfter: value))
        let started = ContinuousClock.now
        let failure = try #require(throws: WebhookSender.Failure.self) {
            try sender.send(to: server.url + "/hooks", body: Data("{}".utf8), deliveryID: "calworker.n1")
        }
        #expect(failure.retryable && failure.requestedWait == HostileRetryAfter.cap)
        #expect(server.requests == 1 && ContinuousClock.now - started < .seconds(2))
    }

    @Test(arguments: HostileRetryAfter.short)
    func aShortOrUnusableWaitIsRetriedWithinTheJob(value: String) throws {
        let server = try ScriptedServer([ScriptedServer.busy(retryAfter: value), HTTPServerResponse(status: 204, body: "")])
        try sender.send(to: server.url + "/hooks", body: Data("{}".utf8), deliveryID: "calworker.n1")
        #expect(server.requests == 2)
    }

    @Test func theReminderWaitsAsLongAsTheReceiverAskedAndTheJobDoesNot() throws {
        let fixture = try NotifyFixture(now: utc("2026-12-01T08:35:00Z"))
        let server = try ScriptedServer(always: ScriptedServer.busy(retryAfter: "9223372036854775807"))
        try fixture.event("shift001", start: "2026-12-01T09:00:00Z", summary: "Night shift")
        try fixture.settings("channel = 'webhook', webhook_url = '\(server.url)/hooks/reminders'")
        let started = ContinuousClock.now
        let figures = try fixture.reminders()
        #expect(figures["failed"] == 1 && figures["sent"] == 0, "\(figures.json)")
        #expect(ContinuousClock.now - started < .seconds(5), "the job did not sleep the hour")
        #expect(server.requests == 1)
        let until: Date = try fixture.db.query("SELECT claimed_until FROM calworker.notifications WHERE channel = 'webhook'")[0].decode(at: 0)
        #expect(until > Date().addingTimeInterval(3500) && until < Date().addingTimeInterval(3700), "tried again in an hour: \(until)")
        #expect(try fixture.reminders()["sent"] == 0 && server.requests == 1, "not asked again before then")
    }
}
