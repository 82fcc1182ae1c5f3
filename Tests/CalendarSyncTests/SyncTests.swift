import Accounts
import CalendarSync
import Foundation
import GoogleEmulator
import Jobs
import Logging
import Metrics
import Postgres
import Synchronization
import TestSupport
import Testing
import Worker

/// `sync_account` against the emulator over loopback: the local copy equals Google's state
/// after every sync (docs/sync.md "The local copy and its cursor"), whatever happened in between.
@Suite struct SyncTests {
    static let work = "work@example.com"
    static let team = "team_3k2@group.calendar.google.com"

    @Test func fullThenIncrementalKeepsAnExactCopyOfEveryCalendar() throws {
        let fixture = try SyncFixture(calendars: [SyncFixture.email, Self.team])
        try SampleEvents.seed(fixture.emulator, calendarID: SyncFixture.email)
        try SampleEvents.seed(fixture.emulator, calendarID: Self.team, prefix: "t")
        let first = try fixture.syncUntilSuccess()
        #expect(first["full_syncs"] == 2 && first["calendars"] == 2)
        for calendar in [SyncFixture.email, Self.team] {
            try expectSameEvents(fixture, calendar)
        }
        // The fields docs/sync.md lists are pulled out of Google's JSON.
        let allDay = try fixture.db.query(
            """
            SELECT start_date::text, end_date::text, start_time IS NULL FROM calworker.events WHERE event_id = 'eallday01'
            """)[0]
        #expect(try allDay.decode(String.self, at: 0) == "2026-11-24" && allDay.decode(String.self, at: 1) == "2026-11-25")
        #expect(try allDay.decode(Bool.self, at: 2))
        let timed = try fixture.db.query(
            """
            SELECT extract(epoch FROM start_time)::bigint, start_time_zone FROM calworker.events WHERE event_id = 'etimed001'
            """)[0]
        #expect(try timed.decode(Int64.self, at: 0) == 1_795_420_800 - 3600 * 0 && timed.decode(String.self, at: 1) == "Europe/Berlin")
        let exception = try fixture.db.query(
            """
            SELECT recurring_event_id, original_start_time IS NOT NULL FROM calworker.events WHERE event_id = 'eseries01_20261130T083000Z'
            """)[0]
        #expect(try exception.decode(String.self, at: 0) == "eseries01")
        #expect(try exception.decode(Bool.self, at: 1), "the occurrence's original start is kept in its own column")
        #expect(
            try fixture.db.query("SELECT recurrence FROM calworker.events WHERE event_id = 'eseries01'")[0]
                .decode([String].self, at: 0) == ["RRULE:FREQ=WEEKLY;COUNT=10"])

        // The user edits, deletes, adds; the next sync is incremental and one call per calendar.
        try fixture.emulator.patchEvent(
            calendarID: SyncFixture.email, eventID: "etimed001",
            [
                "summary": "Dentist (moved)",
                "start": ["dateTime": "2026-11-23T11:00:00+01:00"], "end": ["dateTime": "2026-11-23T12:00:00+01:00"],
            ])
        try fixture.emulator.deleteEvent(calendarID: SyncFixture.email, eventID: "eallday01")
        try fixture.emulator.createEvent(
            calendarID: Self.team,
            [
                "id": "tnew00001", "summary": "New",
                "start": ["dateTime": "2026-11-28T10:00:00Z"], "end": ["dateTime": "2026-11-28T11:00:00Z"],
            ])
        fixture.emulator.resetStats()
        let second = try fixture.syncUntilSuccess()
        #expect(second["full_syncs"] == 0)
        #expect(second["events_fetched"] == 3)
        #expect(fixture.emulator.requestCount(route: "calendars/{calendarId}/events") == 2, "one incremental call per calendar")
        for calendar in [SyncFixture.email, Self.team] {
            try expectSameEvents(fixture, calendar)
        }
        // A deleted event stays as a tombstone that still knows when it was.
        let tombstone = try fixture.db.query("SELECT status, start_date::text FROM calworker.events WHERE event_id = 'eallday01'")[0]
        #expect(try tombstone.decode(String.self, at: 0) == "cancelled" && tombstone.decode(String.self, at: 1) == "2026-11-24")

        // Nothing changed: one calendar-list call and one events call per calendar, nothing written.
        fixture.emulator.resetStats()
        let third = try fixture.syncUntilSuccess()
        #expect(third["events_fetched"] == 0)
        #expect(fixture.emulator.requestCount(route: "calendars/{calendarId}/events") == 2)
    }

    @Test func a410MidPagingFallsBackToAFullSyncReconciledWithoutWipingAnything() throws {
        let fixture = try SyncFixture(pageSize: 40)
        try SampleEvents.many(fixture.emulator, calendarID: SyncFixture.email, count: 300)
        _ = try fixture.syncUntilSuccess()
        // Changes spread over several short pages, then the token dies while paging them.
        for index in stride(from: 0, to: 300, by: 3) {
            try fixture.emulator.patchEvent(calendarID: SyncFixture.email, eventID: "bulk\(String(format: "%06d", index))", ["summary": "changed"])
        }
        for index in stride(from: 1, to: 300, by: 10) {
            try fixture.emulator.deleteEvent(calendarID: SyncFixture.email, eventID: "bulk\(String(format: "%06d", index))")
        }
        let invalidated = Atomic<Bool>(false)
        let emulator = fixture.emulator
        fixture.onPage = { pages in
            if pages == 1 && !invalidated.exchange(true, ordering: .relaxed) {
                try? emulator.invalidateSyncTokens(calendarID: SyncFixture.email)
            }
        }
        let figures = try fixture.syncUntilSuccess()
        let didInvalidate = invalidated.load(ordering: .relaxed)
        #expect(didInvalidate)
        #expect(figures["full_syncs"] == 1, "figures: \(figures.json)")
        #expect((figures["pages"] ?? 0) > 8, "the incremental listing's first page, then a full listing of 300 in pages of 40")
        try expectSameEvents(fixture, SyncFixture.email)
        #expect(try fixture.db.query("SELECT count(*) FROM calworker.events WHERE status = 'cancelled'")[0].decode(Int.self, at: 0) == 30)
    }

    @Test func eventsGoneFromGoogleBecomeTombstonesAfterAFullResync() throws {
        let fixture = try SyncFixture()
        try SampleEvents.many(fixture.emulator, calendarID: SyncFixture.email, count: 20)
        _ = try fixture.syncUntilSuccess()
        // The local copy knows an event Google no longer returns at all (purged long ago).
        try fixture.db.execute(
            """
            INSERT INTO calworker.events (account_id, calendar_id, event_id, status, raw)
            VALUES ($1, $2, 'purged00001', 'confirmed', '{"id": "purged00001"}')
            """, [fixture.accountID, SyncFixture.email])
        try fixture.emulator.invalidateSyncTokens(calendarID: SyncFixture.email)
        let figures = try fixture.syncUntilSuccess()
        #expect(figures["full_syncs"] == 1)
        let purged = try fixture.db.query("SELECT status FROM calworker.events WHERE event_id = 'purged00001'")[0]
        #expect(try purged.decode(String.self, at: 0) == "cancelled", "kept as a tombstone, not deleted")
        #expect(try fixture.db.query("SELECT count(*) FROM calworker.events WHERE status = 'confirmed'")[0].decode(Int.self, at: 0) == 20)
    }

    @Test func injectedFaultsAndRateLimitsStillConverge() throws {
        let fixture = try SyncFixture(calendars: [SyncFixture.email, Self.team], shortPages: true)
        try SampleEvents.many(fixture.emulator, calendarID: SyncFixture.email, count: 400)
        try SampleEvents.seed(fixture.emulator, calendarID: Self.team)
        fixture.emulator.setFaults(rate: 0.1, kinds: [.rateLimit403, .userRateLimit403, .serverError, .serviceUnavailable, .drop], seed: 7)
        let figures = try fixture.syncUntilSuccess(attempts: 30)
        #expect((figures["backoffs"] ?? 0) > 0, "faults were met and backed off")
        for calendar in [SyncFixture.email, Self.team] {
            try expectSameEvents(fixture, calendar)
        }
        let samples = ExpositionSamples(fixture.metrics.render())
        let failed = ["4xx", "5xx", "error"].compactMap { samples.value("calworker_http_requests_total", ["service": "google", "status_class": $0]) }
        #expect(failed.reduce(0, +) >= 1, "the faults show in the request metrics")
    }

    @Test func aRateLimitWithRetryAfterIsHonouredAndCounted() throws {
        let fixture = try SyncFixture()
        try SampleEvents.seed(fixture.emulator, calendarID: SyncFixture.email)
        fixture.emulator.failNext(.rateLimit429, count: 1)
        let started = ContinuousClock.now
        let figures = try fixture.syncUntilSuccess()
        #expect(ContinuousClock.now - started >= .seconds(1), "Retry-After: 1 was waited out")
        #expect(figures["backoffs"] == 1)
        #expect(figures["api_calendarList_list_429"] == 1)
    }

    @Test func anExpiredAccessTokenIsRefreshedOnceOn401() throws {
        let fixture = try SyncFixture()
        try SampleEvents.seed(fixture.emulator, calendarID: SyncFixture.email)
        _ = try fixture.syncUntilSuccess()
        fixture.emulator.expireAccessTokens()
        let figures = try fixture.syncUntilSuccess(attempts: 1)
        #expect(figures["token_refreshes"] == 1)
        #expect(figures["api_calendarList_list_401"] == 1)
        #expect(try fixture.accountState().hasAccessToken)
    }

    @Test func invalidGrantMarksTheAccountNeedsReauthAndStopsRetrying() throws {
        let fixture = try SyncFixture()
        try fixture.emulator.revoke(account: SyncFixture.email)
        let result = try fixture.sync()
        guard case .discard(let reason, _) = result else {
            Issue.record("expected a discard, got \(result)")
            return
        }
        #expect(reason.contains("connected again"))
        #expect(try fixture.accountState().state == .needsReauth)
        fixture.emulator.resetStats()
        guard case .discard = try fixture.sync() else {
            Issue.record("a needs_reauth account is not synced")
            return
        }
        #expect(fixture.emulator.requestCount() == 0, "no call for an account that needs re-auth")
        #expect(!fixture.logs.records.contains { "\($0.metadata)".contains(SyncFixture.refreshToken) })
    }

    @Test func quotaExceededPausesTheAccountForHours() throws {
        let fixture = try SyncFixture()
        fixture.emulator.failNext(.quotaExceeded, count: 1)
        let result = try fixture.sync()
        guard case .retry(let after, _, _) = result else {
            Issue.record("expected a retry, got \(result)")
            return
        }
        #expect(after >= .seconds(3600))
        let paused = try #require(try fixture.accountState().pausedUntil)
        #expect(paused > Date().addingTimeInterval(3000))
        #expect(fixture.emulator.requestCount() <= 2, "no hammering")
    }

    @Test func allFansOutOneUniqueJobPerActiveAccount() throws {
        let fixture = try SyncFixture()
        let store = AccountStore(cipher: fixture.environment.tokenCipher)
        let second = try store.add(email: "bo@example.com", owner: nil, refreshToken: "rt-bo", on: fixture.db).id
        let third = try store.add(email: "cy@example.com", owner: nil, refreshToken: "rt-cy", on: fixture.db).id
        try store.setState(id: third, .disabled, on: fixture.db)
        guard case .success(let figures) = try fixture.sync(args: #"{"account_id": "all"}"#) else {
            Issue.record("fan-out failed")
            return
        }
        #expect(figures["enqueued"] == 2)
        let keys = try fixture.db.query("SELECT unique_key FROM calworker.jobs ORDER BY unique_key").map { try $0.decode(String.self, at: 0) }
        #expect(keys == ["sync_account:\(fixture.accountID)", "sync_account:\(second)"])
        let attempts = try fixture.db.query("SELECT DISTINCT max_attempts FROM calworker.jobs").map { try $0.decode(Int.self, at: 0) }
        #expect(attempts == [SyncAccountJob.fannedOutAttempts], "a broken account ends its job in minutes, for the next fan-out")
        // Cron again while they wait: nothing piles up.
        guard case .success(let again) = try fixture.sync(args: #"{"account_id": "all"}"#) else { return }
        #expect(again["enqueued"] == 0)
    }

    /// An account a newer worker connected at a service this worker does not speak: its sync
    /// is discarded with a reason naming the provider, and Google is never asked about it.
    @Test func anAccountAtAProviderThisWorkerDoesNotSpeakIsDiscardedSayingWhich() throws {
        let fixture = try SyncFixture()
        try fixture.db.execute("UPDATE calworker.accounts SET provider = 'exchange' WHERE id = $1", [fixture.accountID])
        let result = try fixture.sync()
        guard case .discard(let reason, _) = result else {
            Issue.record("expected a discard, got \(result)")
            return
        }
        #expect(reason.contains("'exchange'") && reason.contains("google"), "\(reason)")
        #expect(fixture.emulator.requestCount() == 0)
        #expect(try fixture.accountState().state == .active, "the account is left as it is for a worker that speaks it")
    }
}
