import Accounts
import Foundation
import HTTPServer
import LocalCopy
import Postgres
import Push

/// Connected accounts: state, the last successful sync and its age, the last error, calendars
/// and live push channels, what to do about `needs_reauth`; disable, enable and sync now.
enum AccountsPage {
    /// Loads what the page shows through the stores of the modules that own it, and renders it.
    static func respond(_ app: ConsoleApp, _ call: ConsoleCall) throws -> HTTPServerResponse {
        let rows = try app.pool.with { db -> [AccountsPage.Row] in
            let accounts = try AccountStore(cipher: nil).list(on: db)
            let calendars = try EventStore().calendarCounts(on: db)
            let channels = try PushChannelStore().liveCounts(on: db)
            return accounts.map { AccountsPage.Row(account: $0, calendars: calendars[$0.id] ?? 0, channels: channels[$0.id] ?? 0) }
        }
        return ConsolePage.response(
            title: "Accounts", session: app.signed(call.session),
            body: AccountsPage.body(rows, csrf: app.sessions.csrfToken(for: call.session), role: call.session.role))
    }

    struct Row {
        var account: Account
        var calendars: Int
        var channels: Int
    }

    static func body(_ rows: [Row], csrf: String, role: ConsoleRole, now: Date = Date()) -> HTML {
        rows.isEmpty ? "<p>No accounts yet: add one with <code>calworker accounts add</code>.</p>" : table(rows, csrf: csrf, role: role, now: now)
    }

    static func table(_ rows: [Row], csrf: String, role: ConsoleRole, now: Date = Date()) -> HTML {
        let lines = rows.map { row -> HTML in
            let account = row.account
            let age = account.lastSyncedAt.map { ConsoleFormat.seconds(now.timeIntervalSince($0)) + " ago" } ?? "never"
            let advice: HTML =
                account.state == .needsReauth
                ? "<br>Google refused its token: the user must connect the calendar again; then <code>calworker accounts reconnect \(account.id) --refresh-token-file F</code>"
                : ""
            var actions: [HTML] = []
            if role.mayAct {
                if account.state == .active { actions.append(form(account.id, "sync", "Sync now", csrf: csrf)) }
                actions.append(
                    account.state == .disabled
                        ? form(account.id, "enable", "Enable", csrf: csrf)
                        : form(account.id, "disable", "Disable", csrf: csrf))
            }
            return """
                <tr><td><a href="\(ConsoleLink(["accounts", String(account.id)]))">\(account.id)</a></td><td>\(account.email)</td><td>\(account.owner)</td>
                <td class="state-\(account.state.rawValue)">\(account.state.rawValue)\(advice)</td>
                <td>\(ConsoleFormat.time(account.lastSyncedAt))<br>\(age)</td><td>\(account.consecutiveFailures)</td><td>\(row.calendars)</td><td>\(row.channels)</td>
                <td class="error">\(ConsoleFormat.clip(account.lastError))</td>
                <td><a href="\(ConsoleLink(["runs"], query: [("account", String(account.id))]))">runs</a> \(actions)</td></tr>
                """
        }
        return """
            <table><thead><tr><th>Id</th><th>E-mail</th><th>Owner</th><th>State</th><th>Last sync</th><th>Failures in a row</th><th>Calendars</th>
            <th>Push channels</th><th>Last error</th><th></th></tr></thead><tbody>\(lines)</tbody></table>
            """
    }

    static func form(_ id: Int64, _ action: String, _ label: String, csrf: String) -> HTML {
        ConsolePage.actionForm(
            ConsoleLink(["accounts", String(id), action]), label, csrf: csrf,
            confirm: action == "disable" ? "Disable account \(id)? Its syncs stop until it is enabled." : nil)
    }
}
