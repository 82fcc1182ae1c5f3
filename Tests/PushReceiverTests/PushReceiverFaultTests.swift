import CalendarSync
import Foundation
import HTTPServer
import Jobs
import Logging
import Metrics
import Postgres
import Push
import PushReceiver
import TestSupport
import Testing

/// The receiver when its database fails it: an answer within the connect limit, 503 so Google
/// sends the notification again, and nothing pretended.
struct PushReceiverFaultTests {
    @Test func aDatabaseThatNeverAnswersGetsA503WithinTheConnectLimitNeverA200() throws {
        let silent = try SilentServer()
        defer { silent.stop() }
        let metrics = MetricsRegistry()
        let receiver = PushReceiver(
            path: "/push/google",
            pool: ConnectionPool(
                url: silent.conninfo, size: 2,
                timeouts: PostgresTimeouts(connect: .seconds(2), statement: .seconds(2), lock: .seconds(1))),
            coalesceDelay: .milliseconds(300), metrics: metrics,
            logger: Logger(level: .error, handler: InMemoryLogHandler()))
        let started = ContinuousClock.now
        let response = receiver.respond(to: PushFixture.notification(channel: "ch-1", number: 1))
        #expect(response.status == 503 && response.headers.contains { $0.name == "Retry-After" })
        #expect(ContinuousClock.now - started < .seconds(30), "bounded by the connect limit, not hung")
        #expect(ExpositionSamples(metrics.render()).value("calworker_push_notifications_total", ["state": "exists", "outcome": "failed"]) == 1)
    }

    /// After a restart of PostgreSQL the pooled sessions are dead and the client does not
    /// know: the receiver answered 503 to the next four notifications while the database was up.
    @Test func notificationsAfterTheDatabaseRestartedAreRecorded() throws {
        let fixture = try PushFixture()
        try fixture.channel("ch-1")
        concurrently(4) { index in _ = fixture.receiver.respond(to: PushFixture.notification(channel: "ch-1", number: index + 1)) }
        try fixture.database.terminateSessions(keeping: fixture.db)
        for number in 10...13 {
            let response = fixture.receiver.respond(to: PushFixture.notification(channel: "ch-1", number: number))
            #expect(response.status == 200, "notification \(number): \(String(decoding: response.body, as: UTF8.self))")
        }
    }

    @Test(arguments: [
        ("https://calendar.example.com/push/google", "/push/google"),
        ("https://calendar.example.com", "/"),
        ("https://calendar.example.com/hooks/google?x=1", "/hooks/google"),
        ("https://calendar.example.com/push/google/", "/push/google/"),
        ("https://calendar.example.com/push/g%C3%BCl/", "/push/g%C3%BCl/"),
    ])
    func theReceiverAnswersOnThePathOfItsPublicURL(_ url: String, _ path: String) {
        #expect(PushSettings(address: url).receiverPath == path)
    }
}
