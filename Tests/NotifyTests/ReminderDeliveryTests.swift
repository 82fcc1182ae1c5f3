import Basics
import Foundation
import HTTPServer
import Jobs
import Metrics
import Notify
import Postgres
import Synchronization
import TestSupport
import Testing
import Worker

@Suite struct ReminderDeliveryTests {
    @Test func aReminderGoesOutOnceAtItsTimeAndNeverTwice() throws {
        let fixture = try NotifyFixture(now: utc("2026-12-01T08:35:00Z"))
        try fixture.event("shift001", start: "2026-12-01T09:00:00Z", summary: "Frühschicht Station 3")
        try fixture.event("later001", start: "2026-12-01T12:00:00Z", summary: "Later")
        try fixture.settings("time_zone = 'Europe/Berlin'")
        let first = try fixture.reminders()
        #expect(first["sent"] == 1 && first["due"] == 1, "\(first.json)")
        let received = fixture.smtp.received()
        try #require(received.count == 1)
        #expect(received[0].to == ["ada@example.com"], "the default recipient: the owner's account")
        let subject = received[0].text.components(separatedBy: "\r\n").first { $0.hasPrefix("Subject:") } ?? ""
        #expect(subject.contains("=?UTF-8?B?"), "the subject with its umlaut is encoded")
        let text = QuotedPrintableTestDecoder.textPart(of: received[0].text) ?? ""
        #expect(text.contains("\"Frühschicht Station 3\" starts at Tue 1 Dec, 10:00 (Europe/Berlin), in 25 minutes."), "\(text)")
        let again = try fixture.reminders()
        #expect(again["sent"] == 0 && again["suppressed_duplicate"] == 1)
        #expect(fixture.smtp.received().count == 1)
    }

    @Test func aStoppedJobStopsTheRunBeforeTheNextMessage() throws {
        let fixture = try NotifyFixture(now: utc("2026-12-01T08:35:00Z"))
        try fixture.event("shift001", start: "2026-12-01T09:00:00Z", summary: "Early shift")
        let run = ReminderRun(
            settings: fixture.environment.notify, db: fixture.db, metrics: MetricsRegistry(), now: fixture.now, shouldStop: { true })
        #expect(throws: StopRequested.self) { try run.run() }
        #expect(fixture.smtp.received().isEmpty)
        #expect(try fixture.reminders()["sent"] == 1, "the next run sends it")
    }

    @Test func twoWorkersRacingSendItOnce() throws {
        let fixture = try NotifyFixture(now: utc("2026-12-01T08:35:00Z"))
        for index in 0..<5 { try fixture.event("race\(index)00", start: "2026-12-01T09:0\(index):00Z", summary: "Race \(index)") }
        let sent = Mutex(0)
        let (database, environment, now) = (fixture.database, fixture.environment, fixture.now)
        concurrently(2) { _ in
            let connection = try! database.connect()
            if case .success(let figures) = try! NotifyFixture.notify(
                #"{"reminders": true}"#, environment: environment, now: now, connection: connection)
            {
                sent.withLock { $0 += Int(figures["sent"] ?? 0) }
            }
        }
        #expect(sent.withLock { $0 } == 5)
        let ids = fixture.smtp.received().compactMap { $0.header("Message-ID") }
        #expect(ids.count == 5 && Set(ids).count == 5, "five reminders, each once: \(ids)")
    }

    @Test func aClaimLeftByAKilledWorkerIsSentAgainWithTheSameMessageID() throws {
        let fixture = try NotifyFixture(now: utc("2026-12-01T08:35:00Z"))
        try fixture.event("shift001", start: "2026-12-01T09:00:00Z")
        // A worker claimed the reminder, handed it to the server perhaps, and died: the claim's
        // lease has run out, the row still says `sending`.
        let row = try fixture.db.query(
            """
            INSERT INTO calworker.notifications (kind, key, recipient, channel, state, claimed_until)
            VALUES ('reminder', 'ada@example.com/shift001#2026-12-01T09:00:00Z', 'ada@example.com', 'email', 'sending', now() - interval '1 minute')
            RETURNING id
            """)
        let id: Int64 = try row[0].decode(at: 0)
        let figures = try fixture.reminders()
        #expect(figures["sent"] == 1 && figures["resent_after_crash"] == 1, "\(figures.json)")
        #expect(
            fixture.smtp.received().map { $0.header("Message-ID") } == ["<calworker.n\(id)@example.com>"],
            "the same Message-ID the lost attempt used: receiving systems treat both as one message")
        let state: String = try fixture.db.query("SELECT state FROM calworker.notifications WHERE id = $1", [id])[0].decode(at: 0)
        #expect(state == "sent")
        // A claim that is still fresh belongs to a live worker: left alone.
        try fixture.event("shift002", start: "2026-12-01T09:05:00Z")
        try fixture.db.execute(
            """
            INSERT INTO calworker.notifications (kind, key, recipient, channel, state, claimed_until)
            VALUES ('reminder', 'ada@example.com/shift002#2026-12-01T09:05:00Z', 'ada@example.com', 'email', 'sending', now() + interval '4 minutes')
            """)
        #expect(try fixture.reminders()["suppressed_duplicate"] == 2)
    }

    @Test func movedEventsGetANewReminderAndCancelledOnesNone() throws {
        let fixture = try NotifyFixture(now: utc("2026-12-01T08:35:00Z"))
        try fixture.event("shift001", start: "2026-12-01T09:00:00Z")
        try fixture.event("gone0001", start: "2026-12-01T09:00:00Z", status: "cancelled")
        #expect(try fixture.reminders()["sent"] == 1)
        try fixture.event("shift001", start: "2026-12-01T09:20:00Z")
        fixture.now = utc("2026-12-01T08:55:00Z")
        #expect(try fixture.reminders()["sent"] == 1, "moved by 20 minutes: reminded again at its new time")
        #expect(fixture.smtp.received().count == 2)
    }

    @Test func quietHoursAndAChannelOfOffHoldRemindersBack() throws {
        let fixture = try NotifyFixture(now: utc("2026-12-01T05:40:00Z"))  // 06:40 in Berlin
        try fixture.event("early001", start: "2026-12-01T06:10:00Z")
        try fixture.settings("time_zone = 'Europe/Berlin', quiet_start = '22:00', quiet_end = '07:00'")
        let quiet = try fixture.reminders()
        #expect(quiet["sent"] == 0 && quiet["suppressed_quiet_hours"] == 1)
        fixture.now = utc("2026-12-01T06:00:00Z")
        #expect(try fixture.reminders()["sent"] == 1, "07:00 in Berlin: sent, ten minutes ahead")
        try fixture.event("shift002", start: "2026-12-01T06:20:00Z")
        try fixture.settings("channel = 'off'")
        #expect(try fixture.reminders()["owners_off"] == 1)
        #expect(fixture.smtp.received().count == 1)
    }

    @Test func allDayEventsAndSeriesAcrossTheClockChange() throws {
        let fixture = try NotifyFixture(now: utc("2026-10-25T23:00:00Z"))  // 08:00 on 26 October in Tokyo
        try fixture.settings("time_zone = 'Asia/Tokyo', lead_minutes = 15")
        try fixture.event("holiday1", start: "", summary: "Company holiday", date: "2026-10-26")
        try fixture.event("standup1", start: "2026-10-19T07:00:00Z", summary: "Standup", zone: "Europe/Berlin", recurrence: ["RRULE:FREQ=WEEKLY"])
        let morning = try fixture.reminders()
        #expect(morning["sent"] == 1, "\(morning.json)")
        #expect(fixture.smtp.received().last?.text.contains("Subject: Today: Company holiday") == true)
        // The standup: 09:00 in Berlin, which is 08:00Z after the clocks went back on the 25th.
        fixture.now = utc("2026-10-26T06:50:00Z")
        #expect(try fixture.reminders()["sent"] == 0, "not at summer time's 07:00Z")
        fixture.now = utc("2026-10-26T07:46:00Z")
        #expect(try fixture.reminders()["sent"] == 1)
        #expect(
            QuotedPrintableTestDecoder.textPart(of: fixture.smtp.received().last!.text)?.contains("Mon 26 Oct, 17:00 (Asia/Tokyo), in 14 minutes")
                == true)
    }

    @Test func webhookRemindersAreSignedAndTheReceiverChecksTheSignature() throws {
        let fixture = try NotifyFixture(now: utc("2026-12-01T08:35:00Z"))
        let deliveries = Mutex<[(verified: Bool, delivery: String, body: String)]>([])
        let secret = fixture.environment.notify.webhookSecret!
        let server = try HTTPServer(address: "127.0.0.1:0") { request in
            let body = Data(request.body)
            let timestamp = Int(request.header("X-Calworker-Timestamp") ?? "") ?? 0
            let verified =
                request.header("X-Calworker-Signature") == WebhookSender.signature(secret: secret, timestamp: timestamp, body: body)
                && request.header("X-Calworker-Signature") != WebhookSender.signature(secret: "another", timestamp: timestamp, body: body)
            deliveries.withLock { $0.append((verified, request.header("X-Calworker-Delivery") ?? "", String(decoding: body, as: UTF8.self))) }
            return HTTPServerResponse(status: deliveries.withLock { $0.count } == 1 ? 503 : 204, body: "")
        }
        server.start()
        defer { server.stop() }
        try fixture.event("shift001", start: "2026-12-01T09:00:00Z", summary: "Night shift")
        try fixture.settings("channel = 'webhook', webhook_url = 'http://127.0.0.1:\(server.port)/hooks/reminders'")
        #expect(try fixture.reminders()["sent"] == 1)
        let seen = deliveries.withLock { $0 }
        #expect(seen.count == 2, "a 503 is retried")
        #expect(seen.allSatisfy { $0.verified }, "the receiver verified the HMAC-SHA256 signature")
        #expect(Set(seen.map(\.delivery)).count == 1, "the retry carries the same delivery id")
        #expect(seen[0].body.contains(#""title":"Night shift""#) && seen[0].body.contains(#""minutes_before":25"#))
        #expect(fixture.smtp.received().isEmpty, "webhook only")
    }
}
