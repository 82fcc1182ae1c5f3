import Foundation
import HTTPServer
import JobQueue
import Postgres

/// Every action taken from the console or the CLI, newest first.
enum AuditPage {
    /// Loads what the page shows through the stores of the modules that own it, and renders it.
    static func respond(_ app: ConsoleApp, _ call: ConsoleCall) throws -> HTTPServerResponse {
        let entries = try app.pool.with { db in try AuditLog().list(since: Date().addingTimeInterval(-30 * 86_400), limit: 500, on: db) }
        return ConsolePage.response(title: "Audit", session: app.signed(call.session), body: AuditPage.body(entries))
    }

    static func body(_ entries: [AuditEntry]) -> HTML {
        let rows = entries.map { entry -> HTML in
            """
            <tr><td>\(ConsoleFormat.time(entry.at))</td><td>\(entry.actor)</td><td>\(entry.origin)</td><td>\(entry.action)</td>
            <td class="args">\(entry.target)</td><td>\(entry.count.map(String.init))</td></tr>
            """
        }
        return """
            <p>The last 30 days, newest first (at most 500).</p>
            <table><thead><tr><th>When</th><th>Who</th><th>From</th><th>Action</th><th>On</th><th>Jobs</th></tr></thead>
            <tbody>\(rows)</tbody></table>
            """
    }
}
