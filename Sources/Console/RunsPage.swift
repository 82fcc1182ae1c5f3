import Configuration
import Foundation
import HTTPServer
import JobQueue
import Postgres

/// Run records with every filter of `calworker runs`, newest first, in keyset pages; the URL of
/// a filtered page is the filter, so it can be shared.
enum RunsPage {
    /// Loads what the page shows through the stores of the modules that own it, and renders it.
    static func respond(_ app: ConsoleApp, _ call: ConsoleCall) throws -> HTTPServerResponse {
        switch RunsPage.filter(call.fields) {
        case .failure(let problem):
            return ConsolePage.response(
                status: 400, title: "Runs", session: app.signed(call.session),
                body: RunsPage.body(query: call.fields, runs: [], problem: problem.message))
        case .success(let filter):
            let runs = try app.pool.with { db in try app.queue.runs(filter, on: db) }
            return ConsolePage.response(
                title: "Runs", session: app.signed(call.session), refresh: filter.before == nil,
                body: RunsPage.body(query: call.fields, runs: runs, problem: nil))
        }
    }

    static let fields = ["kind", "state", "subject", "account", "arg", "job", "error", "since", "until"]

    /// The filter a query asks for, or why it cannot be used.
    static func filter(_ query: ConsoleForm, now: Date = Date()) -> Result<RunFilter, ConsoleError> {
        var filter = RunFilter()
        filter.limit = 50
        filter.kind = query["kind"]
        if let state = query["state"] {
            guard let outcome = RunOutcome(rawValue: state) else {
                return .failure(ConsoleError("state is one of \(RunOutcome.allCases.map(\.rawValue).joined(separator: ", "))"))
            }
            filter.outcome = outcome
        }
        let shared: FilterFields
        do throws(ConsoleError) {
            shared = try FilterFields(query, now: now)
        } catch {
            return .failure(error)
        }
        filter.subject = shared.subject
        filter.argsContaining = shared.argsContaining
        filter.since = shared.since
        if let job = query["job"] {
            guard let id = Int64(job), id > 0 else { return .failure(ConsoleError("job is a job's id (a number)")) }
            filter.jobID = id
        }
        if let error = query["error"] {
            guard error.utf8.count <= 1000 else { return .failure(ConsoleError("error text is at most 1000 bytes")) }
            filter.errorContaining = error
        }
        if let until = query["until"] {
            guard let date = TimeText.parse(until) else {
                return .failure(ConsoleError("until is a time such as 2026-12-03T12:00:00Z"))
            }
            filter.until = date
        }
        if let before = query["before"] {
            guard let cursor = RunCursor(before) else { return .failure(ConsoleError("before is the cursor a previous page ended with")) }
            filter.before = cursor
        }
        return .success(filter)
    }

    static func body(query: ConsoleForm, runs: [RunRecord], problem: String?) -> HTML {
        let inputs = fields.map { name -> HTML in
            "<label>\(name) <input name=\"\(name)\" value=\"\(query[name])\" size=\"12\"></label>"
        }
        let rows = runs.map { run -> HTML in
            """
            <tr><td>\(ConsoleFormat.time(run.finishedAt))</td>
            <td><a href="\(ConsoleLink(["jobs", String(run.jobID)]))">\(run.jobID)</a></td><td>\(run.attempt)</td>
            <td>\(run.kind)</td><td>\(run.subject)</td><td class="outcome-\(run.outcome.rawValue)">\(run.outcome.rawValue)</td>
            <td>\(ConsoleFormat.seconds(run.durationMs / 1000))</td><td class="error">\(ConsoleFormat.clip(run.error))</td></tr>
            """
        }
        // The next page: the same filter, from the last record's cursor.
        let next: HTML
        if runs.count >= 50, let cursor = runs.last?.cursor {
            let items = fields.map { ($0, query[$0]) } + [("before", Optional(cursor))]
            next = "<p><a rel=\"next\" href=\"\(ConsoleLink(["runs"], query: items))\">Older runs</a></p>"
        } else {
            next = ""
        }
        let warning: HTML = problem.map { "<p class=\"message\">\($0)</p>" } ?? ""
        return """
            \(warning)
            <form method="get" action="/runs" class="filters">\(inputs)<button>Filter</button></form>
            <table><thead><tr><th>Finished</th><th>Job</th><th>Attempt</th><th>Kind</th><th>Subject</th><th>Outcome</th>
            <th>Duration</th><th>Error</th></tr></thead><tbody>\(rows)</tbody></table>
            \(next)
            """
    }
}
