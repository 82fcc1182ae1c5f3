import Accounts
import Foundation
import HTTPServer
import JobQueue
import Postgres

/// What the queue is doing: workers, each queue's depth and oldest due job, the last hour's
/// throughput and failures by kind (all from the statistics `/metrics` reads, indexed
/// statements only), and the accounts that need an operator.
enum OverviewPage {
    /// Loads what the page shows through the stores of the modules that own it, and renders it.
    static func respond(_ app: ConsoleApp, _ call: ConsoleCall) throws -> HTTPServerResponse {
        let current = try app.overview.value {
            try app.pool.with { db in
                ConsoleApp.Overview(
                    statistics: try app.queue.statistics(on: db),
                    attention: try AccountStore(cipher: nil).needingAttention(
                        failures: OverviewPage.attentionFailures, stale: OverviewPage.attentionStale, limit: 20, on: db))
            }
        }
        return ConsolePage.response(
            title: "Overview", session: app.signed(call.session), refresh: true,
            body: OverviewPage.body(
                current.statistics, attention: current.attention, csrf: app.sessions.csrfToken(for: call.session), role: call.session.role))
    }

    /// Failures in a row that put an account on the overview.
    static let attentionFailures = 3
    /// No successful sync for this long puts an active account on the overview: six missed
    /// five-minute polls.
    static let attentionStale: Duration = .seconds(30 * 60)

    static func body(
        _ statistics: QueueStatistics, attention: (accounts: [Account], total: Int), csrf: String, role: ConsoleRole,
        now: Date = Date()
    ) -> HTML {
        let queues = statistics.depths.map { depth -> HTML in
            let paused: HTML = depth.paused ? " <span class=\"paused\">paused</span>" : ""
            let action = depth.paused ? "resume" : "pause"
            let reason: HTML = depth.paused ? "" : "<input name=\"reason\" placeholder=\"reason\" size=\"10\">"
            let control: HTML =
                role.mayAct
                ? """
                <form method="post" action="\(ConsoleLink(["queues", depth.queue, action]))" class="inline">
                <input type="hidden" name="csrf" value="\(csrf)">\(reason)<button>\(action == "pause" ? "Pause" : "Resume")</button></form>
                """
                : ""
            return """
                <tr data-queue="\(depth.queue)"><td>\(depth.queue)\(paused)</td>
                <td>\(depth.due)</td><td>\(depth.scheduled)</td><td>\(depth.running)</td>
                <td>\(ConsoleFormat.seconds(depth.oldestDueAgeSeconds))</td><td>\(control)</td></tr>
                """
        }
        let outcomes = statistics.recentRuns.map { run -> HTML in
            """
            <tr><td><a href="\(ConsoleLink(["runs"], query: [("kind", run.kind), ("state", run.outcome)]))">\(run.kind)</a></td>
            <td class="outcome-\(run.outcome)">\(run.outcome)</td><td>\(run.count)</td>
            <td class="error">\(ConsoleFormat.clip(run.lastError))</td></tr>
            """
        }
        let attempts = statistics.recentRuns.reduce(0) { $0 + $1.count }
        let failed = statistics.recentRuns.filter { ["failed", "discarded", "lost"].contains($0.outcome) }.reduce(0) { $0 + $1.count }
        let share = attempts == 0 ? "" : String(format: " (%.1f%%)", 100 * Double(failed) / Double(attempts))
        let accounts = attention.accounts.map { account -> HTML in
            let why =
                account.state == .needsReauth
                ? "needs re-authorization"
                : account.consecutiveFailures >= Self.attentionFailures
                    ? "\(account.consecutiveFailures) failed syncs in a row"
                    : account.lastSyncedAt.map { "no successful sync for \(ConsoleFormat.seconds(now.timeIntervalSince($0)))" } ?? "never synced"
            return """
                <tr><td><a href="\(ConsoleLink(["accounts", String(account.id)]))">\(account.email)</a></td><td>\(account.state.rawValue)</td>
                <td>\(why)</td><td class="error">\(ConsoleFormat.clip(account.lastError))</td></tr>
                """
        }
        let attentionSection: HTML =
            attention.total == 0
            ? "<p>None: every active account synced in the last 30 min, none failing.</p>"
            : """
            <p>\(attention.total) account(s)\(attention.total > attention.accounts.count ? ", the worst \(attention.accounts.count) shown" : ""):</p>
            <table><thead><tr><th>Account</th><th>State</th><th>Why</th><th>Last error</th></tr></thead><tbody>\(accounts)</tbody></table>
            """
        let backup: HTML =
            statistics.lastVerifiedBackupAt.map { "<p>Newest verified backup: \(ConsoleFormat.time($0))</p>" }
            ?? "<p>No backup has been verified yet.</p>"
        return """
            <p>Workers: \(statistics.workersAlive) alive (\(statistics.workersStopping) stopping), \(statistics.workersStale) stale.</p>
            \(backup)
            <h2>Queues</h2>
            <table><thead><tr><th>Queue</th><th>Due</th><th>Scheduled</th><th>Running</th><th>Oldest due</th><th></th></tr></thead>
            <tbody>\(queues)</tbody></table>
            <h2>Accounts needing attention</h2>
            \(attentionSection)
            <h2>The last hour</h2>
            <p>\(attempts) attempt(s) finished, \(failed) failed\(share).</p>
            <table><thead><tr><th>Kind</th><th>Outcome</th><th>Attempts</th><th>Newest error</th></tr></thead>
            <tbody>\(outcomes)</tbody></table>
            """
    }
}
