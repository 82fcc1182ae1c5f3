import Basics
import Foundation
import JobQueue
import Logging
import Postgres

extension Worker {
    /// After the producer stops: release prefetched jobs no slot has started, wait for the
    /// running ones (within the grace period when stopping on a signal), then hand back
    /// whatever is still running.
    func drain(_ db: PostgresConnection) {
        let signalled = coordinator.withLock { $0.stopping }
        if signalled { releaseUnstarted(db) }
        let grace = signalled ? options.gracePeriod : .seconds(86_400 * 365)
        let running = coordinator.withLock { $0.busy }
        if signalled && running > 0 {
            logger.notice(
                "stopping: waiting for running jobs",
                [
                    "running": String(running),
                    "grace_s": String(Int(options.gracePeriod.seconds)),
                ])
        }
        coordinator.wait(timeout: grace) { $0.held.isEmpty || $0.hurry }
        if signalled { releaseUnstarted(db) }
        let unfinished = coordinator.withLock { state in state.held.values.filter { !$0.handlerDone } }
        guard !unfinished.isEmpty else {
            coordinator.wait(timeout: .seconds(30)) { $0.held.isEmpty }
            return
        }
        for item in unfinished { item.stopSignal.stop(.shuttingDown) }
        // Handlers that watch their stop signal return promptly and record their own hand-back.
        coordinator.wait(timeout: .seconds(2)) { state in state.held.values.allSatisfy(\.handlerDone) }
        let stuck = coordinator.withLock { state in state.held.values.filter { !$0.handlerDone }.map(\.job) }
        if !stuck.isEmpty {
            let attempts = stuck.map { job in
                FinishedAttempt(
                    jobID: job.id, attempt: job.attempt, outcome: .snoozed,
                    error: "handed back: the worker shut down before the job finished",
                    retryAt: Date(), durationMs: Date().timeIntervalSince(job.startedAt) * 1000)
            }
            let written =
                (try? Reconnect.run(db, what: "hand back", logger: logger, giveUp: { false }) {
                    try queue.finish(attempts, workerID: options.workerID, on: db)
                }) ?? []
            coordinator.update { state in
                for id in written { state.held[id] = nil }
                state.summary.handedBack += written.count
            }
            logger.warning("handed running jobs back to the queue", ["count": String(written.count)])
        }
        coordinator.wait(timeout: .seconds(30)) { $0.held.values.allSatisfy { !$0.handlerDone } }
    }

    /// Un-claims prefetched jobs that never started, as if they had not been claimed.
    func releaseUnstarted(_ db: PostgresConnection) {
        let unstarted = dispatch.drainAll()
        guard !unstarted.isEmpty else { return }
        let released =
            (try? Reconnect.run(db, what: "release", logger: logger, giveUp: { false }) {
                try queue.release(unstarted.map(\.job), workerID: options.workerID, on: db)
            }) ?? 0
        coordinator.update { state in
            for item in unstarted { state.held[item.job.id] = nil }
            state.busy -= unstarted.count
            state.summary.released += released
        }
        logger.notice("released prefetched jobs that had not started", ["count": String(released)])
    }
}
