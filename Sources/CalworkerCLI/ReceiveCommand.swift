import CalendarSync
import Configuration
import Dispatch
import Foundation
import HTTPServer
import Jobs
import Logging
import Metrics
import PushReceiver
import Scheduling
import Worker

enum ReceiveCommand {
    static let command = Command(
        name: "receive",
        summary: "Receive Google's push notifications and queue the syncs they ask for, until stopped",
        usage: "receive --http-addr HOST:PORT",
        details: """
            Serves the push receiver at the path of CALWORKER_PUSH_URL (default /push/google) with
            /healthz, /readyz and /metrics, for deployments that run it apart from the workers (a
            worker's --http-addr serves the same path). Put it behind a reverse proxy that
            terminates HTTPS at CALWORKER_PUSH_URL: Google calls only HTTPS addresses.
            Each notification is checked against its channel and answered after the sync it asks
            for is queued (200); a forged one gets 403, junk 4xx, and only a database that cannot
            record it 503 (Google then retries). SIGTERM or SIGINT stops it after the requests in
            hand are answered (exit 0).
            """,
        options: [.value("http-addr", "HOST:PORT", "where to listen, e.g. 127.0.0.1:9465 (required)")]
    ) { arguments, context in
        guard let address = arguments.value("http-addr") else {
            throw CLIError(.usage, "receive needs --http-addr HOST:PORT", hint: "e.g. calworker receive --http-addr 127.0.0.1:9465")
        }
        let stopping = DispatchSemaphore(value: 0)
        SignalExit.takeOver { _ in stopping.signal() }
        let probe = DatabaseProbe(
            url: context.configuration.databaseURL, schema: context.registry.schema,
            preparedStatements: context.configuration.usesPreparedStatements)
        let receiver = context.pushReceiver()
        context.metrics.addCollector { QueueMetrics.collect(queue: context.queue, probe: probe) }
        context.metrics.addCollector { AccountMetrics.collect(probe: probe) }
        let scheduled = ScheduleMetrics.scheduledNames(directory: context.settings.schedule.jobsDirectory)
        context.metrics.addCollector { ScheduleMetrics.collect(probe: probe, names: scheduled) }
        let pushConfigured = context.registryEnvironment.push != nil
        context.metrics.addCollector { PushMetrics.collect(probe: probe, pushConfigured: pushConfigured) }
        let server = try MonitoringServer.start(
            address: address, metrics: context.metrics, probe: probe, receiver: receiver,
            isStopping: { false })
        context.logger.info("receiving push notifications", ["http_addr": address, "port": String(server.port), "path": receiver.path])
        stopping.wait()
        context.logger.notice("signal received; stopping")
        server.stop()
        return .ok
    }
}
