import Accounts
import Console
import Foundation
import HTTPServer
import JobQueue
import Postgres
import Scheduling
import TestSupport
import Testing

/// The pages that show the rest of calworker: the overview's accounts needing attention and
/// the last hour, one account's calendars, the schedules and the backups.
@Suite struct ConsolePagesTests {
    typealias Fixture = ConsoleAppTests.Fixture
    func text(_ response: HTTPServerResponse) -> String { String(decoding: response.body, as: UTF8.self) }

    func account(_ fixture: Fixture, _ email: String) throws -> Int64 {
        try fixture.db.query(
            """
            INSERT INTO calworker.accounts (email, owner, key_id, refresh_token) VALUES ($1, 'owner', 'k', '\\x00') RETURNING id
            """, [email])[0].decode(at: 0)
    }

    @Test func theOverviewNamesAccountsNeedingAttentionAndTheLastHoursFailures() throws {
        let fixture = try Fixture()
        defer { fixture.database.drop() }
        let store = AccountStore(cipher: nil)
        let healthy = try account(fixture, "healthy@example.com")
        try store.recordSync(id: healthy, error: nil, on: fixture.db)
        let reauth = try account(fixture, "reauth@example.com")
        try store.setState(id: reauth, .needsReauth, error: "invalid_grant", on: fixture.db)
        let failing = try account(fixture, "<b>failing</b>@example.com")
        for attempt in 1...4 { try store.recordSync(id: failing, error: "boom \(attempt)", on: fixture.db) }
        let recovered = try account(fixture, "recovered@example.com")
        for _ in 1...5 { try store.recordSync(id: recovered, error: "boom", on: fixture.db) }
        try store.recordSync(id: recovered, error: nil, on: fixture.db)
        _ = try account(fixture, "never@example.com")
        let disabled = try account(fixture, "disabled@example.com")
        try store.setState(id: disabled, .disabled, on: fixture.db)

        #expect(try store.account(id: failing, on: fixture.db).consecutiveFailures == 4)
        #expect(try store.account(id: recovered, on: fixture.db).consecutiveFailures == 0, "a success sets the count back")
        let attention = try store.needingAttention(failures: 3, stale: .seconds(1800), limit: 2, on: fixture.db)
        #expect(attention.total == 3 && attention.accounts.map(\.id) == [reauth, failing], "worst first, at most the limit")

        _ = try fixture.discardedJob(args: "{}", error: "it broke")
        let cookie = try fixture.login(ConsoleAppTests.readerToken)
        let page = text(fixture.request("GET", "/", cookie: cookie))
        #expect(page.contains("<body data-refresh=\"5\">"), "the overview keeps itself current")
        #expect(page.contains("1 attempt(s) finished, 1 failed (100.0%)"))
        #expect(page.contains("reauth@example.com") && page.contains("needs re-authorization"))
        #expect(page.contains("&lt;b&gt;failing&lt;/b&gt;@example.com") && page.contains("4 failed syncs in a row"))
        #expect(page.contains("never@example.com") && page.contains("never synced"))
        #expect(!page.contains("healthy@example.com") && !page.contains("recovered@example.com") && !page.contains("disabled@example.com"))
        #expect(page.contains("3 account(s)"))

        let runs = text(fixture.request("GET", "/runs", cookie: cookie))
        #expect(runs.contains("data-refresh"), "the newest runs refresh")
        let older = text(fixture.request("GET", "/runs?before=1700000000000000-1-1", cookie: cookie))
        #expect(!older.contains("data-refresh"), "an older page being read stays still: \(older.prefix(600))")
    }

    @Test func anAccountsPageShowsItsCalendarsWithTheirEventsAndBusyBlocks() throws {
        let fixture = try Fixture()
        defer { fixture.database.drop() }
        let id = try account(fixture, "cal@example.com")
        for _ in 1...2 { try AccountStore(cipher: nil).recordSync(id: id, error: "quota", on: fixture.db) }
        try fixture.db.execute(
            """
            INSERT INTO calworker.calendars (account_id, calendar_id, summary, access_role, is_primary)
            VALUES ($1, 'cal@example.com', '<script>alert(1)</script>', 'owner', true), ($1, 'team', 'Team', 'writer', false)
            """, [id])
        try fixture.db.execute(
            """
            INSERT INTO calworker.events (account_id, calendar_id, event_id, status, is_mirror, raw) VALUES
              ($1, 'cal@example.com', 'a', 'confirmed', false, '{}'), ($1, 'cal@example.com', 'b', 'cancelled', false, '{}'),
              ($1, 'cal@example.com', 'm1', 'confirmed', true, '{}'), ($1, 'cal@example.com', 'm2', 'confirmed', true, '{}'),
              ($1, 'cal@example.com', 'm3', 'cancelled', true, '{}'),
              ($1, 'team', 'c', 'confirmed', false, '{}'), ($1, 'team', 'd', 'tentative', false, '{}'), ($1, 'team', 'e', 'confirmed', false, '{}')
            """, [id])
        let cookie = try fixture.login(ConsoleAppTests.readerToken)
        let response = fixture.request("GET", "/accounts/\(id)", cookie: cookie)
        let page = text(response)
        #expect(response.status == 200)
        #expect(!ConsoleAppTests().withoutOwnScript(page).contains("<script") && page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        let counts = page.matches(of: /<\/code><\/td><td>(\w+)<\/td>\s*<td>([^<]*)<\/td><td>(\d+)<\/td><td>(\d+)<\/td>/).map {
            "\($0.1) \($0.2) \($0.3) \($0.4)"
        }
        #expect(counts == ["owner primary 1 2", "writer  3 0"], "live events, and live busy blocks calworker wrote: \(page)")
        #expect(page.contains("<td>2</td><td>2</td>"), "two failures in a row, two calendars")
        #expect(fixture.request("GET", "/accounts/999999", cookie: cookie).status == 404)
        #expect(fixture.request("GET", "/accounts/0", cookie: cookie).status == 404)
        #expect(text(fixture.request("GET", "/accounts", cookie: cookie)).contains("href=\"/accounts/\(id)\""))
    }

    @Test func schedulesShowEachDefinitionsLastFireItsJobAndTheNextFire() throws {
        let definitions = try JobDefinition.loadAll(directory: TestEnvironment.packageRoot.appendingPathComponent("jobs").path)
        let fixture = try Fixture(schedules: ConsoleSchedules(definitions: definitions, timeZone: TimeZone(identifier: "UTC")!))
        defer { fixture.database.drop() }
        let job = try JobQueue().enqueue(NewJob(kind: "noop"), on: fixture.db).id
        try fixture.db.execute(
            """
            INSERT INTO calworker.schedule_fires (name, wall_time, fire_at, job_id) VALUES
              ('cleanup', 'past', now() - interval '10 minutes', $1),
              ('cleanup', 'ahead', now() + interval '1 day', 424242)
            """, [job])
        let cookie = try fixture.login(ConsoleAppTests.readerToken)
        let page = text(fixture.request("GET", "/schedules", cookie: cookie))
        for definition in definitions { #expect(page.contains("<td>\(definition.name)</td>"), "\(definition.name)") }
        #expect(page.contains("href=\"/jobs/\(job)\"") && page.contains(">available</span>"), "the last fire's job and its state")
        #expect(!page.contains("424242"), "a fire recorded ahead of the clock is not the last one")
        #expect(page.contains("none recorded"))
        #expect(page.contains("02:30:00Z"), "the nightly backup's next fire")

        let every = try #require(definitions.first { $0.schedule?.text == "* * * * *" })
        let schedules = ConsoleSchedules(definitions: definitions, timeZone: .gmt)
        let now = Date()
        let next = try #require(schedules.nextFire(every, now: now))
        #expect(next > now && next <= now.addingTimeInterval(60) && Int(next.timeIntervalSince1970) % 60 == 0)
        #expect(schedules.nextFire(every, now: now.addingTimeInterval(61)) != next, "a fire that passed is searched again")
    }

    @Test func backupsShowTheirStatusTheNewestVerifiedOneAndAStoreThatFails() throws {
        let made = Date().addingTimeInterval(-7200)
        let entries = [
            ConsoleBackups.Entry(
                id: "20261201T023000Z", createdAt: made.addingTimeInterval(-86_400), status: "verified", bytes: 1_234_567,
                verifiedAt: made, error: nil),
            ConsoleBackups.Entry(
                id: "20261202T023000Z", createdAt: made, status: "failed", bytes: 999, verifiedAt: made,
                error: "<script>alert(1)</script> row counts differ"),
            ConsoleBackups.Entry(id: "20261203T023000Z", createdAt: Date(), status: "incomplete", bytes: nil, verifiedAt: nil, error: nil),
        ]
        let fixture = try Fixture(backups: ConsoleBackups(target: "file:///srv/backups/") { entries })
        defer { fixture.database.drop() }
        let cookie = try fixture.login(ConsoleAppTests.readerToken)
        let page = text(fixture.request("GET", "/backups", cookie: cookie))
        #expect(page.contains("Newest verified backup: 20261201T023000Z, made 26 h ago"), "\(page)")
        #expect(page.contains("1.2 MB") && page.contains(">incomplete<") && page.contains(">failed<"))
        #expect(page.contains("&lt;script&gt;alert(1)&lt;/script&gt; row counts differ"))
        #expect(page.range(of: "20261203T023000Z")!.lowerBound < page.range(of: "20261202T023000Z")!.lowerBound, "newest first")

        struct StoreDown: Error, CustomStringConvertible { var description: String { "connection refused" } }
        let failing = try Fixture(backups: ConsoleBackups(target: "s3://bucket/backups/") { throw StoreDown() })
        defer { failing.database.drop() }
        let down = failing.request("GET", "/backups", cookie: try failing.login(ConsoleAppTests.readerToken))
        #expect(down.status == 200 && text(down).contains("did not list the backups (connection refused)"))

        let none = try Fixture()
        defer { none.database.drop() }
        #expect(text(none.request("GET", "/backups", cookie: try none.login(ConsoleAppTests.readerToken))).contains("set CALWORKER_BACKUP_TARGET"))
    }

    @Test func cancellingAndDisablingAskFirstWithTheScript() throws {
        let fixture = try Fixture()
        defer { fixture.database.drop() }
        let job = try JobQueue().enqueue(NewJob(kind: "noop"), on: fixture.db).id
        let id = try account(fixture, "ask@example.com")
        let cookie = try fixture.login(ConsoleAppTests.operatorToken)
        let jobPage = text(fixture.request("GET", "/jobs/\(job)", cookie: cookie))
        #expect(jobPage.contains("action=\"/jobs/\(job)/cancel\" class=\"inline\" data-confirm=\"Cancel job \(job)?\""))
        #expect(jobPage.contains("<body data-refresh=\"5\">"), "a live job's page keeps itself current")
        let accounts = text(fixture.request("GET", "/accounts", cookie: cookie))
        #expect(accounts.contains("action=\"/accounts/\(id)/disable\" class=\"inline\" data-confirm="))
    }
}
