import Configuration
import JobQueue
import Postgres

/// What a bulk action did, or would do (`--dry-run`).
struct BulkReport: Encodable {
    var action: String
    var dryRun: Bool
    var filter: [String: String]
    var count: Int
    /// Jobs cancelled at once (cancel), or retried (retry).
    var ids: [Int64]
    /// Running jobs whose workers were asked to stop them (cancel).
    var stopRequested: [Int64]?
    /// A dry run's first matches.
    var sample: [JobRecord]?
}

enum RetryCommand {
    static let command = Command(
        name: "retry",
        summary: "Run a job again now, or every job a filter matches",
        usage:
            "retry JOB_ID\n       calworker retry [--kind K] [--queue Q] [--state S] [--subject S | --account N] [--arg KEY=VALUE] [--since D] [--dry-run]",
        details: """
            A job that used all its attempts gets one more. A running job is left alone (exit 1 for
            one job). With filters (at least one): every matching discarded or cancelled job (or of
            --state), newest first of any that share a unique key, and only while no live job holds
            that key; only jobs still matching when it commits are retried. --dry-run prints the
            count and the first matches and changes nothing. Recorded in `calworker audit`.
            """,
        options: FilterOptions.options + [
            .value("state", "S", "only jobs in this state (default: discarded and cancelled)"),
            .value("since", "D", "only jobs created within this long"),
            .flag("dry-run", "count and show the first matches; change nothing"),
        ]
    ) { arguments, context in
        if let first = arguments.positionals.first {
            guard arguments.positionals.count == 1, let id = Int64(first) else {
                throw CLIError(.usage, "usage: calworker retry JOB_ID (a number), or filters without an id")
            }
            let db = try context.connectCurrent()
            let job = try db.transaction { db in
                let job = try context.queue.retry(id: id, on: db)
                try Operator.audit("retry", ["job": String(id)], count: 1, on: db)
                return job
            }
            context.emit(job) { "job \(job.id) (\(job.kind)) is due now; attempt \(job.attempt + 1) of \(job.maxAttempts) comes next" }
            return .ok
        }
        let filter = try FilterOptions.jobFilter(arguments, action: "retry")
        let db = try context.connectCurrent()
        if arguments.has("dry-run") {
            let preview = try context.queue.preview(.retry, filter, on: db)
            return emitPreview("retry", filter: filter, preview: preview, context: context)
        }
        let ids = try db.transaction { db in
            let ids = try context.queue.retryAll(filter, on: db)
            try Operator.audit("retry", filter.described, count: ids.count, on: db)
            return ids
        }
        context.emit(BulkReport(action: "retry", dryRun: false, filter: filter.described, count: ids.count, ids: ids)) {
            "retried \(ids.count) job(s); they are due now"
        }
        return .ok
    }

    static func emitPreview(
        _ action: String, filter: JobFilter, preview: (count: Int, sample: [JobRecord]),
        context: CommandContext
    ) -> ExitCode {
        context.emit(
            BulkReport(
                action: action, dryRun: true, filter: filter.described, count: preview.count, ids: [],
                sample: preview.sample)
        ) {
            var text = "\(action) would act on \(preview.count) job(s) now (dry run: nothing changed)"
            if !preview.sample.isEmpty {
                var table = Table(headers: ["JOB", "KIND", "QUEUE", "STATE", "ATTEMPTS", "ARGS"])
                for job in preview.sample {
                    table.add([
                        String(job.id), job.kind, job.queue, job.state.rawValue, "\(job.attempt)/\(job.maxAttempts)",
                        Formatting.truncate(job.args, 60),
                    ])
                }
                text += "\n" + table.render() + (preview.count > preview.sample.count ? "\n(and \(preview.count - preview.sample.count) more)" : "")
            }
            return text
        }
        return .ok
    }
}

enum CancelCommand {
    struct Report: Encodable {
        var id: Int64
        var result: JobQueue.CancelResult
    }

    static let command = Command(
        name: "cancel",
        summary: "Cancel a job, or every job a filter matches; running ones are asked to stop",
        usage:
            "cancel JOB_ID\n       calworker cancel [--kind K] [--queue Q] [--state S] [--subject S | --account N] [--arg KEY=VALUE] [--since D] [--dry-run]",
        details: """
            A waiting job is cancelled at once; a running job is told to stop at its worker's next
            lease renewal and is recorded as cancelled. With filters (at least one): every matching
            waiting and running job (or of --state), only those still so when it commits.
            --dry-run prints the count and the first matches and changes nothing. Recorded in
            `calworker audit`.
            """,
        options: FilterOptions.options + [
            .value("state", "S", "only jobs in this state, available or running (default: both)"),
            .value("since", "D", "only jobs created within this long"),
            .flag("dry-run", "count and show the first matches; change nothing"),
        ]
    ) { arguments, context in
        if let first = arguments.positionals.first {
            guard arguments.positionals.count == 1, let id = Int64(first) else {
                throw CLIError(.usage, "usage: calworker cancel JOB_ID (a number), or filters without an id")
            }
            let db = try context.connectCurrent()
            let result = try db.transaction { db in
                let result = try context.queue.cancel(id: id, on: db)
                try Operator.audit("cancel", ["job": String(id)], count: 1, on: db)
                return result
            }
            context.emit(Report(id: id, result: result)) {
                result == .cancelled ? "job \(id) cancelled" : "job \(id) is running; its worker was asked to stop it"
            }
            return .ok
        }
        let filter = try FilterOptions.jobFilter(arguments, action: "cancel")
        if let state = filter.state, state != .available && state != .running {
            throw CLIError(.usage, "cancel acts on available or running jobs; --state \(state.rawValue) has nothing to cancel")
        }
        let db = try context.connectCurrent()
        if arguments.has("dry-run") {
            return RetryCommand.emitPreview("cancel", filter: filter, preview: try context.queue.preview(.cancel, filter, on: db), context: context)
        }
        let done = try db.transaction { db in
            let done = try context.queue.cancelAll(filter, on: db)
            try Operator.audit("cancel", filter.described, count: done.cancelled.count + done.stopRequested.count, on: db)
            return done
        }
        let count = done.cancelled.count + done.stopRequested.count
        context.emit(
            BulkReport(
                action: "cancel", dryRun: false, filter: filter.described, count: count, ids: done.cancelled,
                stopRequested: done.stopRequested)
        ) {
            "cancelled \(done.cancelled.count) waiting job(s); asked the workers of \(done.stopRequested.count) running job(s) to stop"
        }
        return .ok
    }
}
