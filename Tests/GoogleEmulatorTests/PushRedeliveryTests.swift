import Foundation
import GoogleEmulator
import HTTPServer
import Testing

/// Redelivery as Google does it: 500, 502, 503, 504 and no answer are retried with
/// exponential backoff; any other failure is final.
@Suite struct PushRedeliveryTests {
    static func options(retryBaseMillis: Int, maxAttempts: Int = 8) -> EmulatorOptions {
        var options = EmulatorOptions()
        options.pushRetryBaseMillis = retryBaseMillis
        options.pushMaxAttempts = maxAttempts
        return options
    }

    @Test func a503IsRedeliveredWithBackoffUntilItSucceeds() throws {
        let fixture = try EmulatorFixture(options: Self.options(retryBaseMillis: 100))
        defer { fixture.stop() }
        let receiver = try PushReceiver(answers: [503, 503])
        defer { receiver.stop() }
        _ = try fixture.watchChannel(id: "retried", address: receiver.address)
        #expect(receiver.waitFor(3))
        #expect(fixture.settled())
        let messages = receiver.messages
        #expect(messages.count == 3)
        #expect(messages.map(\.number) == [1, 1, 1])
        #expect(messages.map(\.state) == ["sync", "sync", "sync"])
        // Lower bounds only: the first retry after 100 ms, the second after 200 ms more.
        #expect(messages[1].arrived - messages[0].arrived >= .milliseconds(100))
        #expect(messages[2].arrived - messages[1].arrived >= .milliseconds(200))
        let channel = try #require(fixture.channel("retried"))
        #expect(channel.messagesDelivered == 1)
        #expect(channel.failedAttempts == 2)
        #expect(channel.messagesFailed == 0)

        // The next message gets the next number.
        try fixture.emulator.createEvent(calendarID: EmulatorFixture.email, EmulatorFixture.timedEvent())
        #expect(receiver.waitFor(4))
        #expect(receiver.messages.last?.number == 2)
    }

    @Test(arguments: [500, 502, 504])
    func otherServerErrorsAreRetriedToo(status: Int) throws {
        let fixture = try EmulatorFixture(options: Self.options(retryBaseMillis: 10))
        defer { fixture.stop() }
        let receiver = try PushReceiver(answers: [status])
        defer { receiver.stop() }
        _ = try fixture.watchChannel(id: "retried-\(status)", address: receiver.address)
        #expect(receiver.waitFor(2))
        #expect(fixture.settled())
        #expect(fixture.channel("retried-\(status)")?.messagesDelivered == 1)
    }

    @Test func aMessageIsGivenUpAfterMaxAttempts() throws {
        let fixture = try EmulatorFixture(options: Self.options(retryBaseMillis: 10, maxAttempts: 3))
        defer { fixture.stop() }
        let receiver = try PushReceiver(otherwise: 500)
        defer { receiver.stop() }
        _ = try fixture.watchChannel(id: "hopeless", address: receiver.address)
        #expect(receiver.waitFor(3))
        #expect(fixture.settled())
        #expect(receiver.messages.count == 3)
        let channel = try #require(fixture.channel("hopeless"))
        #expect(channel.failedAttempts == 3)
        #expect(channel.messagesFailed == 1)
        #expect(channel.messagesDelivered == 0)
        #expect(channel.state == .live)
    }

    @Test func a400IsAFailedMessageThatIsNotRetried() throws {
        let fixture = try EmulatorFixture(options: Self.options(retryBaseMillis: 10))
        defer { fixture.stop() }
        let receiver = try PushReceiver(otherwise: 400)
        defer { receiver.stop() }
        _ = try fixture.watchChannel(id: "refused", address: receiver.address)
        #expect(receiver.waitFor(1))
        try fixture.emulator.createEvent(calendarID: EmulatorFixture.email, EmulatorFixture.timedEvent())
        #expect(receiver.waitFor(2))
        #expect(fixture.settled())
        #expect(receiver.messages.map(\.number) == [1, 2])
        let channel = try #require(fixture.channel("refused"))
        #expect(channel.failedAttempts == 2)
        #expect(channel.messagesFailed == 2)
    }

    @Test func anUnreachableReceiverIsRetried() throws {
        let fixture = try EmulatorFixture(options: Self.options(retryBaseMillis: 10, maxAttempts: 2))
        defer { fixture.stop() }
        // Nothing listens on the discard port: the connection is refused at once.
        _ = try fixture.watchChannel(id: "unreachable", address: "http://127.0.0.1:9/notifications")
        #expect(fixture.settled())
        let channel = try #require(fixture.channel("unreachable"))
        #expect(channel.failedAttempts == 2)
        #expect(channel.messagesFailed == 1)
    }
}
