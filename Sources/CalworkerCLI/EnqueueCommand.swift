import Basics
import Configuration
import Foundation
import JobQueue
import Postgres
import Scheduling
import Worker

enum EnqueueCommand {
    struct Report: Encodable {
        var id: Int64
        var kind: String
        var queue: String
        var duplicate: Bool
        var runAt: Date?
    }

    static let command = Command(
        name: "enqueue",
        summary: "Add a job to the queue (from flags or a job definition file)",
        usage:
            "enqueue KIND [--args JSON] [--queue Q] [--priority P] [--in 10m | --at TIME] [--unique-key K] [--max-attempts N] [--timeout D]\n       calworker enqueue --file jobs/NAME.json",
        details: """
            Args are checked against the kind before anything is inserted (exit 2 when wrong).
            With --unique-key, nothing is added while a job with that key is queued or running;
            the existing job's id is printed and "duplicate" is true.

            Examples:
              calworker enqueue noop --args '{"sleep_ms": 100}'
              calworker enqueue noop --in 10m --unique-key smoke-test
              calworker enqueue --file jobs/sync-accounts.json
            """,
        options: [
            .value("args", "JSON", "the job's arguments, a JSON object (default {})"),
            .value("queue", "Q", "named queue (default: default)"),
            .value("priority", "P", "lower runs first (default 0; negative for urgent)"),
            .value("in", "DURATION", "run after a delay: 30s, 10m, 2h"),
            .value("at", "TIME", "run at an ISO 8601 time, e.g. 2026-11-22T06:00:00Z"),
            .value("unique-key", "K", "add nothing while a live job has this key"),
            .value("max-attempts", "N", "attempts before the job is discarded (default 20)"),
            .value("timeout", "DURATION", "per-attempt timeout overriding the kind's"),
            .value("file", "PATH", "read kind, args and options from a job definition file"),
        ]
    ) { arguments, context in
        var job: NewJob
        var definition: JobDefinition?
        if let path = arguments.value("file") {
            guard arguments.positionals.isEmpty else {
                throw CLIError(.usage, "give either KIND or --file, not both")
            }
            definition = try JobDefinition.loadForCLI(path: path)
            job = definition!.newJob
        } else {
            guard arguments.positionals.count == 1, let kind = arguments.positionals.first else {
                throw CLIError(
                    .usage,
                    arguments.positionals.isEmpty
                        ? "missing KIND (one of: \(context.registry.kinds.joined(separator: ", ")))"
                        : "expected one KIND, got \(arguments.positionals.joined(separator: " "))")
            }
            job = NewJob(kind: kind)
        }
        try apply(arguments, to: &job)
        do {
            job = try JobQueue.described(job, by: context.registry)
        } catch {
            throw CLIError(.usage, "job not enqueued: \(error)")
        }
        let db = try context.connectCurrent()
        let result = try db.transaction { db in
            let result = try context.queue.enqueue(job, on: db)
            // cron's fire of a scheduled definition, for the console's schedules page and the
            // schedule's freshness (a scheduler pass records its own).
            if let definition, let zone = TimeZone(identifier: context.settings.schedule.timeZoneName) {
                try ScheduleFires.recordEnqueued(definition, jobID: result.id, timeZone: zone, on: db)
            }
            return result
        }
        // What the job that holds the id is: for a duplicate, another job's queue and time.
        let report = Report(id: result.id, kind: job.kind, queue: result.queue, duplicate: result.duplicate, runAt: result.runAt)
        context.emit(report) {
            result.duplicate
                ? "job \(result.id) with unique key '\(job.uniqueKey ?? "")' is already queued or running (on queue \(result.queue)); nothing added"
                : "enqueued job \(result.id) (\(job.kind) on queue \(result.queue)\(job.runAt.map { ", runs at \(Formatting.timestamp($0))" } ?? ""))"
        }
        return .ok
    }

    static func apply(_ arguments: ParsedArguments, to job: inout NewJob) throws(CLIError) {
        if let args = arguments.value("args") { job.args = args }
        if let queue = arguments.value("queue") { job.queue = queue }
        if let priority = try arguments.int("priority", range: -32768...32767) { job.priority = priority }
        if let attempts = try arguments.int("max-attempts", range: 1...1000) { job.maxAttempts = attempts }
        if let key = arguments.value("unique-key") { job.uniqueKey = key }
        if let timeout = try arguments.duration("timeout", in: NewJob.timeoutRange) { job.timeout = timeout }
        if arguments.value("in") != nil && arguments.value("at") != nil {
            throw CLIError(.usage, "give --in or --at, not both")
        }
        if let delay = try arguments.duration("in", in: .zero...DurationText.maximum) {
            job.runAt = Date().addingTimeInterval(delay.seconds)
        }
        if let text = arguments.value("at") {
            guard let date = TimeText.parse(text) else {
                throw CLIError(.usage, "--at must be an ISO 8601 time like 2026-11-22T06:00:00Z, got '\(text)'")
            }
            job.runAt = date
        }
    }
}
