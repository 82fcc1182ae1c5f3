import CalendarProviders
import Foundation
import Google
import GoogleEmulator
import HTTPClient
import Metrics
import RequestBudgets
import Testing

/// `events.watch`, `calendarList.watch` and `channels.stop` through the client, against the
/// emulator; and watch answers that do not fit Google's `Channel` shape refused.
@Suite struct ChannelCallsTests {
    let fixture = CalendarClientTests()

    @Test func watchGrantsAChannelWithItsResourceAndExpirationAndStopEndsIt() throws {
        let (emulator, client) = try fixture.makeClient()
        defer { emulator.stop() }
        let asked = Date().addingTimeInterval(30 * 86_400)
        // An address nobody listens on: the emulator's deliveries fail, the calls do not care.
        let request = ChannelRequest(id: "cw0123456789", token: "tok-1", address: "http://127.0.0.1:9/push", expiration: asked)
        let events = try client.watchEvents(calendarID: "ada@example.com", request)
        #expect(events.id == "cw0123456789" && !events.resourceID.isEmpty)
        let granted = try #require(events.expiration)
        #expect(granted < asked && granted > Date().addingTimeInterval(6 * 86_400), "Google grants its maximum, a week, not the month asked")
        let list = try client.watchCalendarList(ChannelRequest(id: "cw-list-1", token: "tok-2", address: "http://127.0.0.1:9/push", expiration: nil))
        #expect(list.resourceID != events.resourceID)
        try client.stopChannel(id: events.id, resourceID: events.resourceID)
        #expect(emulator.channels().first { $0.id == events.id }?.state == .stopped)
        try client.stopChannel(id: events.id, resourceID: events.resourceID)  // already gone: 404, taken as stopped
        #expect(client.calls["channels.stop 404"] == 1)
    }

    @Test(
        arguments: [
            ("another channel's id", ["id": "cw-other", "resourceId": "r1", "expiration": "1900000000000"]),
            ("no resource id", ["id": "cw-1", "expiration": "1900000000000"]),
            ("a resource id with spaces", ["id": "cw-1", "resourceId": "r 1", "expiration": "1900000000000"]),
            ("an expiration that is not milliseconds", ["id": "cw-1", "resourceId": "r1", "expiration": "next week"]),
            ("a negative expiration", ["id": "cw-1", "resourceId": "r1", "expiration": -5]),
            ("an absurd expiration", ["id": "cw-1", "resourceId": "r1", "expiration": "99999999999999999999"]),
        ] as [(String, [String: any Sendable])])
    func aWatchAnswerOutOfShapeIsRefused(_ what: String, _ answer: [String: any Sendable]) throws {
        #expect(throws: CalendarClientError.self, "\(what)") {
            try WatchedChannelShape.parse(answer.mapValues { $0 as Any }, requested: "cw-1")
        }
    }

    @Test func aWellFormedAnswerIsRead() throws {
        let channel = try WatchedChannelShape.parse(
            ["kind": "api#channel", "id": "cw-1", "resourceId": "r1", "expiration": "1900000000000"],
            requested: "cw-1")
        #expect(channel.resourceID == "r1" && channel.expiration == Date(timeIntervalSince1970: 1_900_000_000))
    }
}
