import Configuration
import Foundation
import JobQueue
import Postgres

enum QueueCommand {
    static let command = Command(
        name: "queue",
        summary: "Count jobs by queue, kind and state; pause and resume a queue",
        usage: """
            queue
                   calworker queue pause QUEUE [--reason R]
                   calworker queue resume QUEUE
            """,
        details: """
            States: due (ready now), scheduled (waiting for run_at, including retries), running.
            A job that ended leaves the queue: `calworker status` counts the last hour's outcomes,
            `calworker runs` lists them. Paused queues are listed below the counts.
            pause: no worker claims from the queue from within a second; jobs already running
            finish; enqueueing goes on. resume: workers serving it claim again at once. Both are
            recorded in `calworker audit`.
            """,
        options: [.value("reason", "R", "pause: why, shown to other operators")]
    ) { arguments, context in
        let action = arguments.positionals.first ?? "list"
        let db = try context.connectCurrent()
        switch action {
        case "list":
            guard arguments.positionals.count <= 1 else { throw CLIError(.usage, "usage: calworker queue [pause|resume QUEUE]") }
            let counts = try context.queue.counts(on: db)
            let paused = try context.queue.pausedQueues(on: db)
            let rows = counts.map { count in
                Row(
                    queue: count.queue, kind: count.kind, state: count.state, count: count.count,
                    oldestDueAgeSeconds: count.oldestDueAgeSeconds, paused: paused.contains { $0.queue == count.queue })
            }
            context.emit(rows) {
                var text =
                    counts.isEmpty
                    ? "the queue is empty"
                    : {
                        var table = Table(headers: ["QUEUE", "KIND", "STATE", "JOBS", "OLDEST DUE"])
                        for count in counts {
                            table.add([
                                count.queue + (paused.contains { $0.queue == count.queue } ? " (paused)" : ""), count.kind, count.state,
                                String(count.count), count.oldestDueAgeSeconds.map { DurationText.format(seconds: $0) } ?? "-",
                            ])
                        }
                        return table.render()
                    }()
                if !paused.isEmpty {
                    var table = Table(headers: ["PAUSED QUEUE", "SINCE", "BY", "REASON"])
                    for pause in paused {
                        table.add([pause.queue, Formatting.shortTimestamp(pause.pausedAt), pause.pausedBy, pause.reason ?? "-"])
                    }
                    text += "\n\n" + table.render() + "\n(resume with: calworker queue resume QUEUE)"
                }
                return text
            }
        case "pause", "resume":
            guard arguments.positionals.count == 2 else { throw CLIError(.usage, "usage: calworker queue \(action) QUEUE") }
            let name = arguments.positionals[1]
            let changed: Bool
            do {
                changed = try db.transaction { db in
                    let changed =
                        action == "pause"
                        ? try context.queue.pause(queue: name, reason: arguments.value("reason"), by: Operator.current, on: db)
                        : try context.queue.resume(queue: name, on: db)
                    if changed { try Operator.audit("queue.\(action)", ["queue": name], count: nil, on: db) }
                    return changed
                }
            } catch let error as JobQueueError {
                throw CLIError(.usage, error.message)
            }
            context.emit(["queue": name, "action": action, "changed": String(changed)]) {
                switch (action, changed) {
                case ("pause", true): "queue \(name) paused: workers stop claiming from it within a second; running jobs finish"
                case ("pause", false): "queue \(name) was paused already"
                case (_, true): "queue \(name) resumed"
                default: "queue \(name) was not paused"
                }
            }
        default:
            throw CLIError(.usage, "unknown action '\(action)'; queue takes no action (list), pause or resume")
        }
        return .ok
    }

    /// A row of `queue --json`: the counts as before, and whether the queue is paused (a
    /// paused queue without jobs shows in `status` and the metrics).
    struct Row: Encodable {
        var queue: String
        var kind: String
        var state: String
        var count: Int
        var oldestDueAgeSeconds: Double?
        var paused: Bool
    }
}
