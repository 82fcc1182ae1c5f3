import Foundation
import GoogleEmulator
import HTTPClient
import TestSupport
import Testing

/// How channels end (stop, expiry), and the switches for lost and late messages.
@Suite struct PushChannelLifecycleTests {
    /// Proves a silent channel got nothing without sleeping: a write reaches `sentinel`, a
    /// live channel on the same calendar, and then nothing is pending anywhere.
    static func writeAndWait(_ fixture: EmulatorFixture, sentinel: PushReceiver) throws {
        let before = sentinel.messages.count
        try fixture.emulator.createEvent(calendarID: EmulatorFixture.email, EmulatorFixture.timedEvent())
        #expect(sentinel.waitFor(before + 1))
        #expect(fixture.settled())
    }

    @Test func stopAnswers204AndEndsDelivery() throws {
        let fixture = try EmulatorFixture()
        defer { fixture.stop() }
        let stopped = try PushReceiver()
        let sentinel = try PushReceiver()
        defer {
            stopped.stop()
            sentinel.stop()
        }
        let channel = try fixture.watchChannel(id: "to-stop", address: stopped.address)
        _ = try fixture.watchChannel(id: "sentinel", address: sentinel.address)
        #expect(stopped.waitFor(1) && sentinel.waitFor(1))
        let resourceID = try #require(channel["resourceId"] as? String)

        let wrong = try fixture.api("POST", "channels/stop", json: ["id": "to-stop", "resourceId": "not-it"])
        #expect(wrong.status == 404)
        #expect(EmulatorFixture.reason(wrong) == "notFound")
        try fixture.emulator.addCalendar(account: "b@example.com", id: "b@example.com", primary: true)
        let other = try fixture.emulator.issueAccessToken(account: "b@example.com")
        #expect(try fixture.api("POST", "channels/stop", json: ["id": "to-stop", "resourceId": resourceID], token: other).status == 404)
        #expect(try fixture.api("POST", "channels/stop", json: ["id": "to-stop"]).status == 400)
        #expect(try fixture.api("POST", "channels/stop", json: ["resourceId": resourceID]).status == 400)

        let stop = try fixture.api("POST", "channels/stop", json: ["id": "to-stop", "resourceId": resourceID])
        #expect(stop.status == 204)
        #expect(stop.body.isEmpty)
        #expect(fixture.channel("to-stop")?.state == .stopped)
        try Self.writeAndWait(fixture, sentinel: sentinel)
        #expect(stopped.messages.count == 1)
        #expect(try fixture.api("POST", "channels/stop", json: ["id": "to-stop", "resourceId": resourceID]).status == 404)
        // The id is free again.
        #expect(try fixture.watch(id: "to-stop", address: stopped.address).status == 200)
    }

    @Test func stoppingDropsMessagesAlreadyQueued() throws {
        var options = EmulatorOptions()
        options.pushDelayMillis = 60_000
        let fixture = try EmulatorFixture(options: options)
        defer { fixture.stop() }
        let receiver = try PushReceiver()
        defer { receiver.stop() }
        let channel = try fixture.watchChannel(id: "queued", address: receiver.address)
        try fixture.emulator.createEvent(calendarID: EmulatorFixture.email, EmulatorFixture.timedEvent())
        #expect(fixture.emulator.pendingDeliveries == 2)
        #expect(fixture.channel("queued")?.messagesQueued == 2)
        let resourceID = try #require(channel["resourceId"] as? String)
        #expect(try fixture.api("POST", "channels/stop", json: ["id": "queued", "resourceId": resourceID]).status == 204)
        #expect(fixture.emulator.pendingDeliveries == 0)
        #expect(receiver.messages.isEmpty)
    }

    @Test func anExpiredChannelGetsNoMoreMessagesAndIsForgotten() throws {
        let fixture = try EmulatorFixture()
        defer { fixture.stop() }
        let expiring = try PushReceiver()
        let sentinel = try PushReceiver()
        defer {
            expiring.stop()
            sentinel.stop()
        }
        let channel = try fixture.watchChannel(id: "expiring", address: expiring.address)
        _ = try fixture.watchChannel(id: "sentinel", address: sentinel.address)
        #expect(expiring.waitFor(1) && sentinel.waitFor(1))
        try fixture.emulator.expireChannel(id: "expiring")
        #expect(fixture.channel("expiring")?.state == .expired)
        try Self.writeAndWait(fixture, sentinel: sentinel)
        #expect(expiring.messages.count == 1)
        let resourceID = try #require(channel["resourceId"] as? String)
        #expect(try fixture.api("POST", "channels/stop", json: ["id": "expiring", "resourceId": resourceID]).status == 404)
        #expect(throws: GoogleAPIError.self) { try fixture.emulator.expireChannel(id: "expiring") }
        #expect(try fixture.admin("POST", "channels/sentinel/expire").status == 200)
        #expect(try fixture.admin("POST", "channels/sentinel/expire").status == 404)
    }

    @Test func aChannelExpiresOnItsOwnWhenItsTimeIsUp() throws {
        let fixture = try EmulatorFixture()
        defer { fixture.stop() }
        let shortLived = try PushReceiver()
        let sentinel = try PushReceiver()
        defer {
            shortLived.stop()
            sentinel.stop()
        }
        _ = try fixture.watchChannel(id: "short-lived", address: shortLived.address, extra: ["params": ["ttl": "2"]])
        _ = try fixture.watchChannel(id: "sentinel", address: sentinel.address)
        #expect(shortLived.waitFor(1))
        #expect(eventually(timeout: 10, every: 0.05) { fixture.channel("short-lived")?.state == .expired })
        try Self.writeAndWait(fixture, sentinel: sentinel)
        #expect(shortLived.messages.count == 1)
    }

    @Test func dropRateOneDropsEveryMessage() throws {
        var options = EmulatorOptions()
        options.pushDropRate = 1
        let fixture = try EmulatorFixture(options: options)
        defer { fixture.stop() }
        let receiver = try PushReceiver()
        defer { receiver.stop() }
        _ = try fixture.watchChannel(id: "lossy", address: receiver.address)
        for day in 1...3 { try fixture.emulator.createEvent(calendarID: EmulatorFixture.email, EmulatorFixture.timedEvent(day: day)) }
        // Dropped messages are never queued: nothing is pending, nothing was sent.
        #expect(fixture.emulator.pendingDeliveries == 0)
        #expect(receiver.messages.isEmpty)
        let channel = try #require(fixture.channel("lossy"))
        #expect(channel.messagesDropped == 4)
        #expect(channel.lastMessageNumber == 4)
    }

    @Test func dropsRepeatForASeed() throws {
        func dropped(seed: UInt64) throws -> [Int] {
            var options = EmulatorOptions()
            options.pushDropRate = 0.5
            options.pushSeed = seed
            options.pushDelayMillis = 60_000
            let fixture = try EmulatorFixture(options: options)
            defer { fixture.stop() }
            _ = try fixture.watchChannel(id: "seeded", address: "http://127.0.0.1:9/")
            var counts: [Int] = []
            for day in 1...20 {
                try fixture.emulator.createEvent(calendarID: EmulatorFixture.email, EmulatorFixture.timedEvent(day: day))
                counts.append(fixture.channel("seeded")?.messagesDropped ?? -1)
            }
            return counts
        }
        let first = try dropped(seed: 42)
        #expect(try dropped(seed: 42) == first)
        #expect(first.last! > 0 && first.last! < 21)
    }

    @Test func theDelayOptionHoldsEachFirstAttempt() throws {
        var options = EmulatorOptions()
        options.pushDelayMillis = 300
        let fixture = try EmulatorFixture(options: options)
        defer { fixture.stop() }
        let receiver = try PushReceiver()
        defer { receiver.stop() }
        let asked = ContinuousClock.now
        _ = try fixture.watchChannel(id: "late", address: receiver.address)
        #expect(receiver.waitFor(1))
        #expect(receiver.messages[0].arrived - asked >= .milliseconds(300))
    }

    @Test func adminListsChannelsTakesOptionsAndResetForgetsThem() throws {
        let fixture = try EmulatorFixture()
        defer { fixture.stop() }
        let options = try EmulatorFixture.json(
            fixture.admin(
                "POST", "options",
                json: [
                    "channelLifetimeSeconds": 60, "pushDropRate": 0, "pushSeed": 7, "pushDelayMillis": 60_000,
                    "pushRetryBaseMillis": 20, "pushMaxAttempts": 2,
                ]))
        #expect(options["channelLifetimeSeconds"] as? Int == 60)
        #expect(options["pushDelayMillis"] as? Int == 60_000)
        #expect(options["pushMaxAttempts"] as? Int == 2)
        for bad: [String: Any] in [
            ["pushDropRate": 1.5], ["channelLifetimeSeconds": 0], ["pushMaxAttempts": 0], ["pushRetryBaseMillis": 0],
            ["pushDelayMillis": -1],
        ] {
            #expect(try fixture.admin("POST", "options", json: bad).status == 400, "\(bad)")
        }
        _ = try fixture.watchChannel(id: "listed", address: "http://127.0.0.1:9/hook", token: "t")
        let listed = try EmulatorFixture.json(fixture.admin("GET", "channels"))
        #expect(listed["pendingDeliveries"] as? Int == 1)
        let channel = try #require((listed["channels"] as? [[String: Any]])?.first)
        #expect(channel["id"] as? String == "listed")
        #expect(channel["account"] as? String == EmulatorFixture.email)
        #expect(channel["resource"] as? String == "events")
        #expect(channel["calendarId"] as? String == EmulatorFixture.email)
        #expect(channel["state"] as? String == "live")
        #expect(channel["messagesQueued"] as? Int == 1)
        #expect(channel["lastMessageNumber"] as? Int == 1)
        #expect(channel["token"] as? String == "t")
        #expect((channel["expiration"] as? String)?.allSatisfy { $0.isNumber } == true)

        fixture.emulator.reset()
        #expect(fixture.emulator.channels().isEmpty)
        #expect(fixture.emulator.pendingDeliveries == 0)
        #expect(GoogleEmulator.adminRoutes.contains("GET channels"))
        #expect(GoogleEmulator.adminRoutes.contains("POST channels/{id}/expire"))
    }
}
