import Foundation
import HTTPServer
import JobQueue
import Postgres

/// One job: its args and every attempt, with retry and cancel for an operator.
enum JobPage {
    /// Loads what the page shows through the stores of the modules that own it, and renders it.
    static func respond(_ app: ConsoleApp, _ call: ConsoleCall) throws -> HTTPServerResponse {
        let id = call.ids[0]
        let found = try app.pool.with { db -> (JobRecord, [RunRecord])? in
            guard let job = try app.queue.job(id: id, on: db) else { return nil }
            return (job, Array(try app.queue.runs(RunFilter(jobID: id, limit: 1000), on: db).reversed()))
        }
        guard let (job, runs) = found else {
            return ConsolePage.message(
                status: 404, title: "Job \(id)", "No job \(id), and no run records of it (kept for the history's retention).",
                session: app.signed(call.session))
        }
        return ConsolePage.response(
            title: "Job \(id)", session: app.signed(call.session), refresh: job.state.isLive,
            body: JobPage.body(job: job, runs: runs, csrf: app.sessions.csrfToken(for: call.session), role: call.session.role))
    }

    static func body(job: JobRecord, runs: [RunRecord], csrf: String, role: ConsoleRole) -> HTML {
        let attempts = runs.map { run -> HTML in
            """
            <tr><td>\(run.attempt)</td><td class="outcome-\(run.outcome.rawValue)">\(run.outcome.rawValue)</td>
            <td>\(ConsoleFormat.time(run.startedAt))</td><td>\(ConsoleFormat.seconds(run.durationMs / 1000))</td>
            <td>\(run.workerID)</td><td class="args">\(run.figures)</td><td class="error">\(run.error)</td></tr>
            """
        }
        var actions: [HTML] = []
        if role.mayAct {
            if job.state != .running {
                actions.append(form(job.id, "retry", "Retry now", csrf: csrf))
            }
            if job.state == .available || job.state == .running {
                actions.append(form(job.id, "cancel", job.state == .running ? "Ask its worker to stop it" : "Cancel", csrf: csrf))
            }
        }
        return """
            <table><tbody>
            <tr><th>State</th><td>\(job.state.rawValue)</td></tr>
            <tr><th>Kind</th><td>\(job.kind)</td></tr><tr><th>Queue</th><td>\(job.queue)</td></tr>
            <tr><th>Args</th><td class="args">\(job.args)</td></tr>
            <tr><th>Attempts</th><td>\(job.attempt) of \(job.maxAttempts)</td></tr>
            <tr><th>Priority</th><td>\(job.priority)</td></tr>
            <tr><th>Unique key</th><td>\(job.uniqueKey)</td></tr>
            <tr><th>Created</th><td>\(ConsoleFormat.time(job.createdAt))</td></tr>
            <tr><th>Finished</th><td>\(ConsoleFormat.time(job.finishedAt))</td></tr>
            <tr><th>Last error</th><td class="error">\(job.lastError)</td></tr>
            </tbody></table>
            <p>\(actions)</p>
            <h2>Attempts</h2>
            <table><thead><tr><th>Attempt</th><th>Outcome</th><th>Started</th><th>Duration</th><th>Worker</th><th>Figures</th>
            <th>Error</th></tr></thead><tbody>\(attempts)</tbody></table>
            """
    }

    static func form(_ id: Int64, _ action: String, _ label: String, csrf: String) -> HTML {
        ConsolePage.actionForm(
            ConsoleLink(["jobs", String(id), action]), label, csrf: csrf,
            confirm: action == "cancel" ? "Cancel job \(id)?" : nil)
    }
}
