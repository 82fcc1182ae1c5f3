import Accounts
import CalendarSync
import Foundation
import Google
import GoogleEmulator
import HTTPServer
import JobQueue
import Jobs
import LocalCopy
import Logging
import Metrics
import Postgres
import Push
import PushReceiver
import TestSupport
import Testing
import Worker

/// Push channels against the emulator, which delivers real notifications to a real receiver:
/// created with the account's first sync, renewed with no gap, stopped when the account or a
/// calendar stops taking part.
@Suite struct PushChannelTests {
    static let team = "team@group.calendar.google.com"

    @Test func channelsAreCreatedRenewedWithoutAGapAndStoppedWithTheirCalendarAndAccount() throws {
        let fixture = try SyncFixture(calendars: [SyncFixture.email, Self.team], ownedCalendars: true)
        let receiver = try fixture.startReceiver()
        defer { receiver.stop() }
        let environment = fixture.pushEnvironment(receiver)

        guard case .success(let figures) = try fixture.sync(environment: environment) else {
            Issue.record("first sync failed")
            return
        }
        #expect(figures["channels_created"] == 3, "the calendar list and both calendars")
        var live = try fixture.liveChannels()
        #expect(Set(live.map(\.resource)) == [.calendarList, .events(calendarID: SyncFixture.email), .events(calendarID: Self.team)])
        #expect(fixture.emulator.channels().filter { $0.state == .live }.count == 3)
        #expect(
            eventually(timeout: 20) { ((try? fixture.liveChannels()) ?? []).allSatisfy { $0.confirmedAt != nil } },
            "each channel's first (sync) message reached the receiver")
        for channel in live {
            let granted = try #require(channel.expiresAt)
            #expect(
                granted > Date().addingTimeInterval(6 * 86_400) && granted <= Date().addingTimeInterval(7 * 86_400 + 60),
                "the emulator grants Google's week, not the month asked for")
        }

        guard case .success(let again) = try fixture.sync(environment: environment) else {
            Issue.record("second sync failed")
            return
        }
        #expect((again["channels_created"] ?? 0) == 0, "healthy channels are left alone")

        // Taken out of mirroring: its channel goes, the others stay.
        #expect(try EventStore().setExcluded(accountID: fixture.accountID, calendarID: Self.team, true, on: fixture.db))
        guard case .success(let excluded) = try fixture.watchChannels(environment: environment) else {
            Issue.record("upkeep failed")
            return
        }
        #expect(excluded["channels_stopped"] == 1)
        live = try fixture.liveChannels()
        #expect(!live.contains { $0.resource == .events(calendarID: Self.team) } && live.count == 2)
        #expect(fixture.emulator.channels().filter { $0.state == .live }.count == 2)

        // Renewal: with a renewal window longer than the grant, every channel is due.
        var renewing = environment
        renewing.push?.renewBefore = 8 * 86_400
        let before = live
        guard case .success(let renewed) = try fixture.watchChannels(environment: renewing) else {
            Issue.record("renewal failed")
            return
        }
        #expect(renewed["channels_created"] == 2 && renewed["channels_renewed"] == 2 && renewed["channels_stopped"] == 2)
        #expect(ExpositionSamples(fixture.metrics.render()).value("calworker_push_channel_changes_total", ["change": "renewed"]) == 2)
        let all = try PushChannelStore().channels(accountID: fixture.accountID, on: fixture.db)
        for old in before {
            let ended = try #require(all.first { $0.channelID == old.channelID })
            let successor = try #require(all.first { $0.resource == old.resource && $0.state == .active })
            #expect(ended.state == .stopped)
            #expect(successor.createdAt <= ended.endedAt!, "the new channel existed before the old one was stopped")
        }
        let emulated = fixture.emulator.channels()
        #expect(emulated.filter { $0.state == .live }.map(\.id).sorted() == (try fixture.liveChannels()).map(\.channelID).sorted())
        #expect(Set(emulated.filter { $0.state == .stopped }.map(\.id)).isSuperset(of: before.map(\.channelID)))

        // Disabled: every channel goes.
        try AccountStore(cipher: nil).setState(id: fixture.accountID, .disabled, on: fixture.db)
        guard case .success = try fixture.watchChannels(environment: environment) else {
            Issue.record("upkeep failed")
            return
        }
        #expect(try fixture.liveChannels().isEmpty)
        #expect(fixture.emulator.channels().allSatisfy { $0.state != .live })
    }

    /// Two syncs of one account at once each found the channels missing and opened them twice:
    /// the upkeep ran outside the account's lock. Both upkeeps wait for the lock here, then run
    /// one after the other, and the second finds the first's channels.
    @Test func twoUpkeepsOfOneAccountAtOnceOpenEachChannelOnce() throws {
        let fixture = try SyncFixture(calendars: [SyncFixture.email, Self.team], ownedCalendars: true)
        _ = try fixture.syncUntilSuccess()
        let receiver = try fixture.startReceiver()
        defer { receiver.stop() }
        let pushEnvironment = fixture.pushEnvironment(receiver)
        let holder = try fixture.database.connect()
        let key = "calworker.sync_account:\(fixture.accountID)"
        try holder.execute("SELECT pg_advisory_lock(hashtextextended($1, 0))", [key])
        let reports = SharedList<ChannelReport>()
        let (database, accountID, cipher, metrics) = (fixture.database, fixture.accountID, fixture.environment.tokenCipher, fixture.metrics)
        let done = DispatchGroup()
        for _ in 0..<2 {
            done.enter()
            Thread {
                defer { done.leave() }
                guard let db = try? database.connect() else { return }
                let keeper = ChannelKeeper(
                    accountID: accountID, providers: pushEnvironment.syncEngine(metrics: metrics).providers, push: pushEnvironment.push,
                    store: AccountStore(cipher: cipher), db: db,
                    metrics: metrics, shouldAbort: { false })
                if let report = try? keeper.run() { reports.append(report) }
            }.start()
        }
        #expect(
            eventually(timeout: 20) {
                (try? holder.query("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")[0].decode(Int.self, at: 0)) == 2
            }, "both upkeeps wait for the account's lock")
        try holder.execute("SELECT pg_advisory_unlock(hashtextextended($1, 0))", [key])
        #expect(done.wait(timeout: .now() + 60) == .success)
        #expect(reports.values.count == 2 && reports.values.map(\.created).sorted() == [0, 3], "\(reports.values)")
        let live = try fixture.liveChannels()
        #expect(live.count == 3 && Set(live.map(\.resource)).count == 3, "each resource watched once: \(live.map(\.resource))")
        #expect(fixture.emulator.channels().filter { $0.state == .live }.count == 3)
    }

    @Test func aResetAndALostAuthorizationStopTheChannels() throws {
        let fixture = try SyncFixture(calendars: [SyncFixture.email, Self.team], ownedCalendars: true)
        let receiver = try fixture.startReceiver()
        defer { receiver.stop() }
        var environment = fixture.pushEnvironment(receiver)
        guard case .success = try fixture.sync(environment: environment) else {
            Issue.record("first sync failed")
            return
        }
        #expect(try fixture.liveChannels().count == 3)

        guard case .success = try fixture.cleanup(#"{"account_id": \#(fixture.accountID), "reset": true}"#, environment: environment) else {
            Issue.record("reset failed")
            return
        }
        #expect(try fixture.liveChannels().isEmpty)
        #expect(fixture.emulator.channels().allSatisfy { $0.state != .live })

        // The next sync starts afresh, channels included; then the user revokes access.
        guard case .success = try fixture.sync(environment: environment) else {
            Issue.record("sync after reset failed")
            return
        }
        #expect(try fixture.liveChannels().count == 3)
        try fixture.emulator.revoke(account: SyncFixture.email)
        fixture.emulator.expireAccessTokens()
        environment.google.callAttempts = 1
        guard case .discard = try fixture.sync(environment: environment) else {
            Issue.record("a revoked account is not discarded")
            return
        }
        #expect(try fixture.accountState().state == .needsReauth)
        #expect(try fixture.liveChannels().isEmpty, "a needs_reauth account's channels are over, even if Google refuses the stop")
    }

    @Test func anAddressGoogleRefusesIsNotAskedForAgainAtEverySync() throws {
        let fixture = try SyncFixture(calendars: [SyncFixture.email])
        var environment = fixture.environment
        environment.push = PushSettings(address: "ftp://127.0.0.1/push/google")
        func watchCalls() -> Int {
            fixture.emulator.requestCount(route: "calendars/{calendarId}/events/watch")
                + fixture.emulator.requestCount(route: "users/me/calendarList/watch")
        }
        guard case .success(let first) = try fixture.sync(environment: environment) else {
            Issue.record("sync failed")
            return
        }
        #expect(first["channels_failed"] == 2 && first["channels_created"] == 0)
        #expect(watchCalls() == 2)
        let failed = try PushChannelStore().channels(accountID: fixture.accountID, on: fixture.db)
        #expect(failed.count == 2 && failed.allSatisfy { $0.state == .failed && ($0.lastError ?? "").hasPrefix("refused: ") })
        guard case .success(let again) = try fixture.sync(environment: environment) else {
            Issue.record("sync failed")
            return
        }
        #expect(again["channels_failed"] == nil && watchCalls() == 2, "not asked again within the hour")
        #expect(try PushChannelStore().accountsOnPolling(on: fixture.db) == [fixture.accountID], "the account stays on polling")
    }

    /// A server that answers the watch with an error quoting the request (its channel token):
    /// the token never reaches a stored error or the report that is logged.
    @Test func aWatchErrorEchoingTheChannelTokenLeavesNoTokenBehind() throws {
        let fixture = try SyncFixture(calendars: [SyncFixture.email])
        guard case .success = try fixture.sync() else {
            Issue.record("sync failed")
            return
        }
        let bodies = SharedList<String>()
        let echo = try HTTPServer(address: "127.0.0.1:0") { request in
            let body = String(decoding: request.body, as: UTF8.self)
            bodies.append(body)
            let quoted = body.replacingOccurrences(of: "\"", with: "'")
            return HTTPServerResponse(
                status: 400, contentType: "application/json",
                body: #"{"error": {"code": 400, "message": "invalid channel \#(quoted)", "errors": []}}"#)
        }
        echo.start()
        defer { echo.stop() }
        var environment = fixture.environment
        environment.google.apiURL = "http://127.0.0.1:\(echo.port)/calendar/v3"
        environment.push = PushSettings(address: "https://calendar.example.com/push/google")
        let report = try ChannelKeeper(
            accountID: fixture.accountID, providers: environment.syncEngine(metrics: fixture.metrics).providers, push: environment.push,
            store: AccountStore(cipher: fixture.environment.tokenCipher),
            db: fixture.db, metrics: fixture.metrics, shouldAbort: { false }
        ).run()
        #expect(report.failed == 2 && report.created == 0)
        let tokens = bodies.values.compactMap { body in
            (try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])?["token"] as? String
        }
        #expect(tokens.count == 2, "the server saw both watch requests: \(bodies.values)")
        let stored = try PushChannelStore().channels(accountID: fixture.accountID, on: fixture.db).compactMap(\.lastError)
        #expect(stored.count == 2 && stored.allSatisfy { $0.contains("invalid channel") }, "\(stored)")
        for token in tokens {
            #expect(!stored.joined().contains(token), "a stored error holds the channel token")
            #expect(!(report.errors + report.retryableErrors).joined().contains(token), "the report that is logged holds it")
        }
    }

    @Test func withoutAPushURLNothingIsWatchedAndOldChannelsAreStopped() throws {
        let fixture = try SyncFixture(calendars: [SyncFixture.email])
        let receiver = try fixture.startReceiver()
        defer { receiver.stop() }
        guard case .success(let plain) = try fixture.sync() else {
            Issue.record("sync failed")
            return
        }
        #expect(plain["channels_created"] == nil && fixture.emulator.channels().isEmpty, "push off: no channel, as before")

        guard case .success = try fixture.sync(environment: fixture.pushEnvironment(receiver)) else {
            Issue.record("sync failed")
            return
        }
        #expect(try fixture.liveChannels().count == 2)
        guard case .success(let off) = try fixture.sync() else {
            Issue.record("sync failed")
            return
        }
        #expect(off["channels_stopped"] == 2, "turning push off stops the channels at the next sync")
        #expect(fixture.emulator.channels().allSatisfy { $0.state != .live })
    }
}

/// A receiver on loopback for the fixture's database, as a worker's `--http-addr` serves it.
struct LoopbackReceiver {
    let server: HTTPServer
    let receiver: PushReceiver
    var address: String { "http://127.0.0.1:\(server.port)/push/google" }
    func stop() { server.stop() }
}

extension SyncFixture {
    func startReceiver(coalesceDelay: Duration = .milliseconds(100)) throws -> LoopbackReceiver {
        let receiver = PushReceiver(
            path: "/push/google", pool: ConnectionPool(url: database.url, size: 2), coalesceDelay: coalesceDelay,
            metrics: metrics,
            logger: Logger(level: .error, handler: InMemoryLogHandler()))
        var limits = HTTPServer.Limits()
        limits.receivePushNotifications()
        let server = try HTTPServer(address: "127.0.0.1:0", limits: limits) { receiver.respond(to: $0) }
        server.start()
        return LoopbackReceiver(server: server, receiver: receiver)
    }

    func pushEnvironment(_ receiver: LoopbackReceiver) -> JobEnvironment {
        var environment = environment
        environment.push = PushSettings(address: receiver.address)
        return environment
    }

    func liveChannels() throws -> [PushChannel] {
        try PushChannelStore().channels(accountID: accountID, includeEnded: false, on: db)
    }

    /// Runs one attempt of `watch_channels` for the account.
    func watchChannels(environment: JobEnvironment) throws -> JobResult {
        let args = #"{"account_id": \#(accountID)}"#
        let job = ClaimedJob(
            id: 1, kind: WatchChannelsJob.kind, queue: "default", args: args, attempt: 1, maxAttempts: 5,
            priority: 0, timeout: nil, startedAt: Date(), dueAt: Date())
        let connection = db
        let context = JobContext(
            job: job, logger: Logger(level: .debug, handler: logs), stopSignal: StopSignal(),
            deadline: .now + .seconds(600), metrics: metrics, connectionProvider: { connection })
        let handler = WatchChannelsJob(environment: environment)
        return try handler.run(try handler.validate(try JSONDecoder().decode(WatchChannelsJob.Args.self, from: Data(args.utf8))), context: context)
    }
}

/// A change made by the user reaches the owner's other calendars through a notification alone:
/// no cron fire, no poll.
@Suite struct PushDeliveryTests {
    @Test func aUserEditReachesTheOtherCalendarsWithoutAnyCronFire() throws {
        let fixture = try SyncFixture(calendars: [SyncFixture.email, PushChannelTests.team], ownedCalendars: true)
        let receiver = try fixture.startReceiver()
        defer { receiver.stop() }
        let environment = fixture.pushEnvironment(receiver)
        guard case .success = try fixture.sync(environment: environment) else {
            Issue.record("first sync failed")
            return
        }
        #expect(eventually(timeout: 20) { ((try? fixture.liveChannels()) ?? []).allSatisfy { $0.confirmedAt != nil } })

        var options = WorkerOptions()
        options.concurrency = 2
        options.pollInterval = .milliseconds(50)
        let worker = Worker(
            databaseURL: fixture.database.url, registry: JobKinds.registry(environment), queue: JobQueue(),
            options: options, logger: Logger(level: .error, handler: fixture.logs), metrics: fixture.metrics)
        let done = DispatchSemaphore(value: 0)
        Thread {
            _ = try? worker.run()
            done.signal()
        }.start()
        defer {
            worker.requestStop()
            _ = done.wait(timeout: .now() + 30)
        }

        // Tomorrow 10:00-11:00 in the primary calendar, written by the user in Google Calendar.
        let start = SyncFixture.now.addingTimeInterval(86_400 + 10 * 3600)
        let source = try fixture.emulator.createEvent(
            calendarID: SyncFixture.email,
            [
                "summary": "Dentist", "start": ["dateTime": RFC3339Text.format(start)],
                "end": ["dateTime": RFC3339Text.format(start.addingTimeInterval(3600))],
            ])
        let mirrored = eventually(timeout: 30) {
            fixture.emulator.events(calendarID: PushChannelTests.team).contains { event in
                isMirrorEvent(event) && event["status"] as? String != "cancelled"
                    && (event["start"] as? [String: Any])?["dateTime"] as? String == (source["start"] as? [String: Any])?["dateTime"] as? String
            }
        }
        #expect(mirrored, "logs: \(fixture.logs.records.suffix(20).map { "\($0.message) \($0.metadata)" })")
        let jobs = try fixture.db.query("SELECT args::text FROM calworker.jobs WHERE kind = 'sync_account'").map { try $0.decode(String.self, at: 0) }
        #expect(!jobs.isEmpty && jobs.allSatisfy { $0.contains("\"via_push\": true") }, "only notified syncs ran: \(jobs)")
        // Observed when the job ends, just after the mirror was written.
        #expect(
            eventually(timeout: 10) {
                (ExpositionSamples(fixture.metrics.render()).value("calworker_push_notification_to_mirror_seconds_count") ?? 0) >= 1
            })
    }
}

/// RFC 3339 in UTC, as the emulator's API takes it.
enum RFC3339Text {
    static func format(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}

/// Polling as the safety net: accounts whose channels work are left to push, and a change
/// whose notification was lost still arrives within the safety interval.
@Suite struct PushSafetyPollTests {
    @Test func theFanOutLeavesHealthyAccountsToPushAndCatchesLostNotificationsAfterTheSafetyInterval() throws {
        let fixture = try SyncFixture(calendars: [SyncFixture.email, PushChannelTests.team], ownedCalendars: true)
        let receiver = try fixture.startReceiver()
        defer { receiver.stop() }
        let environment = fixture.pushEnvironment(receiver)
        guard case .success = try fixture.sync(environment: environment) else {
            Issue.record("first sync failed")
            return
        }
        #expect(eventually(timeout: 20) { ((try? fixture.liveChannels()) ?? []).allSatisfy { $0.confirmedAt != nil } })

        let fanOut = #"{"account_id": "all"}"#
        guard case .success(let covered) = try fixture.sync(args: fanOut, environment: environment) else {
            Issue.record("fan-out failed")
            return
        }
        #expect(covered["enqueued"] == 0 && covered["left_to_push"] == 1, "channels healthy, synced just now: left to push")
        guard case .success(let plain) = try fixture.sync(args: fanOut) else {
            Issue.record("fan-out failed")
            return
        }
        #expect(plain["enqueued"] == 1 && plain["left_to_push"] == nil, "without push the poll is as before")
        try fixture.db.execute("DELETE FROM calworker.jobs")

        // Google loses the next notification.
        var options = fixture.emulator.options
        options.pushDropRate = 1
        fixture.emulator.options = options
        let start = SyncFixture.now.addingTimeInterval(2 * 86_400 + 9 * 3600)
        try fixture.emulator.createEvent(
            calendarID: SyncFixture.email,
            [
                "summary": "Lost notification", "start": ["dateTime": RFC3339Text.format(start)],
                "end": ["dateTime": RFC3339Text.format(start.addingTimeInterval(1800))],
            ])
        #expect(eventually(timeout: 10) { fixture.emulator.channels().contains { $0.messagesDropped > 0 } })
        #expect(try fixture.db.query("SELECT count(*) FROM calworker.jobs").first?.decode(Int.self, at: 0) == 0, "nothing was notified")

        // The safety interval passes: the poll visits the account again.
        try fixture.db.execute("UPDATE calworker.accounts SET last_full_sync_at = now() - interval '2 hours'")
        guard case .success(let due) = try fixture.sync(args: fanOut, environment: environment) else {
            Issue.record("fan-out failed")
            return
        }
        #expect(due["enqueued"] == 1 && due["left_to_push"] == 0)
        _ = try fixture.syncUntilSuccess()
        #expect(MirrorSyncTests.check(fixture.emulator, calendars: [SyncFixture.email, PushChannelTests.team], now: SyncFixture.now).isEmpty)
        #expect(fixture.emulator.events(calendarID: PushChannelTests.team).contains { isMirrorEvent($0) }, "the lost change arrived")
    }

    @Test func anAccountWhoseChannelExpiredIsPolledEveryFiveMinutesAgain() throws {
        let fixture = try SyncFixture(calendars: [SyncFixture.email])
        let receiver = try fixture.startReceiver()
        defer { receiver.stop() }
        let environment = fixture.pushEnvironment(receiver)
        guard case .success = try fixture.sync(environment: environment) else {
            Issue.record("first sync failed")
            return
        }
        #expect(eventually(timeout: 20) { ((try? fixture.liveChannels()) ?? []).allSatisfy { $0.confirmedAt != nil } })
        #expect(try PushChannelStore().accountsOnPolling(on: fixture.db).isEmpty)

        let events = try #require(try fixture.liveChannels().first { $0.resource == .events(calendarID: SyncFixture.email) })
        try fixture.emulator.expireChannel(id: events.channelID)
        try fixture.db.execute(
            "UPDATE calworker.push_channels SET expires_at = now() - interval '1 second' WHERE channel_id = $1",
            [events.channelID])
        #expect(try PushChannelStore().accountsOnPolling(on: fixture.db) == [fixture.accountID])
        guard case .success(let fanOut) = try fixture.sync(args: #"{"account_id": "all"}"#, environment: environment) else {
            Issue.record("fan-out failed")
            return
        }
        #expect(fanOut["enqueued"] == 1, "no healthy channel: the five-minute cadence")
        guard case .success(let renewed) = try fixture.sync(environment: environment) else {
            Issue.record("sync failed")
            return
        }
        #expect(renewed["channels_expired"] == 1 && renewed["channels_created"] == 1, "the sync records the expiry and replaces the channel")
    }
}

/// The receiver as its own process (`calworker receive`), killed right after it acknowledged
/// a notification: the acknowledged change is synced all the same.
@Suite struct PushReceiverProcessTests {
    @Test func aReceiverKilledRightAfterAnswering200LosesNothing() throws {
        let fixture = try SyncFixture(calendars: [SyncFixture.email, PushChannelTests.team], ownedCalendars: true)
        let receiver = try CalworkerProcess(
            ["receive", "--http-addr", "127.0.0.1:0"], databaseURL: fixture.database.url,
            environment: ["CALWORKER_LOG_LEVEL": "info"])
        defer { receiver.signal(SIGKILL) }
        let port = try #require(receiver.servedPort(logLine: "receiving push notifications"), "receiver log: \(receiver.standardError.suffix(2000))")
        var environment = fixture.environment
        environment.push = PushSettings(address: "http://127.0.0.1:\(port)/push/google")
        guard case .success = try fixture.sync(environment: environment) else {
            Issue.record("first sync failed")
            return
        }
        #expect(
            eventually(timeout: 20) { ((try? fixture.liveChannels()) ?? []).allSatisfy { $0.confirmedAt != nil } },
            "receiver log: \(receiver.standardError.suffix(2000))")
        let channel = try #require(try fixture.liveChannels().first { $0.resource == .events(calendarID: SyncFixture.email) })
        func delivered() -> Int { fixture.emulator.channels().first { $0.id == channel.channelID }?.messagesDelivered ?? 0 }
        let before = delivered()

        let start = SyncFixture.now.addingTimeInterval(3 * 86_400 + 14 * 3600)
        try fixture.emulator.createEvent(
            calendarID: SyncFixture.email,
            [
                "summary": "Acknowledged, then the receiver died", "start": ["dateTime": RFC3339Text.format(start)],
                "end": ["dateTime": RFC3339Text.format(start.addingTimeInterval(3600))],
            ])
        #expect(eventually(timeout: 20, every: 0.002) { delivered() > before }, "the emulator saw its 200")
        receiver.signal(SIGKILL)
        #expect(receiver.wait(timeout: 10) != nil)

        // Any worker, later: the queued sync is there because it was committed before the 200.
        var options = WorkerOptions()
        options.once = true
        options.concurrency = 2
        let registry = JobKinds.registry(environment)
        let mirrored = eventually(timeout: 30, every: 0.2) {
            _ = try? Worker(
                databaseURL: fixture.database.url, registry: registry, queue: JobQueue(), options: options,
                logger: Logger(level: .error, handler: fixture.logs), metrics: fixture.metrics
            ).run()
            return fixture.emulator.events(calendarID: PushChannelTests.team).contains { isMirrorEvent($0) && $0["status"] as? String != "cancelled" }
        }
        #expect(mirrored, "logs: \(fixture.logs.records.suffix(10).map(\.message))")
    }
}
