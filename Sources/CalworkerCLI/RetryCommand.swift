import JobQueue
import Postgres

enum RetryCommand {
    static let command = Command(
        name: "retry",
        summary: "Run a discarded, cancelled, completed or waiting job again now",
        usage: "retry JOB_ID",
        details: "A job that used all its attempts gets one more. A running job is left alone (exit 1). Recorded in `calworker audit`.",
        options: []
    ) { arguments, context in
        guard arguments.positionals.count == 1, let id = Int64(arguments.positionals[0]) else {
            throw CLIError(.usage, "usage: calworker retry JOB_ID (a number)")
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
}

enum CancelCommand {
    struct Report: Encodable {
        var id: Int64
        var result: JobQueue.CancelResult
    }

    static let command = Command(
        name: "cancel",
        summary: "Cancel a waiting job, or ask the worker running it to stop",
        usage: "cancel JOB_ID",
        details: "A running job is told to stop at its worker's next lease renewal and is recorded as cancelled. Recorded in `calworker audit`.",
        options: []
    ) { arguments, context in
        guard arguments.positionals.count == 1, let id = Int64(arguments.positionals[0]) else {
            throw CLIError(.usage, "usage: calworker cancel JOB_ID (a number)")
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
}
