import Basics
import Foundation
import JobQueue
import Logging
import Metrics
import Postgres

extension Worker {
    /// Renews leases and the worker's heartbeat, relays cancel requests and timeouts to
    /// handlers, and rescues jobs whose workers died. Runs until `stop` is closed.
    func heartbeatLoop(_ db: PostgresConnection, stop: WaitQueue<Bool>) {
        let interval = options.heartbeatInterval ?? .milliseconds(Int64(queue.lease.seconds * 1000 / 3))
        var lastProgress = (at: ContinuousClock.now, summary: WorkerSummary())
        while true {
            _ = stop.takeBatch(limit: 1, timeout: interval)
            if stop.isClosedAndEmpty { return }
            let now = ContinuousClock.now
            let (held, stopping, summary) = coordinator.withLock { state in (Array(state.held.values), state.stopping, state.summary) }
            if now - lastProgress.at >= .seconds(10), summary != lastProgress.summary {
                logProgress(summary, since: lastProgress, now: now, running: held.count)
                lastProgress = (now, summary)
            }
            for item in held where !item.handlerDone {
                if let deadline = item.deadline, now >= deadline { item.stopSignal.stop(.timedOut) }
            }
            do {
                try Reconnect.run(db, what: "heartbeat", logger: logger, giveUp: { stop.isClosedAndEmpty }) {
                    // A handler that ignores its timeout by more than a lease is not renewed:
                    // another worker rescues the job instead of it being stuck here forever.
                    let renew = held.filter { item in
                        guard !item.handlerDone, let deadline = item.deadline else { return true }
                        return now < deadline + queue.lease
                    }.map(\.job.id)
                    let cancelled = try queue.extendLeases(ids: renew, workerID: options.workerID, on: db)
                    if !cancelled.isEmpty {
                        let byID = Dictionary(held.map { ($0.job.id, $0) }, uniquingKeysWith: { a, _ in a })
                        for id in cancelled { byID[id]?.stopSignal.stop(.cancelRequested) }
                    }
                    try WorkerRegistry.heartbeat(id: options.workerID, stopping: stopping, on: db)
                }
            } catch {
                logger.error("heartbeat failed", ["error": "\(error)"])
            }
            // Apart from the renewals above: a rescue that fails must not stop this worker
            // from keeping its own jobs.
            do {
                try Reconnect.run(db, what: "rescue", logger: logger, giveUp: { stop.isClosedAndEmpty }) {
                    let rescued = try queue.rescueExpired(on: db)
                    if !rescued.isEmpty {
                        logger.warning(
                            "rescued jobs whose worker stopped renewing their lease",
                            [
                                "count": String(rescued.count),
                                "job_ids": rescued.prefix(20).map { String($0.id) }.joined(separator: ","),
                                "previous_workers": Set(rescued.map(\.previousWorker)).sorted().joined(separator: ","),
                            ])
                        metrics.rescued.labels().increment(by: Double(rescued.count))
                        coordinator.update { state in
                            state.summary.rescued += rescued.count
                            state.wakePending = true
                        }
                    }
                }
            } catch {
                logger.error("rescuing expired jobs failed", ["error": "\(error)"])
            }
        }
    }
}

extension Worker {
    /// A busy worker says what it has done every ten seconds, so long runs show progress.
    func logProgress(
        _ summary: WorkerSummary, since last: (at: ContinuousClock.Instant, summary: WorkerSummary),
        now: ContinuousClock.Instant, running: Int
    ) {
        let finished = summary.completed + summary.failed + summary.snoozed + summary.discarded + summary.cancelled
        let before = last.summary.completed + last.summary.failed + last.summary.snoozed + last.summary.discarded + last.summary.cancelled
        let rate = Double(finished - before) / max(0.001, (now - last.at).seconds)
        logger.info(
            "worker progress",
            [
                "claimed": String(summary.claimed), "completed": String(summary.completed),
                "failed": String(summary.failed), "discarded": String(summary.discarded),
                "in_flight": String(running), "jobs_per_s": String(Int(rate)),
            ])
    }
}
