import Foundation
import GoogleEmulator
import HTTPClient
import Testing

/// `events.watch`, `calendarList.watch`: the channel answered, and what is refused.
@Suite struct PushWatchTests {
    /// Nothing listens there (the discard port): deliveries fail at once, without DNS.
    static let address = "https://127.0.0.1:9/notifications"

    @Test func watchAnswersAChannelWithAStableResourceID() throws {
        let fixture = try EmulatorFixture()
        defer { fixture.stop() }
        let before = EmulatorFixture.nowMillis
        let channel = try fixture.watchChannel(id: "chan-1", address: Self.address, token: "target=sync")
        #expect(channel["kind"] as? String == "api#channel")
        #expect(channel["id"] as? String == "chan-1")
        #expect(channel["token"] as? String == "target=sync")
        #expect(channel["resourceUri"] as? String == fixture.emulator.apiURL + "/calendars/a%40example.com/events?alt=json")
        let resourceID = try #require(channel["resourceId"] as? String)
        #expect(!resourceID.isEmpty && !resourceID.contains("example"))
        let expiration = try #require(channel["expiration"] as? String)
        #expect(expiration.allSatisfy { $0.isNumber })
        let week: Int64 = 604_800_000
        let millis = try #require(Int64(expiration))
        #expect((before + week...EmulatorFixture.nowMillis + week).contains(millis))

        // The same calendar (reached as "primary") has the same resource id; the list another.
        let again = try fixture.watchChannel(id: "chan-2", address: Self.address, path: "calendars/primary/events/watch")
        #expect(again["resourceId"] as? String == resourceID)
        #expect(again["token"] == nil)
        let list = try fixture.watchChannel(id: "chan-3", address: Self.address, path: "users/me/calendarList/watch")
        #expect(list["resourceUri"] as? String == fixture.emulator.apiURL + "/users/me/calendarList?alt=json")
        #expect(list["resourceId"] as? String != resourceID)
        let listAgain = try fixture.watchChannel(id: "chan-4", address: Self.address, path: "users/me/calendarList/watch")
        #expect(listAgain["resourceId"] as? String == list["resourceId"] as? String)

        let infos = fixture.emulator.channels()
        #expect(infos.map(\.id) == ["chan-1", "chan-2", "chan-3", "chan-4"])
        #expect(infos[0].resource == .events(calendarID: EmulatorFixture.email))
        #expect(infos[2].resource == .calendarList)
        #expect(infos.allSatisfy { $0.account == EmulatorFixture.email && $0.state == .live && $0.address == Self.address })
    }

    @Test func expirationIsWhatWasAskedButNeverPastTheChannelLifetime() throws {
        var options = EmulatorOptions()
        options.channelLifetimeSeconds = 3600
        let fixture = try EmulatorFixture(options: options)
        defer { fixture.stop() }
        func granted(_ id: String, _ extra: [String: Any]) throws -> Int64 {
            let channel = try fixture.watchChannel(id: id, address: Self.address, extra: extra)
            return try #require((channel["expiration"] as? String).flatMap { Int64($0) })
        }
        let now = EmulatorFixture.nowMillis
        let capped = try granted("too-long", ["expiration": now + 7_200_000])
        #expect((now + 3_600_000...EmulatorFixture.nowMillis + 3_600_000).contains(capped))
        let asked = now + 600_000
        #expect(try granted("as-string", ["expiration": String(asked)]) == asked)
        let byTTL = try granted("ttl", ["params": ["ttl": "60"]])
        #expect((now + 60_000...EmulatorFixture.nowMillis + 60_000).contains(byTTL))
        let unset = try granted("unset", [:])
        #expect((now + 3_600_000...EmulatorFixture.nowMillis + 3_600_000).contains(unset))
        #expect(try fixture.watch(id: "past", address: Self.address, extra: ["expiration": now - 1000]).status == 400)
        #expect(try fixture.watch(id: "garbage", address: Self.address, extra: ["expiration": "soon"]).status == 400)
    }

    @Test func badWatchRequestsAre400() throws {
        let fixture = try EmulatorFixture()
        defer { fixture.stop() }
        _ = try fixture.watchChannel(id: "taken", address: Self.address)
        let duplicate = try fixture.watch(id: "taken", address: Self.address)
        #expect(duplicate.status == 400)
        #expect(EmulatorFixture.reason(duplicate) == "channelIdNotUnique")
        // Unique among all live channels, not per resource.
        #expect(
            EmulatorFixture.reason(try fixture.watch(id: "taken", address: Self.address, path: "users/me/calendarList/watch"))
                == "channelIdNotUnique")

        for type in ["email", "web-hook", ""] {
            let response = try fixture.watch(id: "typed", address: Self.address, extra: ["type": type])
            #expect(response.status == 400 && EmulatorFixture.reason(response) == "invalid", "type \(type)")
        }
        #expect(try fixture.watch(id: "webhook", address: Self.address, extra: ["type": "webhook"]).status == 200)
        for address in ["ftp://receiver.example.com/x", "receiver.example.com/x", "https:///nohost", "mailto:a@example.com"] {
            let response = try fixture.watch(id: "addressed", address: address)
            #expect(response.status == 400 && EmulatorFixture.reason(response) == "invalid", "address \(address)")
        }
        #expect(try fixture.api("POST", EmulatorFixture.calendarPath + "/events/watch", json: ["id": "x", "type": "web_hook"]).status == 400)
        #expect(
            try fixture.api(
                "POST", EmulatorFixture.calendarPath + "/events/watch",
                json: ["type": "web_hook", "address": Self.address]
            ).status == 400)
        #expect(try fixture.watch(id: String(repeating: "i", count: 65), address: Self.address).status == 400)
        #expect(try fixture.watch(id: String(repeating: "i", count: 64), address: Self.address).status == 200)
        #expect(try fixture.watch(id: "long-token", address: Self.address, token: String(repeating: "t", count: 257)).status == 400)
        #expect(try fixture.watch(id: "bad-ttl", address: Self.address, extra: ["params": ["ttl": "a minute"]]).status == 400)
        #expect(try fixture.watch(id: "http-ok", address: "http://127.0.0.1:9/hook").status == 200)
    }

    @Test func watchingACalendarNotInTheAccountsListIs404() throws {
        let fixture = try EmulatorFixture()
        defer { fixture.stop() }
        try fixture.emulator.addCalendar(account: "b@example.com", id: "b@example.com", primary: true)
        let foreign = try fixture.watch(id: "foreign", address: PushWatchTests.address, path: "calendars/b%40example.com/events/watch")
        #expect(foreign.status == 404)
        #expect(EmulatorFixture.reason(foreign) == "notFound")
        #expect(try fixture.watch(id: "nowhere", address: Self.address, path: "calendars/nowhere/events/watch").status == 404)
        #expect(fixture.emulator.channels().isEmpty)
    }

    @Test func watchRoutesAreAuthenticatedCountedAndFaulted() throws {
        let fixture = try EmulatorFixture()
        defer { fixture.stop() }
        #expect(try fixture.watch(id: "anon", address: Self.address, bearer: "").status == 401)
        fixture.emulator.failNext(.serviceUnavailable)
        #expect(try fixture.watch(id: "faulted", address: Self.address).status == 503)
        #expect(try fixture.watch(id: "faulted", address: Self.address).status == 200)
        #expect(try fixture.api("POST", "channels/stop", json: ["id": "faulted"]).status == 400)
        let route = "calendars/{calendarId}/events/watch"
        #expect(fixture.emulator.requestCount(method: "POST", route: route, status: 200) == 1)
        #expect(fixture.emulator.requestCount(method: "POST", route: route, status: 503) == 1)
        #expect(fixture.emulator.requestCount(method: "POST", route: route, status: 401) == 1)
        #expect(fixture.emulator.requestCount(method: "POST", route: "channels/stop", status: 400) == 1)
        #expect(GoogleEmulator.routes.contains { $0.method == "POST" && $0.path == "users/me/calendarList/watch" })
    }
}
