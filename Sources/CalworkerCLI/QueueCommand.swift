import Configuration
import JobQueue

enum QueueCommand {
    static let command = Command(
        name: "queue",
        summary: "Count jobs by queue, kind and state, with the age of the oldest due job",
        usage: "queue",
        details: "States: due (ready now), scheduled (waiting for run_at, including retries), running, completed, discarded, cancelled.",
        options: []
    ) { _, context in
        let db = try context.connectCurrent()
        let counts = try context.queue.counts(on: db)
        context.emit(counts) {
            if counts.isEmpty { return "the queue is empty" }
            var table = Table(headers: ["QUEUE", "KIND", "STATE", "JOBS", "OLDEST DUE"])
            for count in counts {
                table.add([count.queue, count.kind, count.state, String(count.count),
                           count.oldestDueAgeSeconds.map { DurationText.format(seconds: $0) } ?? "-"])
            }
            return table.render()
        }
        return .ok
    }
}
