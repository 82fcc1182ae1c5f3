import Accounts
import CalendarSync
import Foundation
import HTTPServer
import JobQueue
import Metrics
import Postgres
import Push
import PushReceiver
import Synchronization
import TestSupport
import Testing

/// The receiver against a real database: what each notification becomes, and that nothing
/// but a genuine one of a live channel ever queues a sync.
struct PushReceiverTests {
    @Test func aSyncMessageConfirmsTheChannelAndQueuesNothing() throws {
        let fixture = try PushFixture()
        try fixture.channel("ch-1")
        let response = fixture.receiver.respond(to: PushFixture.notification(channel: "ch-1", state: "sync", number: 1))
        #expect(response.status == 200)
        #expect(try fixture.syncJobs().isEmpty)
        let channel = try #require(try fixture.channelRow("ch-1"))
        #expect(channel.confirmedAt != nil && channel.lastMessageNumber == 1)
    }

    @Test func aChangeQueuesASyncOfThatCalendarShortlyAfterAndOnlyAfterItIsRecorded() throws {
        let fixture = try PushFixture()
        try fixture.channel("ch-1", calendar: "team@group.calendar.google.com")
        let before = Date()
        let response = fixture.receiver.respond(to: PushFixture.notification(channel: "ch-1", number: 7))
        #expect(response.status == 200, "\(response.text)")
        let jobs = try fixture.syncJobs()
        #expect(jobs.count == 1)
        let args = try #require(try JSONSerialization.jsonObject(with: Data(jobs[0].args.utf8)) as? [String: Any])
        #expect(args["account_id"] as? Int == Int(fixture.accountID))
        #expect(args["calendar_id"] as? String == "team@group.calendar.google.com")
        #expect(args["via_push"] as? Bool == true)
        #expect(jobs[0].runAt > before && jobs[0].runAt < before.addingTimeInterval(5), "a short delay lets a burst coalesce")
        #expect(try fixture.channelRow("ch-1")?.lastMessageNumber == 7)
    }

    @Test func theCalendarListChannelQueuesASyncOfTheWholeAccount() throws {
        let fixture = try PushFixture()
        try fixture.channel("ch-list", calendar: "")
        #expect(fixture.receiver.respond(to: PushFixture.notification(channel: "ch-list", number: 2)).status == 200)
        let jobs = try fixture.syncJobs()
        #expect(jobs.count == 1 && !jobs[0].args.contains("calendar_id"))
    }

    @Test(arguments: [
        ("a forged token", PushFixture.notification(channel: "ch-1", token: "tok-guess", number: 3)),
        ("no token at all", PushFixture.notification(channel: "ch-1", token: nil, number: 3)),
        ("another resource", PushFixture.notification(channel: "ch-1", resourceID: "res-other", number: 3)),
    ])
    func forgeriesAreRefusedWith403AndNeverQueued(_ what: String, _ request: HTTPServerRequest) throws {
        let fixture = try PushFixture()
        try fixture.channel("ch-1")
        let response = fixture.receiver.respond(to: request)
        #expect(response.status == 403, "\(what)")
        #expect(try fixture.syncJobs().isEmpty, "\(what)")
        #expect(try fixture.channelRow("ch-1")?.lastMessageNumber == 0, "a forgery does not move the message number")
        #expect(!response.text.contains("tok-secret-1"))
    }

    @Test func unknownAndStoppedChannelsAndInactiveAccountsAreAnsweredAndNeverSynced() throws {
        let fixture = try PushFixture()
        try fixture.channel("ch-stopped")
        try PushChannelStore().end(channelID: "ch-stopped", as: .stopped, on: fixture.db)
        try fixture.channel("ch-expired", expiresIn: -5)
        try fixture.channel("ch-disabled", calendar: "other@example.com")
        #expect(fixture.receiver.respond(to: PushFixture.notification(channel: "ch-unknown", number: 1)).status == 200)
        #expect(fixture.receiver.respond(to: PushFixture.notification(channel: "ch-stopped", number: 1)).status == 200)
        #expect(fixture.receiver.respond(to: PushFixture.notification(channel: "ch-expired", number: 1)).status == 200)
        try AccountStore(cipher: nil).setState(id: fixture.accountID, .disabled, on: fixture.db)
        #expect(fixture.receiver.respond(to: PushFixture.notification(channel: "ch-disabled", number: 1)).status == 200)
        #expect(try fixture.syncJobs().isEmpty)
        let samples = ExpositionSamples(fixture.metrics.render())
        #expect(samples.value("calworker_push_notifications_total", ["state": "exists", "outcome": "unknown_channel"]) == 1)
        #expect(samples.value("calworker_push_notifications_total", ["state": "exists", "outcome": "stopped_channel"]) == 3)
    }

    @Test func aStoppedChannelGoogleStillSendsOnIsQueuedToBeStoppedAgainNeverSynced() throws {
        let fixture = try PushFixture()
        try fixture.channel("ch-1")
        try PushChannelStore().end(channelID: "ch-1", as: .stopped, error: "channels.stop failed: 503", on: fixture.db)
        let forged = fixture.receiver.respond(to: PushFixture.notification(channel: "ch-1", token: "tok-guess", number: 1))
        #expect(forged.status == 403)
        #expect(try fixture.channelRow("ch-1")?.state == .stopped, "a forgery cannot make us call Google")

        #expect(fixture.receiver.respond(to: PushFixture.notification(channel: "ch-1", number: 1)).status == 200)
        #expect(try fixture.channelRow("ch-1")?.state == .stopping)
        #expect(fixture.receiver.respond(to: PushFixture.notification(channel: "ch-1", number: 2)).status == 200)
        #expect(try fixture.syncJobs().isEmpty)
        let upkeep = try fixture.db.query("SELECT args::text FROM calworker.jobs WHERE kind = 'watch_channels'").map {
            try $0.decode(String.self, at: 0)
        }
        #expect(upkeep == [#"{"account_id": \#(fixture.accountID)}"#], "one upkeep queued for the account")
    }

    @Test(
        arguments: [
            ("GET", [("X-Goog-Channel-ID", "ch-1")], 405),
            ("POST", [], 400),
            ("POST", [("X-Goog-Channel-ID", "ch-1"), ("X-Goog-Resource-ID", "res-1"), ("X-Goog-Resource-State", "exists")], 400),
            (
                "POST",
                [
                    ("X-Goog-Channel-ID", "ch-1"), ("X-Goog-Resource-ID", "res-1"), ("X-Goog-Resource-State", "changed"),
                    ("X-Goog-Message-Number", "1"),
                ], 400
            ),
            (
                "POST",
                [
                    ("X-Goog-Channel-ID", "ch-1"), ("X-Goog-Resource-ID", "res-1"), ("X-Goog-Resource-State", "exists"),
                    ("X-Goog-Message-Number", "-4"),
                ], 400
            ),
            (
                "POST",
                [
                    ("X-Goog-Channel-ID", "ch-1"), ("X-Goog-Resource-ID", "res-1"), ("X-Goog-Resource-State", "exists"),
                    ("X-Goog-Message-Number", "99999999999999999999999"),
                ], 400
            ),
            (
                "POST",
                [
                    ("X-Goog-Channel-ID", String(repeating: "c", count: 65)), ("X-Goog-Resource-ID", "res-1"),
                    ("X-Goog-Resource-State", "exists"), ("X-Goog-Message-Number", "1"),
                ], 400
            ),
            (
                "POST",
                [
                    ("X-Goog-Channel-ID", "ch 1\u{7}"), ("X-Goog-Resource-ID", "res-1"), ("X-Goog-Resource-State", "exists"),
                    ("X-Goog-Message-Number", "1"),
                ], 400
            ),
        ] as [(String, [(String, String)], Int)])
    func junkGetsAClear4xxAndNothingIsQueued(_ method: String, _ headers: [(String, String)], _ status: Int) throws {
        let fixture = try PushFixture()
        try fixture.channel("ch-1")
        let request = HTTPServerRequest(method: method, path: "/push/google", headers: headers.map { (name: $0.0, value: $0.1) })
        let response = fixture.receiver.respond(to: request)
        #expect(response.status == status, "\(response.text)")
        #expect(!response.text.isEmpty, "the answer says what was wrong")
        #expect(try fixture.syncJobs().isEmpty)
    }

    @Test func aBodyIsNotWhatANotificationCarries() throws {
        let fixture = try PushFixture()
        try fixture.channel("ch-1")
        var request = PushFixture.notification(channel: "ch-1", number: 1)
        request.body = Array(repeating: 0x41, count: 100_000)
        #expect(fixture.receiver.respond(to: request).status == 413)
        #expect(try fixture.syncJobs().isEmpty)
    }

    @Test func aRedeliveredMessageIsAcknowledgedAndNotSyncedTwice() throws {
        let fixture = try PushFixture()
        try fixture.channel("ch-1")
        #expect(fixture.receiver.respond(to: PushFixture.notification(channel: "ch-1", number: 5)).status == 200)
        try fixture.db.execute("UPDATE calworker.jobs SET state = 'completed', attempt = 1")
        let again = fixture.receiver.respond(to: PushFixture.notification(channel: "ch-1", number: 5))
        #expect(again.status == 200 && again.text.contains("duplicate"))
        #expect(try fixture.syncJobs().count == 1)
    }

    @Test func aBurstOfAHundredNotificationsQueuesOneSync() throws {
        let fixture = try PushFixture()
        try fixture.channel("ch-1")
        let counter = Atomic<Int>(0)
        let statuses = SharedList<Int>()
        concurrently(8) { _ in
            while true {
                let number = counter.add(1, ordering: .relaxed).newValue
                guard number <= 100 else { return }
                statuses.append(fixture.receiver.respond(to: PushFixture.notification(channel: "ch-1", number: number)).status)
            }
        }
        #expect(statuses.values.count == 100 && statuses.values.allSatisfy { $0 == 200 })
        #expect(try fixture.syncJobs().count == 1)
        let samples = ExpositionSamples(fixture.metrics.render())
        let enqueued = samples.value("calworker_push_notifications_total", ["state": "exists", "outcome": "enqueued"]) ?? 0
        let coalesced = samples.value("calworker_push_notifications_total", ["state": "exists", "outcome": "coalesced"]) ?? 0
        let duplicates = samples.value("calworker_push_notifications_total", ["state": "exists", "outcome": "duplicate"]) ?? 0
        // Eight senders at once: a number may arrive after a higher one; it joins the same sync.
        let reordered = samples.value("calworker_push_notifications_total", ["state": "exists", "outcome": "out_of_order"]) ?? 0
        #expect(enqueued == 1 && enqueued + coalesced + duplicates + reordered == 100)
    }

    /// A message carrying the channel's real token and `X-Goog-Message-Number:
    /// 999999999999999999` made every later genuine message a duplicate until renewal, while
    /// the channel still counted as healthy. No number blinds a channel now.
    @Test func aForgedMessageNumberCannotBlindTheChannel() throws {
        let fixture = try PushFixture()
        try fixture.channel("ch-1")
        func send(_ number: Int) -> String { fixture.receiver.respond(to: PushFixture.notification(channel: "ch-1", number: number)).text }
        func finishSyncs() throws { try fixture.db.execute("UPDATE calworker.jobs SET state = 'completed', attempt = 1 WHERE kind = 'sync_account'") }
        func latest() throws -> Int64 {
            try fixture.db.query("SELECT last_message_number FROM calworker.push_channels WHERE channel_id = 'ch-1'")[0].decode(at: 0)
        }
        #expect(send(5).contains("enqueued"))
        try finishSyncs()
        let forged = send(999_999_999_999_999_999)
        #expect(forged.contains("jumped"), "\(forged)")
        #expect(try latest() == 5, "the jump did not become the channel's latest")
        #expect(try fixture.syncJobs().filter { $0.state == "available" }.count == 1, "and it was synced, in case it was real")
        let renewal = try fixture.db.query(
            "SELECT expires_at < now() + interval '61 minutes' FROM calworker.push_channels WHERE channel_id = 'ch-1'")[0].decode(Bool.self, at: 0)
        #expect(renewal, "the channel is replaced within the hour: a new token")
        #expect(try fixture.db.query("SELECT count(*) FROM calworker.jobs WHERE kind = 'watch_channels'")[0].decode(Int.self, at: 0) == 1)
        try finishSyncs()
        #expect(send(6).contains("enqueued"), "the next genuine message is synced, not a duplicate")
        try finishSyncs()
        // A baseline pushed up by a forgery within the step: later genuine (lower) numbers still sync.
        #expect(send(900_006).contains("enqueued"))
        try finishSyncs()
        #expect(send(7).contains("out_of_order"))
        #expect(try fixture.syncJobs().filter { $0.state == "available" }.count == 1, "a genuine number below a forged latest is synced")
        #expect(send(900_006).contains("duplicate"), "the latest again is a redelivery")
    }

    @Test func aChangeNotifiedWhileItsSyncRunsQueuesAnotherSync() throws {
        let fixture = try PushFixture()
        try fixture.channel("ch-1")
        #expect(fixture.receiver.respond(to: PushFixture.notification(channel: "ch-1", number: 1)).status == 200)
        // The sync started: it may have read the calendar before the next change.
        try fixture.db.execute("UPDATE calworker.jobs SET state = 'running', attempt = 1, lease_until = now() + interval '1 minute'")
        #expect(fixture.receiver.respond(to: PushFixture.notification(channel: "ch-1", number: 2)).status == 200)
        #expect(try fixture.syncJobs().map(\.state) == ["running", "available"])
    }

    @Test func twoReceiversAtOnceQueueOneSync() throws {
        let fixture = try PushFixture()
        try fixture.channel("ch-1")
        try fixture.channel("ch-2", token: "tok-secret-2", resourceID: "res-1")
        let second = PushFixture.receiver(database: fixture.database, metrics: MetricsRegistry())
        concurrently(2) { index in
            let receiver = index == 0 ? fixture.receiver : second
            for number in 1...20 {
                let request =
                    index == 0
                    ? PushFixture.notification(channel: "ch-1", number: number)
                    : PushFixture.notification(channel: "ch-2", token: "tok-secret-2", number: number)
                _ = receiver.respond(to: request)
            }
        }
        #expect(try fixture.syncJobs().count == 1, "a renewal's overlap (two channels on one calendar) still gives one sync")
    }

    @Test func theTokenIsNeverStoredOrLogged() throws {
        let fixture = try PushFixture()
        try fixture.channel("ch-1", token: "tok-very-secret-77")
        _ = fixture.receiver.respond(to: PushFixture.notification(channel: "ch-1", token: "tok-very-secret-77", number: 1))
        _ = fixture.receiver.respond(to: PushFixture.notification(channel: "ch-1", token: "tok-forged-88", number: 2))
        let dump = try fixture.db.query("SELECT row_to_json(c)::text FROM calworker.push_channels c").map { try $0.decode(String.self, at: 0) }
        #expect(!dump.joined().contains("tok-very-secret-77"))
        #expect(!fixture.metrics.render().contains("tok-"))
    }
}
