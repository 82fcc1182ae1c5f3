import Foundation
import HTTPServer
import JobQueue
import Postgres

/// Retry or cancel every job a filter matches: a dry run shows the exact count and the first
/// matches, and only the confirmation acts, on the jobs that still match when it commits.
enum BulkPage {
    /// Loads what the page shows through the stores of the modules that own it, and renders it.
    static func respond(_ app: ConsoleApp, _ call: ConsoleCall) throws -> HTTPServerResponse {
        let (query, session) = (call.fields, call.session)
        let csrf = app.sessions.csrfToken(for: session)
        guard query["action"] != nil else {
            return ConsolePage.response(
                title: "Bulk actions", session: app.signed(session),
                body: BulkPage.body(form: query, preview: nil, csrf: csrf, role: session.role, problem: nil))
        }
        switch BulkPage.request(query) {
        case .failure(let problem):
            return ConsolePage.response(
                status: 400, title: "Bulk actions", session: app.signed(session),
                body: BulkPage.body(form: query, preview: nil, csrf: csrf, role: session.role, problem: problem.message))
        case .success(let (action, filter)):
            let preview = try app.pool.with { db in try app.queue.preview(action == .retry ? .retry : .cancel, filter, sample: 10, on: db) }
            return ConsolePage.response(
                title: "Bulk actions", session: app.signed(session),
                body: BulkPage.body(form: query, preview: preview, csrf: csrf, role: session.role, problem: nil))
        }
    }

    static let fields = ["kind", "queue", "state", "subject", "account", "arg", "since"]

    enum Action: String { case retry, cancel }

    /// The action and filter a query or form asks for, or why it cannot be used.
    static func request(_ form: ConsoleForm, now: Date = Date()) -> Result<(Action, JobFilter), ConsoleError> {
        guard let action = form["action"].flatMap(Action.init(rawValue:)) else {
            return .failure(ConsoleError("choose retry or cancel"))
        }
        var filter = JobFilter()
        filter.kind = form["kind"]
        filter.queue = form["queue"]
        if let state = form["state"] {
            guard let parsed = JobState(rawValue: state) else {
                return .failure(ConsoleError("state is one of \(JobState.allCases.map(\.rawValue).joined(separator: ", "))"))
            }
            filter.state = parsed
        }
        do throws(ConsoleError) {
            let shared = try FilterFields(form, now: now)
            filter.subject = shared.subject
            filter.argsContaining = shared.argsContaining
            filter.since = shared.since
        } catch {
            return .failure(error)
        }
        guard !filter.isEmpty else { return .failure(ConsoleError("give at least one filter, so that nobody acts on every job by accident")) }
        return .success((action, filter))
    }

    /// The filter form, and with a preview its count, first matches and the confirmation.
    static func body(form: ConsoleForm, preview: (count: Int, sample: [JobRecord])?, csrf: String, role: ConsoleRole, problem: String?) -> HTML {
        let inputs = fields.map { name -> HTML in
            "<label>\(name) <input name=\"\(name)\" value=\"\(form[name])\" size=\"12\"></label>"
        }
        let chosen = form["action"] ?? "retry"
        let options = ["retry", "cancel"].map { name -> HTML in
            name == chosen ? "<option selected>\(name)</option>" : "<option>\(name)</option>"
        }
        let warning: HTML = problem.map { "<p class=\"message\">\($0)</p>" } ?? ""
        var result: HTML = ""
        if let preview {
            let rows = preview.sample.map { job -> HTML in
                """
                <tr><td><a href="\(ConsoleLink(["jobs", String(job.id)]))">\(job.id)</a></td><td>\(job.kind)</td><td>\(job.queue)</td>
                <td>\(job.state.rawValue)</td><td class="args">\(ConsoleFormat.clip(job.args, 80))</td></tr>
                """
            }
            let hidden = (fields + ["action"]).compactMap { name -> HTML? in
                form[name].map { "<input type=\"hidden\" name=\"\(name)\" value=\"\($0)\">" }
            }
            let confirm: HTML =
                role.mayAct && preview.count > 0
                ? """
                <form method="post" action="/bulk">\(hidden)<input type="hidden" name="csrf" value="\(csrf)">
                <button>\(chosen) \(preview.count) job(s) now</button></form>
                """
                : ""
            result = """
                <p class="message">\(chosen) would act on \(preview.count) job(s) now (dry run: nothing changed).</p>
                <table><thead><tr><th>Job</th><th>Kind</th><th>Queue</th><th>State</th><th>Args</th></tr></thead>
                <tbody>\(rows)</tbody></table>
                \(confirm)
                """
        }
        return """
            \(warning)
            <form method="get" action="/bulk" class="filters"><label>action <select name="action">\(options)</select></label>
            \(inputs)<button>Count (dry run)</button></form>
            \(result)
            <p>Retry takes discarded and cancelled jobs unless a state is given; cancel takes waiting and running ones (a
            running job's worker is asked to stop it). Only jobs still matching when the action commits are touched.</p>
            """
    }
}
