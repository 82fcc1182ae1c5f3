import Accounts
import CalendarSync
import Foundation
import Google
import GoogleEmulator
import JobArgs
import JobQueue
import Jobs
import Logging
import Metrics
import Postgres
import RequestBudgets
import TestSupport
import Testing
import Worker

/// The OAuth project's budget, shared by every account: a fan-out over hundreds of accounts
/// slows down as a whole instead of drawing Google's project-wide rateLimitExceeded.
@Suite struct ProjectBudgetTests {
    @Test func fiveHundredAccountsShareTheProjectBudgetWithoutOne403Or429() throws {
        let fixture = try SyncFixture()
        // Google's 10,000 a minute, scaled down so the test takes seconds: the emulator allows
        // 3,000 a minute for the project; calworker budgets 2,700 of it, as 9,000 of 10,000.
        var options = fixture.emulator.options
        options.projectRequestsPerMinute = 3000
        fixture.emulator.options = options
        let store = AccountStore(cipher: fixture.environment.tokenCipher)
        for index in 1..<500 {
            let email = "user\(index)@example.com"
            fixture.emulator.addAccount(email: email, refreshToken: "rt-\(index)")
            try fixture.emulator.addCalendar(account: email, id: email, primary: true)
            _ = try store.add(email: email, owner: "owner-\(index)", refreshToken: "rt-\(index)", on: fixture.db)
        }
        var environment = fixture.environment
        environment.google.sharedBudgets = PostgresRequestBudgets(conninfo: fixture.database.url)
        environment.google.projectRequestsPerMinute = 2700
        let registry = JobKinds.registry(environment)
        _ = try registry.enqueue(SyncAccountArgs(.all), queue: JobQueue(), on: fixture.db)

        var workerOptions = WorkerOptions()
        workerOptions.concurrency = 8
        workerOptions.once = true
        let summary = try Worker(
            databaseURL: fixture.database.url, registry: registry, queue: JobQueue(), options: workerOptions,
            logger: Logger(level: .error, handler: fixture.logs), metrics: fixture.metrics
        ).run()
        #expect(summary.completed == 501, "the fan-out and 500 account syncs: \(summary)")
        #expect(
            fixture.emulator.requestCount(status: 403) == 0 && fixture.emulator.requestCount(status: 429) == 0,
            "no rate limit answers: \(fixture.emulator.stats().filter { $0.key.status >= 400 })")
        #expect(fixture.emulator.requestCount() >= 1000, "each account listed its calendars and events")
        let synced = try fixture.db.query("SELECT count(*) FROM calworker.accounts WHERE last_synced_at IS NOT NULL").first?.decode(Int.self, at: 0)
        #expect(synced == 500)
        let bucket = try fixture.db.query(
            "SELECT count(*) FROM calworker.project_request_budgets WHERE project = $1",
            [fixture.emulator.clientID]
        ).first?.decode(Int.self, at: 0)
        #expect(bucket == 1, "every take went through the project's one bucket")
    }
}
