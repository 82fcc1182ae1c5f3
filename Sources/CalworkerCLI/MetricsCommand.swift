import Configuration
import Metrics
import Scheduling
import Worker

enum MetricsCommand {
    static let command = Command(
        name: "metrics",
        summary: "Print the queue's metrics from the database in Prometheus' text format",
        usage: "metrics [--textfile PATH.prom] [--json]",
        details: """
            Depth by queue and state, the age of the oldest due job, attempts finished in the last
            hour by kind and outcome, and workers alive: the same figures every worker's /metrics
            serves, read from PostgreSQL, so any exporter (or cron with --textfile, for
            node_exporter's textfile collector) can publish them without a worker running.
            The default output is the exposition format itself, since that is what this command is
            for; --json gives the same families as JSON.
            Exit 3 (and calworker_queue_metrics_up 0) when the database cannot be read.
            """,
        options: [
            .value("textfile", "PATH.prom", "write atomically to this file instead of stdout (node_exporter's textfile collector)")
        ]
    ) { arguments, context in
        let probe = DatabaseProbe(
            url: context.configuration.databaseURL, schema: context.registry.schema,
            preparedStatements: context.configuration.usesPreparedStatements)
        var families = QueueMetrics.collect(queue: context.queue, probe: probe)
        let up = families.first { $0.name == "calworker_queue_metrics_up" }?.samples.first?.value == 1
        if up {
            families += AccountMetrics.collect(probe: probe)
            families += ScheduleMetrics.collect(
                probe: probe, names: ScheduleMetrics.scheduledNames(directory: context.settings.schedule.jobsDirectory))
        }
        if let path = arguments.value("textfile") {
            do {
                try MetricsTextfile.write(PrometheusText.render(families), to: path)
            } catch {
                throw CLIError(.failure, "\(error)", hint: "the directory must exist and be writable; the name must end in .prom")
            }
        } else if context.json {
            context.output.out(JSONOutput.encode(families), json: true)
        } else {
            // The exposition ends with its own newline; `out` adds one more.
            context.output.out(String(PrometheusText.render(families).dropLast()))
        }
        if !up {
            context.output.err("error: cannot read the queue from PostgreSQL (calworker_queue_metrics_up is 0)")
            context.output.err("hint: check CALWORKER_DATABASE_URL, that the server is up, and `calworker migrate`")
            return .unavailable
        }
        return .ok
    }
}
