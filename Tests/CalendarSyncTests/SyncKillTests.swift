import Foundation
import GoogleEmulator
import JobQueue
import Postgres
import TestSupport
import Testing

/// The real binary, killed with SIGKILL at random points of a sync: the next run converges to
/// Google's state with nothing lost or duplicated (docs/sync.md "Faults the sync survives").
@Suite struct SyncKillTests {
    @Test func aSyncKilledAtRandomPointsConvergesOnRerun() throws {
        let fixture = try SyncFixture(calendars: [SyncFixture.email, "team_kill@group.calendar.google.com"], shortPages: true)
        try SampleEvents.many(fixture.emulator, calendarID: SyncFixture.email, count: 3000)
        try SampleEvents.seed(fixture.emulator, calendarID: "team_kill@group.calendar.google.com")
        let environment = [
            "CALWORKER_GOOGLE_API_URL": fixture.emulator.apiURL, "CALWORKER_GOOGLE_TOKEN_URL": fixture.emulator.tokenURL,
            "CALWORKER_GOOGLE_CLIENT_ID": fixture.emulator.clientID, "CALWORKER_GOOGLE_CLIENT_SECRET": fixture.emulator.clientSecret,
            "CALWORKER_TOKEN_KEY": SyncFixture.keyBase64, "CALWORKER_LEASE": "2s", "CALWORKER_RETRY_BASE": "100ms",
            "CALWORKER_LOG_LEVEL": "warning",
        ]
        var generator = SystemRandomNumberGenerator()
        for round in 0..<4 {
            _ = try JobQueue().enqueue(
                NewJob(
                    kind: "sync_account", args: #"{"account_id": \#(fixture.accountID)}"#,
                    uniqueKey: "sync_account:\(fixture.accountID)"), on: fixture.db)
            let worker = try CalworkerProcess(["work", "--poll-interval", "100ms"], databaseURL: fixture.database.url, environment: environment)
            Thread.sleep(forTimeInterval: Double.random(in: 0.2...1.2, using: &generator))
            worker.signal(SIGKILL)
            #expect(worker.wait(timeout: 10) != nil, "round \(round)")
            // Between kills the user keeps editing.
            try fixture.emulator.patchEvent(
                calendarID: SyncFixture.email, eventID: "bulk\(String(format: "%06d", round * 7))",
                ["summary": "edited in round \(round)"])
            try fixture.emulator.deleteEvent(calendarID: SyncFixture.email, eventID: "bulk\(String(format: "%06d", 1000 + round))")
        }
        // A last run without interruption: the killed job is rescued after its lease, then the sync completes.
        _ = try JobQueue().enqueue(
            NewJob(
                kind: "sync_account", args: #"{"account_id": \#(fixture.accountID)}"#,
                uniqueKey: "sync_account:\(fixture.accountID)"), on: fixture.db)
        Thread.sleep(forTimeInterval: 2.5)
        let finish = try CalworkerProcess.run(["work", "--once"], databaseURL: fixture.database.url, environment: environment, timeout: 300)
        #expect(finish.status == 0, "\(finish.stderr.suffix(2000))")
        // If the rescued job snoozed (backoff), one more pass picks it up.
        if try fixture.db.query("SELECT count(*) FROM calworker.jobs WHERE state = 'available'")[0].decode(Int.self, at: 0) > 0 {
            Thread.sleep(forTimeInterval: 1)
            _ = try CalworkerProcess.run(["work", "--once"], databaseURL: fixture.database.url, environment: environment, timeout: 300)
        }
        let errors = try fixture.db.query("SELECT outcome || ': ' || coalesce(error, '') FROM calworker.job_runs ORDER BY finished_at")
            .map { try $0.decode(String.self, at: 0) }
        for calendar in [SyncFixture.email, "team_kill@group.calendar.google.com"] {
            let local = try fixture.local(calendar)
            let remote = fixture.remote(calendar)
            let differing = Set(local.keys).union(remote.keys).filter { local[$0] != remote[$0] }
            #expect(
                differing.isEmpty,
                "calendar \(calendar): \(local.count) local, \(remote.count) at Google, \(differing.count) differ, e.g. \(differing.sorted().prefix(3)); runs: \(errors)"
            )
        }
        let completed = try fixture.db.query(
            """
            SELECT count(*) FROM calworker.job_runs WHERE kind = 'sync_account' AND outcome = 'completed'
            """)[0].decode(Int.self, at: 0)
        #expect(completed >= 1)
    }
}

@Suite struct MirrorKillTests {
    /// Two accounts of one owner, workers SIGKILLed at random points while they mirror; the
    /// final state obeys every rule the checker reads, with no duplicate.
    @Test func mirroringKilledAtRandomPointsConvergesWithoutDuplicates() throws {
        let (fixture, _) = try MirrorSyncTests.twoAccounts()
        let calendars = [SyncFixture.email, MirrorSyncTests.work, "team@group.calendar.google.com"]
        // Upcoming events on the real clock: the binary measures the window from now.
        for (index, calendar) in calendars.enumerated() {
            try SampleEvents.many(
                fixture.emulator, calendarID: calendar, count: 40, prefix: "k\(index)x",
                from: Date().addingTimeInterval(86_400 + Double(index) * 600))
        }
        let environment = [
            "CALWORKER_GOOGLE_API_URL": fixture.emulator.apiURL, "CALWORKER_GOOGLE_TOKEN_URL": fixture.emulator.tokenURL,
            "CALWORKER_GOOGLE_CLIENT_ID": fixture.emulator.clientID, "CALWORKER_GOOGLE_CLIENT_SECRET": fixture.emulator.clientSecret,
            "CALWORKER_TOKEN_KEY": SyncFixture.keyBase64, "CALWORKER_LEASE": "2s", "CALWORKER_RETRY_BASE": "100ms",
            "CALWORKER_LOG_LEVEL": "warning",
        ]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<4 {
            _ = try fixture.sync(args: #"{"account_id": "all"}"#)
            let worker = try CalworkerProcess(["work", "--poll-interval", "100ms"], databaseURL: fixture.database.url, environment: environment)
            Thread.sleep(forTimeInterval: Double.random(in: 0.2...1.0, using: &generator))
            worker.signal(SIGKILL)
            _ = worker.wait(timeout: 10)
        }
        Thread.sleep(forTimeInterval: 2.5)
        for _ in 0..<3 {
            _ = try fixture.sync(args: #"{"account_id": "all"}"#)
            let run = try CalworkerProcess.run(["work", "--once"], databaseURL: fixture.database.url, environment: environment, timeout: 300)
            #expect(run.status == 0, "\(run.stderr.suffix(1000))")
            Thread.sleep(forTimeInterval: 0.5)
        }
        #expect(MirrorSyncTests.check(fixture.emulator, calendars: calendars) == [])
        let mirrors = calendars.flatMap { fixture.emulator.events(calendarID: $0) }.filter(isLiveMirror)
        #expect(mirrors.count == 240, "40 sources in each of 3 calendars, each mirrored into the 2 others")
    }
}
