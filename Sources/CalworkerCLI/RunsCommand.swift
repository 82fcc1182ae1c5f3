import Basics
import Configuration
import Foundation
import JobQueue
import Logging
import Postgres

enum RunsCommand {
    struct JobDetail: Encodable {
        var job: JobRecord
        var runs: [RunRecord]
    }

    static let command = Command(
        name: "runs",
        summary: "List run records (one per attempt), or show one job with all its attempts",
        usage: """
            runs [--kind K] [--state OUTCOME] [--since 1h] [--until TIME] [--subject S | --account N] [--arg KEY=VALUE] [--job ID] [--error TEXT] [--limit N] [--before CURSOR]
                   calworker runs show JOB_ID
                   calworker runs export --since D [the same filters]
            """,
        details: """
            OUTCOME is one of: \(RunOutcome.allCases.map(\.rawValue).joined(separator: ", ")).
            Each record keeps the job's args, priority, unique key, attempts allowed and subject, so
            history explains itself after the job row is pruned, and `runs show` works for as long as
            the records are kept. `export` writes every matching record as one line of JSON, oldest
            page last, for shipping history elsewhere (--since is required). A subject is what a job is about, declared by its kind:
            `account:12` (sync_account, watch_channels, an account reset), `media:PREFIX/`
            (thumbnail), `backup:TARGET`. --arg matches a top-level arg (numbers and true/false as
            such, anything else as text). Newest first; a full page ends with the --before cursor of
            the next one (in --json, every record has its `cursor`).
            """,
        options: [
            .value("kind", "K", "only this job kind"),
            .value("state", "OUTCOME", "only attempts that ended this way"),
            .value("since", "DURATION", "only attempts finished within this long, e.g. 1h or 2d"),
            .value("until", "TIME", "only attempts finished before this ISO 8601 time"),
            .value("subject", "S", "only jobs about this, e.g. account:12"),
            .value("account", "N", "only jobs about this account (--subject account:N)"),
            .value("arg", "KEY=VALUE", "only jobs whose args have KEY equal to VALUE (numbers and true/false as such)"),
            .value("job", "ID", "only this job's attempts"),
            .value("error", "TEXT", "only attempts whose error contains TEXT (any case)"),
            .value("limit", "N", "most rows (default 50)"),
            .value("before", "CURSOR", "the next page: the cursor the previous page ended with"),
        ]
    ) { arguments, context in
        if arguments.positionals.first == "show" {
            guard arguments.positionals.count == 2, let id = Int64(arguments.positionals[1]), id > 0 else {
                throw CLIError(.usage, "usage: calworker runs show JOB_ID (a positive number)")
            }
            return try show(id: id, context: context)
        }
        let exporting = arguments.positionals.first == "export"
        if exporting {
            guard arguments.positionals.count == 1 else { throw CLIError(.usage, "usage: calworker runs export --since D [filters]") }
            guard arguments.value("since") != nil else {
                throw CLIError(.usage, "runs export needs --since, e.g. --since 1d", hint: "history can be long; export a window at a time")
            }
        }
        guard exporting || arguments.positionals.isEmpty else {
            throw CLIError(.usage, "unexpected argument '\(arguments.positionals[0])'")
        }
        var filter = RunFilter()
        filter.kind = arguments.value("kind")
        if let state = arguments.value("state") {
            guard let outcome = RunOutcome(rawValue: state) else {
                throw CLIError(.usage, "--state must be one of \(RunOutcome.allCases.map(\.rawValue).joined(separator: ", ")), got '\(state)'")
            }
            filter.outcome = outcome
        }
        if let window = try arguments.duration("since", in: .seconds(1)...DurationText.maximum) {
            filter.since = Date().addingTimeInterval(-window.seconds)
        }
        if let limit = try arguments.int("limit", range: 1...100_000) { filter.limit = limit }
        try applyHistoryFilters(arguments, to: &filter)
        let db = try context.connectCurrent()
        if exporting { return try export(filter, db: db, context: context) }
        let runs = try context.queue.runs(filter, on: db)
        context.emit(runs) {
            if runs.isEmpty { return "no run records match" }
            var table = Table(headers: ["JOB", "ATTEMPT", "KIND", "QUEUE", "OUTCOME", "FINISHED", "DURATION", "WORKER", "ERROR"])
            for run in runs {
                table.add([
                    String(run.jobID), String(run.attempt), run.kind, run.queue, run.outcome.rawValue,
                    Formatting.shortTimestamp(run.finishedAt), DurationText.format(seconds: run.durationMs / 1000),
                    run.workerID, Formatting.truncate(run.error, 60),
                ])
            }
            var text = table.render()
            if runs.count == filter.limit, let cursor = runs.last?.cursor { text += "\n(next page: --before \(cursor))" }
            return text
        }
        return .ok
    }

    /// Every matching record as a JSON line, a page of 1,000 at a time along the cursor, so
    /// memory stays flat however long the window.
    static func export(_ base: RunFilter, db: PostgresConnection, context: CommandContext) throws -> ExitCode {
        var filter = base
        filter.limit = 1000
        var written = 0
        while true {
            let page = try context.queue.runs(filter, on: db)
            for run in page { context.output.out(JSONOutput.encodeLine(run), json: true) }
            written += page.count
            guard page.count == filter.limit, let next = page.last?.cursor.flatMap(RunCursor.init) else { break }
            filter.before = next
        }
        context.logger.info("runs exported", ["records": String(written)])
        return .ok
    }

    /// The filters that find history by what it was about, and the page.
    static func applyHistoryFilters(_ arguments: ParsedArguments, to filter: inout RunFilter) throws(CLIError) {
        if let text = arguments.value("until") {
            guard let date = TimeText.parse(text) else {
                throw CLIError(.usage, "--until must be an ISO 8601 time like 2026-11-22T06:00:00Z, got '\(text)'")
            }
            filter.until = date
        }
        filter.subject = try FilterOptions.subject(arguments)
        filter.argsContaining = try FilterOptions.argsContaining(arguments)
        if let text = arguments.value("job") {
            guard let id = Int64(text), id > 0 else { throw CLIError(.usage, "--job must be a job's id, got '\(text)'") }
            filter.jobID = id
        }
        if let error = arguments.value("error") {
            guard !error.isEmpty, error.utf8.count <= 1000 else { throw CLIError(.usage, "--error must be 1-1000 bytes") }
            filter.errorContaining = error
        }
        if let text = arguments.value("before") {
            guard let cursor = RunCursor(text) else {
                throw CLIError(.usage, "--before takes the cursor a previous page ended with (MICROS-JOB-ATTEMPT), got '\(text)'")
            }
            filter.before = cursor
        }
    }

    static func show(id: Int64, context: CommandContext) throws -> ExitCode {
        let db = try context.connectCurrent()
        let runs = Array(try context.queue.runs(RunFilter(jobID: id, limit: 1000), on: db).reversed())
        guard let job = try context.queue.job(id: id, on: db) else {
            throw CLIError(
                .notFound, "no job with id \(id), and no run records of it",
                hint: "run records are kept for the history's retention; `calworker runs` lists them")
        }
        context.emit(JobDetail(job: job, runs: runs)) {
            var lines = [
                "job \(job.id): \(job.kind) on queue \(job.queue), \(job.state.rawValue)",
                "  args          \(job.args)",
                "  attempts      \(job.attempt) of \(job.maxAttempts)",
                "  priority      \(job.priority)",
                "  run at        \(Formatting.shortTimestamp(job.runAt))",
                "  created       \(Formatting.shortTimestamp(job.createdAt))",
                "  finished      \(Formatting.shortTimestamp(job.finishedAt))",
            ]
            if let key = job.uniqueKey { lines.append("  unique key    \(key)") }
            if let subject = runs.last?.subject { lines.append("  subject       \(subject)") }
            if [.completed, .discarded, .cancelled].contains(job.state) {
                lines.append("  (finished: the job left the queue; this is what its run records keep)")
            }
            if let worker = job.workerID { lines.append("  last worker   \(worker)") }
            if let error = job.lastError { lines.append("  last error    \(error)") }
            lines.append("")
            if runs.isEmpty {
                lines.append("no attempts recorded yet")
            } else {
                var table = Table(headers: ["ATTEMPT", "OUTCOME", "STARTED", "DURATION", "WORKER", "FIGURES", "ERROR"])
                for run in runs {
                    table.add([
                        String(run.attempt), run.outcome.rawValue, Formatting.shortTimestamp(run.startedAt),
                        DurationText.format(seconds: run.durationMs / 1000), run.workerID, run.figures,
                        Formatting.truncate(run.error, 80),
                    ])
                }
                lines.append(table.render())
            }
            return lines.joined(separator: "\n")
        }
        return .ok
    }
}
