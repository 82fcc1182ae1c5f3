import Metrics
import Postgres
import Synchronization

extension Worker {
    /// Re-established database sessions across this worker's connections, slots included.
    var reconnectCount: Int {
        connections.withLock { $0.reduce(0) { $0 + $1.reconnectCount } }
            + slotConnections.withLock { $0.reduce(0) { $0 + $1.reconnectCount } }
    }

    /// Figures read from the worker's state when metrics are rendered: no bookkeeping on the
    /// per-job path beyond what the coordinator already keeps.
    func liveMetrics() -> [MetricFamilySnapshot] {
        let (running, held, stopping) = coordinator.withLock { ($0.running, $0.held.count, $0.stopping) }
        return [
            .gauge(
                "calworker_worker_slots", help: "Jobs this worker runs at once (--concurrency).",
                [([], Double(max(1, options.concurrency)))]),
            .gauge("calworker_worker_slots_busy", help: "Slots running a job now.", [([], Double(running))]),
            .gauge(
                "calworker_worker_jobs_held",
                help: "Jobs claimed by this worker and not yet recorded as finished (running, prefetched, being written).",
                [([], Double(held))]),
            .gauge("calworker_worker_stopping", help: "1 while the worker drains after SIGTERM, else 0.", [([], stopping ? 1 : 0)]),
            MetricFamilySnapshot(
                name: "calworker_postgres_reconnects_total",
                help: "Times this worker re-established a lost PostgreSQL session.", type: .counter,
                samples: [MetricSample(value: Double(reconnectCount))]),
        ]
    }
}
