import Basics
import Configuration
import Foundation
import JobQueue

enum RunsCommand {
    struct JobDetail: Encodable {
        var job: JobRecord
        var runs: [RunRecord]
    }

    static let command = Command(
        name: "runs",
        summary: "List run records (one per attempt), or show one job with all its attempts",
        usage: "runs [--kind K] [--state OUTCOME] [--since 1h] [--limit N]\n       calworker runs show JOB_ID",
        details: "OUTCOME is one of: \(RunOutcome.allCases.map(\.rawValue).joined(separator: ", ")).",
        options: [
            .value("kind", "K", "only this job kind"),
            .value("state", "OUTCOME", "only attempts that ended this way"),
            .value("since", "DURATION", "only attempts finished within this long, e.g. 1h or 2d"),
            .value("limit", "N", "most rows (default 50)"),
        ]
    ) { arguments, context in
        if arguments.positionals.first == "show" {
            guard arguments.positionals.count == 2, let id = Int64(arguments.positionals[1]) else {
                throw CLIError(.usage, "usage: calworker runs show JOB_ID (a number)")
            }
            return try show(id: id, context: context)
        }
        guard arguments.positionals.isEmpty else {
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
        let db = try context.connectCurrent()
        let runs = try context.queue.runs(filter, on: db)
        context.emit(runs) {
            if runs.isEmpty { return "no run records match" }
            var table = Table(headers: ["JOB", "ATTEMPT", "KIND", "QUEUE", "OUTCOME", "FINISHED", "DURATION", "WORKER", "ERROR"])
            for run in runs {
                table.add([String(run.jobID), String(run.attempt), run.kind, run.queue, run.outcome.rawValue,
                           Formatting.shortTimestamp(run.finishedAt), DurationText.format(seconds: run.durationMs / 1000),
                           run.workerID, Formatting.truncate(run.error, 60)])
            }
            return table.render()
        }
        return .ok
    }

    static func show(id: Int64, context: CommandContext) throws -> ExitCode {
        let db = try context.connectCurrent()
        guard let job = try context.queue.job(id: id, on: db) else {
            throw CLIError(.notFound, "no job with id \(id)", hint: "finished jobs are pruned after their retention; `calworker runs` lists recent ones")
        }
        let runs = try context.queue.runs(RunFilter(jobID: id, limit: 1000), on: db).reversed()
        context.emit(JobDetail(job: job, runs: Array(runs))) {
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
            if let worker = job.workerID { lines.append("  last worker   \(worker)") }
            if let error = job.lastError { lines.append("  last error    \(error)") }
            lines.append("")
            if runs.isEmpty {
                lines.append("no attempts recorded yet")
            } else {
                var table = Table(headers: ["ATTEMPT", "OUTCOME", "STARTED", "DURATION", "WORKER", "FIGURES", "ERROR"])
                for run in runs {
                    table.add([String(run.attempt), run.outcome.rawValue, Formatting.shortTimestamp(run.startedAt),
                               DurationText.format(seconds: run.durationMs / 1000), run.workerID, run.figures,
                               Formatting.truncate(run.error, 80)])
                }
                lines.append(table.render())
            }
            return lines.joined(separator: "\n")
        }
        return .ok
    }
}
