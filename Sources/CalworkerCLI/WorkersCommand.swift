import Configuration
import JobQueue

enum WorkersCommand {
    static let command = Command(
        name: "workers",
        summary: "List registered workers and how fresh their heartbeats are",
        usage: "workers",
        details:
            "A worker whose heartbeat is older than a minute is shown as 'silent': it probably died; its jobs are rescued when their leases expire.",
        options: []
    ) { _, context in
        let db = try context.connectCurrent()
        let workers = try WorkerRegistry.list(on: db)
        context.emit(workers) {
            if workers.isEmpty { return "no workers registered" }
            var table = Table(headers: ["WORKER", "HOST", "PID", "QUEUES", "SLOTS", "STARTED", "HEARTBEAT", "STATUS"])
            for worker in workers {
                let status = worker.stopping ? "stopping" : (worker.heartbeatAgeSeconds > 60 ? "silent" : "alive")
                table.add([
                    worker.id, worker.hostname, String(worker.pid), worker.queues.joined(separator: ","),
                    String(worker.concurrency), Formatting.shortTimestamp(worker.startedAt),
                    DurationText.format(seconds: worker.heartbeatAgeSeconds) + " ago", status,
                ])
            }
            return table.render()
        }
        return .ok
    }
}
