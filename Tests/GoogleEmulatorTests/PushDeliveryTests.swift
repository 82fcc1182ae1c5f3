import Foundation
import GoogleEmulator
import HTTPClient
import HTTPServer
import Testing

/// Messages as Google sends them: `sync` on creation, `exists` on every change, numbered.
@Suite struct PushDeliveryTests {
    /// `X-Goog-Channel-Expiration` as a receiver parses it (HTTP date, RFC 1123).
    static func httpDate(millis: Int64) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.string(from: Date(timeIntervalSince1970: Double(millis / 1000)))
    }

    @Test func theSyncMessageCarriesEveryGoogleHeader() throws {
        let fixture = try EmulatorFixture()
        defer { fixture.stop() }
        let receiver = try PushReceiver()
        defer { receiver.stop() }
        let channel = try fixture.watchChannel(id: "sync-1", address: receiver.address, token: "calendar=a")
        #expect(receiver.waitFor(1))
        let message = try #require(receiver.messages.first)
        #expect(message.request.method == "POST")
        #expect(message.request.path == "/notifications")
        #expect(message.request.body.isEmpty)
        #expect(message.header("Content-Length") == "0")
        #expect(message.header("X-Goog-Channel-ID") == "sync-1")
        #expect(message.header("X-Goog-Channel-Token") == "calendar=a")
        let expiration = try #require((channel["expiration"] as? String).flatMap { Int64($0) })
        #expect(message.header("X-Goog-Channel-Expiration") == Self.httpDate(millis: expiration))
        #expect(message.header("X-Goog-Resource-ID") == channel["resourceId"] as? String)
        #expect(message.header("X-Goog-Resource-URI") == channel["resourceUri"] as? String)
        #expect(message.header("X-Goog-Resource-State") == "sync")
        #expect(message.header("X-Goog-Message-Number") == "1")

        // No token given, no token header.
        let bare = try PushReceiver()
        defer { bare.stop() }
        _ = try fixture.watchChannel(id: "sync-2", address: bare.address, path: "users/me/calendarList/watch")
        #expect(bare.waitFor(1))
        #expect(bare.messages.first?.header("X-Goog-Channel-Token") == nil)
        #expect(bare.messages.first?.state == "sync")
        #expect(fixture.settled())
        #expect(fixture.channel("sync-1")?.messagesDelivered == 1)
        #expect(fixture.channel("sync-1")?.lastMessageNumber == 1)
    }

    @Test func apiWritesSendOneExistsEachWithIncreasingNumbers() throws {
        let fixture = try EmulatorFixture()
        defer { fixture.stop() }
        let receiver = try PushReceiver()
        defer { receiver.stop() }
        _ = try fixture.watchChannel(id: "writes", address: receiver.address)
        let path = EmulatorFixture.calendarPath + "/events"
        let created = try fixture.api("POST", path, json: EmulatorFixture.timedEvent(id: "evtedit01"))
        #expect(created.status == 200)
        #expect(try fixture.api("PATCH", path + "/evtedit01", json: ["summary": "Renamed"]).status == 200)
        #expect(try fixture.api("PUT", path + "/evtedit01", json: EmulatorFixture.timedEvent(summary: "Replaced")).status == 200)
        #expect(try fixture.api("DELETE", path + "/evtedit01").status == 204)
        // Reads and refused writes change nothing and send nothing.
        #expect(try fixture.api(path).status == 200)
        #expect(try fixture.api("DELETE", path + "/evtedit01").status == 410)
        #expect(receiver.waitFor(5))
        #expect(fixture.settled())
        let messages = receiver.messages
        #expect(messages.count == 5)
        #expect(messages.compactMap(\.number) == [1, 2, 3, 4, 5])
        #expect(messages.compactMap(\.state) == ["sync", "exists", "exists", "exists", "exists"])
        #expect(fixture.channel("writes")?.messagesDelivered == 5)
    }

    @Test func writesByTheUserSendExistsToo() throws {
        let fixture = try EmulatorFixture()
        defer { fixture.stop() }
        let receiver = try PushReceiver()
        defer { receiver.stop() }
        _ = try fixture.watchChannel(id: "user", address: receiver.address)
        let emulator = fixture.emulator
        try emulator.createEvent(calendarID: EmulatorFixture.email, EmulatorFixture.timedEvent(id: "evtuser1"))
        try emulator.patchEvent(calendarID: EmulatorFixture.email, eventID: "evtuser1", ["summary": "Moved"])
        try emulator.deleteEvent(calendarID: EmulatorFixture.email, eventID: "evtuser1")
        let created = try fixture.admin("POST", "calendars/a%40example.com/events", json: EmulatorFixture.timedEvent(id: "evtuser2"))
        #expect(created.status == 200)
        #expect(try fixture.admin("PATCH", "calendars/a%40example.com/events/evtuser2", json: ["summary": "Later"]).status == 200)
        #expect(try fixture.admin("DELETE", "calendars/a%40example.com/events/evtuser2").status == 204)
        // Seeding two events into the watched calendar: one message per event.
        try emulator.seed([
            "accounts": [
                [
                    "email": EmulatorFixture.email,
                    "calendars": [
                        [
                            "id": EmulatorFixture.email, "primary": true,
                            "events": [EmulatorFixture.timedEvent(id: "evtseed1"), EmulatorFixture.timedEvent(id: "evtseed2", day: 4)],
                        ]
                    ],
                ]
            ]
        ])
        #expect(receiver.waitFor(9))
        #expect(fixture.settled())
        #expect(receiver.messages.compactMap(\.number) == Array(1...9))
        #expect(receiver.messages.dropFirst().allSatisfy { $0.state == "exists" })
    }

    @Test func everyChannelOnACalendarHearsOfItsChangesAndOnlyThose() throws {
        let fixture = try EmulatorFixture()
        defer { fixture.stop() }
        try fixture.emulator.addCalendar(account: EmulatorFixture.email, id: "team@group.calendar.google.com", summary: "Team")
        try fixture.emulator.addCalendar(account: "b@example.com", id: "team@group.calendar.google.com", accessRole: "reader")
        let bearerB = try fixture.emulator.issueAccessToken(account: "b@example.com")
        let primary = try PushReceiver()
        let teamA = try PushReceiver()
        let teamB = try PushReceiver()
        defer { for receiver in [primary, teamA, teamB] { receiver.stop() } }
        let teamPath = "calendars/team%40group.calendar.google.com/events/watch"
        _ = try fixture.watchChannel(id: "primary", address: primary.address)
        _ = try fixture.watchChannel(id: "team-a", address: teamA.address, path: teamPath)
        #expect(try fixture.watch(id: "team-b", address: teamB.address, path: teamPath, bearer: bearerB).status == 200)
        try fixture.emulator.createEvent(calendarID: "team@group.calendar.google.com", EmulatorFixture.timedEvent())
        #expect(teamA.waitFor(2) && teamB.waitFor(2))
        #expect(fixture.settled())
        #expect(primary.messages.compactMap(\.state) == ["sync"])
        #expect(teamA.messages.compactMap(\.state) == ["sync", "exists"])
        #expect(teamB.messages.last?.header("X-Goog-Resource-ID") == teamA.messages.last?.header("X-Goog-Resource-ID"))
    }

    @Test func calendarListChangesNotifyTheAccountsListChannels() throws {
        let fixture = try EmulatorFixture()
        defer { fixture.stop() }
        try fixture.emulator.addCalendar(account: "b@example.com", id: "shared@group.calendar.google.com", summary: "Shared")
        try fixture.emulator.addCalendar(account: EmulatorFixture.email, id: "shared@group.calendar.google.com", accessRole: "reader")
        let list = try PushReceiver()
        let events = try PushReceiver()
        defer {
            list.stop()
            events.stop()
        }
        _ = try fixture.watchChannel(id: "list", address: list.address, path: "users/me/calendarList/watch")
        _ = try fixture.watchChannel(id: "events", address: events.address)
        let syncToken = try #require(try fixture.listAll(path: "users/me/calendarList").last?["nextSyncToken"] as? String)

        try fixture.emulator.addCalendar(account: EmulatorFixture.email, id: "new@group.calendar.google.com")
        try fixture.emulator.removeCalendar(account: EmulatorFixture.email, calendarID: "new@group.calendar.google.com")
        #expect(try fixture.admin("POST", "accounts/a%40example.com/calendars", json: ["id": "seeded@group.calendar.google.com"]).status == 200)
        // Another account renames a calendar this one lists too.
        try fixture.emulator.addCalendar(account: "b@example.com", id: "shared@group.calendar.google.com", summary: "Shared (renamed)")
        // Not list changes: b's own list, a's events.
        try fixture.emulator.addCalendar(account: "b@example.com", id: "b-only@group.calendar.google.com")
        try fixture.emulator.createEvent(calendarID: EmulatorFixture.email, EmulatorFixture.timedEvent())
        #expect(list.waitFor(5) && events.waitFor(2))
        #expect(fixture.settled())
        #expect(list.messages.compactMap(\.state) == ["sync", "exists", "exists", "exists", "exists"])
        #expect(list.messages.compactMap(\.number) == [1, 2, 3, 4, 5])
        #expect(events.messages.compactMap(\.state) == ["sync", "exists"])

        // What the message announced is there to sync: the renamed entry among the changes.
        let changes = EmulatorFixture.items(try fixture.listAll("syncToken=\(syncToken)", path: "users/me/calendarList"))
        #expect(
            Set(EmulatorFixture.ids(changes)) == [
                "new@group.calendar.google.com", "seeded@group.calendar.google.com", "shared@group.calendar.google.com",
            ])
        #expect(changes.first { $0["id"] as? String == "shared@group.calendar.google.com" }?["summary"] as? String == "Shared (renamed)")
    }

    @Test func aSlowReceiverDoesNotHoldBackOtherChannels() throws {
        let fixture = try EmulatorFixture()
        defer { fixture.stop() }
        let slow = try PushReceiver(gated: true)
        let quick = try PushReceiver()
        defer {
            slow.stop()
            quick.stop()
        }
        _ = try fixture.watchChannel(id: "slow", address: slow.address)
        #expect(slow.waitFor(1))
        _ = try fixture.watchChannel(id: "quick", address: quick.address)
        // The slow receiver still holds its sync message while the quick one gets its own.
        #expect(quick.waitFor(1))
        #expect(fixture.channel("slow")?.messagesDelivered == 0)
        slow.open()
        #expect(fixture.settled())
        #expect(fixture.channel("slow")?.messagesDelivered == 1)
    }
}
