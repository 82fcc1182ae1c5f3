import Foundation
import JobQueue
import Metrics
import Postgres
import TestSupport
import Testing
import Worker

/// The worker's own metrics against what it did, read in-process while it runs.
@Suite struct WorkerMetricsTests {
    @Test func busySlotsRescuesAndCancellationsAreCounted() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let db = try database.connect()
        let queue = JobQueue(lease: .seconds(1), backoff: RetryBackoff(base: .milliseconds(100), jitter: 0))
        // A job "held" by a worker that died: its lease ran out a minute ago.
        let orphan = try queue.enqueue(NewJob(kind: "noop"), on: db).id
        _ = try queue.claim(queue: "default", limit: 1, workerID: "dead-worker", on: db)
        try db.execute("UPDATE calworker.jobs SET lease_until = now() - interval '1 minute' WHERE id = $1", [orphan])
        let sleepers = try queue.enqueueMany((0..<3).map { _ in NewJob(kind: "noop", args: #"{"sleep_ms": 60000}"#) }, on: db)

        let registry = MetricsRegistry()
        let worker = BackgroundWorker(url: database.url, queue: queue, metrics: registry)
        func sample(_ name: String, _ labels: [String: String] = [:]) -> Double? {
            ExpositionSamples(registry.render()).value(name, labels)
        }
        #expect(eventually(timeout: 30) { sample("calworker_worker_slots_busy") == 3 })
        #expect(sample("calworker_worker_slots") == 4)
        #expect(eventually(timeout: 30) { sample("calworker_jobs_rescued_total") == 1 })
        #expect(eventually(timeout: 30) { sample("calworker_jobs_finished_total", ["outcome": "completed"]) == 1 })
        // The rescued job's second attempt counts as a retry.
        #expect(sample("calworker_jobs_started_total", ["attempt": "retry"]) == 1)

        for id in sleepers { _ = try queue.cancel(id: id, on: db) }
        #expect(eventually(timeout: 30) { sample("calworker_jobs_finished_total", ["outcome": "cancelled"]) == 3 })
        #expect(eventually(timeout: 30) { sample("calworker_worker_slots_busy") == 0 })
        #expect((sample("calworker_claim_duration_seconds_count") ?? 0) >= 1)
        #expect(sample("calworker_job_wait_seconds_count", ["queue": "default"]) == 4, "three sleepers and the rescued job")
        worker.stop()
        let summary = try worker.wait()
        #expect(summary.rescued == 1 && summary.cancelled == 3)
    }
}
