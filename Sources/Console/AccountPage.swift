import Accounts
import Foundation
import HTTPServer
import LocalCopy
import Postgres
import Push

/// One account: what the accounts table says of it, and each of its calendars with its events
/// and the busy blocks calworker keeps in it.
enum AccountPage {
    /// Loads what the page shows through the stores of the modules that own it, and renders it.
    static func respond(_ app: ConsoleApp, _ call: ConsoleCall) throws -> HTTPServerResponse {
        let id = call.ids[0]
        let found = try app.pool.with { db -> (AccountsPage.Row, [AccountPage.Calendar])? in
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
                status: 404, title: "Account \(id)", "No account \(id); see the accounts page.", session: app.signed(call.session))
        }
        return ConsolePage.response(
            title: "Account \(row.account.email)", session: app.signed(call.session),
            body: AccountPage.body(row, calendars: calendars, csrf: app.sessions.csrfToken(for: call.session), role: call.session.role))
    }

    struct Calendar {
        var id: String
        var summary: String?
        var accessRole: String
        var isPrimary: Bool
        var excluded: Bool
        var deleted: Bool
        var lastSyncedAt: Date?
        /// Live events the user or others made (not cancelled, not calworker's).
        var events: Int
        /// Live busy blocks calworker wrote into this calendar.
        var mirrors: Int
    }

    /// The account's calendars with their counts, from the local copy's store.
    static func calendars(of accountID: Int64, on db: PostgresConnection) throws -> [Calendar] {
        try EventStore().calendarSummaries(accountID: accountID, on: db).map {
            Calendar(
                id: $0.calendarID, summary: $0.summary.isEmpty ? nil : $0.summary, accessRole: $0.accessRole, isPrimary: $0.primary,
                excluded: $0.excluded, deleted: $0.deleted, lastSyncedAt: $0.lastSyncedAt, events: $0.events, mirrors: $0.mirrors)
        }
    }

    static func body(_ row: AccountsPage.Row, calendars: [Calendar], csrf: String, role: ConsoleRole, now: Date = Date()) -> HTML {
        let lines = calendars.map { calendar -> HTML in
            var notes: [String] = []
            if calendar.isPrimary { notes.append("primary") }
            if calendar.excluded { notes.append("excluded by an operator") }
            if calendar.deleted { notes.append("deleted in Google") }
            return """
                <tr><td>\(calendar.summary ?? calendar.id)<br><code>\(calendar.id)</code></td><td>\(calendar.accessRole)</td>
                <td>\(notes.joined(separator: ", "))</td><td>\(calendar.events)</td><td>\(calendar.mirrors)</td>
                <td>\(ConsoleFormat.time(calendar.lastSyncedAt))</td></tr>
                """
        }
        return """
            \(AccountsPage.table([row], csrf: csrf, role: role, now: now))
            <h2>Calendars</h2>
            <table><thead><tr><th>Calendar</th><th>Access</th><th></th><th>Events</th><th>Busy blocks from calworker</th>
            <th>Last synced</th></tr></thead><tbody>\(lines)</tbody></table>
            """
    }
}
