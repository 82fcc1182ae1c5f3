import Accounts
import Foundation
import HTTPServer
import JobQueue
import LocalCopy
import Postgres
import Push
import Scheduling

/// The console's pages, one route each: a page loads what it shows through the stores of the
/// modules that own it, and its page type renders it.
extension ConsoleApp {
    static let pages: [ConsoleRoute] = [
        ConsoleRoute([]) { app, call in try app.overviewPage(call) },
        ConsoleRoute([.literal("accounts")]) { app, call in try app.accountsPage(call) },
        ConsoleRoute([.literal("accounts"), .id]) { app, call in try app.accountPage(call) },
        ConsoleRoute([.literal("schedules")]) { app, call in try app.schedulesPage(call) },
        ConsoleRoute([.literal("backups")]) { app, call in app.backupsPage(call) },
        ConsoleRoute([.literal("audit")]) { app, call in try app.auditPage(call) },
        ConsoleRoute([.literal("bulk")]) { app, call in try app.bulkPage(call) },
        ConsoleRoute([.literal("runs")]) { app, call in try app.runsPage(call) },
        ConsoleRoute([.literal("jobs"), .id]) { app, call in try app.jobPage(call) },
    ]

    func overviewPage(_ call: ConsoleCall) throws -> HTTPServerResponse {
        let current = try overview.value {
            try pool.with { db in
                Overview(
                    statistics: try queue.statistics(on: db),
                    attention: try AccountStore(cipher: nil).needingAttention(
                        failures: OverviewPage.attentionFailures, stale: OverviewPage.attentionStale, limit: 20, on: db))
            }
        }
        return ConsolePage.response(
            title: "Overview", session: signed(call.session), refresh: true,
            body: OverviewPage.body(
                current.statistics, attention: current.attention, csrf: sessions.csrfToken(for: call.session), role: call.session.role))
    }

    func accountsPage(_ call: ConsoleCall) throws -> HTTPServerResponse {
        let rows = try pool.with { db -> [AccountsPage.Row] in
            let accounts = try AccountStore(cipher: nil).list(on: db)
            let calendars = try EventStore().calendarCounts(on: db)
            let channels = try PushChannelStore().liveCounts(on: db)
            return accounts.map { AccountsPage.Row(account: $0, calendars: calendars[$0.id] ?? 0, channels: channels[$0.id] ?? 0) }
        }
        return ConsolePage.response(
            title: "Accounts", session: signed(call.session),
            body: AccountsPage.body(rows, csrf: sessions.csrfToken(for: call.session), role: call.session.role))
    }

    func accountPage(_ call: ConsoleCall) throws -> HTTPServerResponse {
        let id = call.ids[0]
        let found = try pool.with { db -> (AccountsPage.Row, [AccountPage.Calendar])? in
            let account: Account
            do {
                account = try AccountStore(cipher: nil).account(id: id, on: db)
            } catch let error as AccountError where error.code == .notFound {
                return nil
            }
            let calendars = try AccountPage.calendars(of: id, on: db)
            let channels = try PushChannelStore().liveCounts(accountID: id, on: db)[id] ?? 0
            return (AccountsPage.Row(account: account, calendars: calendars.count, channels: channels), calendars)
        }
        guard let (row, calendars) = found else {
            return ConsolePage.message(
                status: 404, title: "Account \(id)", "No account \(id); see the accounts page.", session: signed(call.session))
        }
        return ConsolePage.response(
            title: "Account \(row.account.email)", session: signed(call.session),
            body: AccountPage.body(row, calendars: calendars, csrf: sessions.csrfToken(for: call.session), role: call.session.role))
    }

    func schedulesPage(_ call: ConsoleCall) throws -> HTTPServerResponse {
        let now = Date()
        let rows = try pool.with { db -> [SchedulesPage.Row] in
            guard let schedules else { return [] }
            let fires = try ScheduleFires.newest(names: schedules.definitions.map(\.name), now: now, on: db)
            return try schedules.definitions.map { definition in
                let fire = fires[definition.name]
                return SchedulesPage.Row(
                    definition: definition, lastFire: fire, lastJob: try fire?.jobID.flatMap { try queue.job(id: $0, on: db) },
                    nextFire: schedules.nextFire(definition, now: now))
            }
        }
        return ConsolePage.response(
            title: "Schedules", session: signed(call.session), refresh: true,
            body: SchedulesPage.body(rows, timeZone: schedules?.timeZone ?? .gmt, now: now))
    }

    func backupsPage(_ call: ConsoleCall) -> HTTPServerResponse {
        let listed = Result { () throws(any Error) -> [ConsoleBackups.Entry] in try backups?.list() ?? [] }
        return ConsolePage.response(
            title: "Backups", session: signed(call.session), body: BackupsPage.body(target: backups?.target, entries: listed))
    }

    func auditPage(_ call: ConsoleCall) throws -> HTTPServerResponse {
        let entries = try pool.with { db in try AuditLog().list(since: Date().addingTimeInterval(-30 * 86_400), limit: 500, on: db) }
        return ConsolePage.response(title: "Audit", session: signed(call.session), body: AuditPage.body(entries))
    }

    func bulkPage(_ call: ConsoleCall) throws -> HTTPServerResponse {
        let (query, session) = (call.fields, call.session)
        let csrf = sessions.csrfToken(for: session)
        guard query["action"] != nil else {
            return ConsolePage.response(
                title: "Bulk actions", session: signed(session),
                body: BulkPage.body(form: query, preview: nil, csrf: csrf, role: session.role, problem: nil))
        }
        switch BulkPage.request(query) {
        case .failure(let problem):
            return ConsolePage.response(
                status: 400, title: "Bulk actions", session: signed(session),
                body: BulkPage.body(form: query, preview: nil, csrf: csrf, role: session.role, problem: problem.message))
        case .success(let (action, filter)):
            let preview = try pool.with { db in try queue.preview(action == .retry ? .retry : .cancel, filter, sample: 10, on: db) }
            return ConsolePage.response(
                title: "Bulk actions", session: signed(session),
                body: BulkPage.body(form: query, preview: preview, csrf: csrf, role: session.role, problem: nil))
        }
    }

    func runsPage(_ call: ConsoleCall) throws -> HTTPServerResponse {
        switch RunsPage.filter(call.fields) {
        case .failure(let problem):
            return ConsolePage.response(
                status: 400, title: "Runs", session: signed(call.session),
                body: RunsPage.body(query: call.fields, runs: [], problem: problem.message))
        case .success(let filter):
            let runs = try pool.with { db in try queue.runs(filter, on: db) }
            return ConsolePage.response(
                title: "Runs", session: signed(call.session), refresh: filter.before == nil,
                body: RunsPage.body(query: call.fields, runs: runs, problem: nil))
        }
    }

    func jobPage(_ call: ConsoleCall) throws -> HTTPServerResponse {
        let id = call.ids[0]
        let found = try pool.with { db -> (JobRecord, [RunRecord])? in
            guard let job = try queue.job(id: id, on: db) else { return nil }
            return (job, Array(try queue.runs(RunFilter(jobID: id, limit: 1000), on: db).reversed()))
        }
        guard let (job, runs) = found else {
            return ConsolePage.message(
                status: 404, title: "Job \(id)", "No job \(id), and no run records of it (kept for the history's retention).",
                session: signed(call.session))
        }
        return ConsolePage.response(
            title: "Job \(id)", session: signed(call.session), refresh: job.state.isLive,
            body: JobPage.body(job: job, runs: runs, csrf: sessions.csrfToken(for: call.session), role: call.session.role))
    }
}
