import Foundation
public import JobQueue
public import Metrics
import Postgres

/// The queue's metrics, read from the database so any process reports the same numbers:
/// a worker's `/metrics`, `calworker metrics` from cron, a textfile for node_exporter.
public enum QueueMetrics {
    /// The families for `statistics`, or only `calworker_queue_metrics_up 0` when the
    /// database could not be read (Prometheus' convention for an exporter's failed probe).
    public static func families(_ statistics: QueueStatistics?, schemaVersion: Int? = nil) -> [MetricFamilySnapshot] {
        var families: [MetricFamilySnapshot] = [
            .gauge(
                "calworker_queue_metrics_up", help: "1 if the queue's figures could be read from PostgreSQL, else 0.",
                [([], statistics == nil ? 0 : 1)])
        ]
        guard let statistics else { return families }
        var depth: [([MetricLabel], Double)] = []
        var oldest: [([MetricLabel], Double)] = []
        for row in statistics.depths {
            for (state, count) in [("due", row.due), ("scheduled", row.scheduled), ("running", row.running)] {
                depth.append(([MetricLabel("queue", row.queue), MetricLabel("state", state)], Double(count)))
            }
            oldest.append(([MetricLabel("queue", row.queue)], row.oldestDueAgeSeconds ?? 0))
        }
        families.append(
            .gauge(
                "calworker_queue_jobs",
                help: "Live jobs by queue and state: due (ready now), scheduled (waiting for run_at or a retry), running.",
                depth))
        families.append(
            .gauge(
                "calworker_queue_paused",
                help: "1 for a queue an operator paused (nothing is claimed from it), 0 otherwise.",
                statistics.depths.map { ([MetricLabel("queue", $0.queue)], $0.paused ? 1 : 0) }))
        families.append(
            .gauge(
                "calworker_queue_oldest_due_job_age_seconds",
                help: "How long the oldest due job of each queue has waited for a worker (0 when none is due).",
                oldest))
        families.append(
            .gauge(
                "calworker_job_runs_recent",
                help: "Job attempts finished in the last hour, by kind and outcome (from the run records of every worker).",
                statistics.recentRuns.map { ([MetricLabel("kind", $0.kind), MetricLabel("outcome", $0.outcome)], Double($0.count)) }))
        families.append(
            .gauge(
                "calworker_workers",
                help: "Registered workers by state: alive (heartbeat within the lease), stopping, stale (heartbeat older than the lease).",
                [
                    ([MetricLabel("state", "alive")], Double(statistics.workersAlive - statistics.workersStopping)),
                    ([MetricLabel("state", "stopping")], Double(statistics.workersStopping)),
                    ([MetricLabel("state", "stale")], Double(statistics.workersStale)),
                ]))
        // No series until a backup has been verified: alert on absent() as well as on the age.
        let backupAge = statistics.lastVerifiedBackupAt.map { [([MetricLabel](), max(0, Date().timeIntervalSince($0)))] } ?? []
        families.append(
            .gauge(
                "calworker_backup_last_verified_age_seconds",
                help: "Seconds since the newest backup that passed its restore test finished (no sample if none ever did).",
                backupAge))
        if let schemaVersion {
            families.append(
                .gauge(
                    "calworker_schema_version", help: "The calworker schema version applied to the database.",
                    [([], Double(schemaVersion))]))
        }
        return families.sorted { $0.name < $1.name }
    }

    /// Reads the statistics through `probe` and returns the families; never throws.
    public static func collect(queue: JobQueue, probe: DatabaseProbe) -> [MetricFamilySnapshot] {
        let read = try? probe.run { db -> (QueueStatistics?, Int) in
            let version = try probe.schema.databaseVersion(on: db)
            return (version == 0 ? nil : try queue.statistics(on: db), version)
        }
        return families(read?.0 ?? nil, schemaVersion: read?.1)
    }
}
