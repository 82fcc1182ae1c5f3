import Foundation
import JobQueue
import Postgres

extension Worker {
    /// Claims jobs while there are free slots and due jobs, sleeping on NOTIFY or the poll
    /// interval otherwise. Returns when stopping, when `once` has drained the queues, or when
    /// `maxJobs` have been claimed.
    func produce(_ db: PostgresConnection) {
        var rotation = 0
        let slots = max(1, options.concurrency)
        // Claiming for one freed slot at a time would cost a round trip per job; wait briefly
        // for a few slots to free up so claims stay batched.
        let comfortableFree = max(1, min(options.claimBatch, slots) / 4)
        while true {
            let (stopping, busy, claimedSoFar) = coordinator.withLock { ($0.stopping, $0.busySlots, $0.summary.claimed) }
            if stopping { return }
            var free = slots - busy
            if let maxJobs = options.maxJobs {
                if claimedSoFar >= maxJobs { return }
                free = min(free, maxJobs - claimedSoFar)
            }
            if free < comfortableFree && free < slots {
                coordinator.wait(timeout: .milliseconds(2)) { $0.stopping || slots - $0.busySlots >= comfortableFree }
                free = slots - coordinator.withLock { $0.busySlots }
                if let maxJobs = options.maxJobs { free = min(free, maxJobs - claimedSoFar) }
            }
            if free <= 0 {
                coordinator.wait(timeout: options.pollInterval) { $0.stopping || $0.busySlots < slots }
                continue
            }
            coordinator.withLock { $0.wakePending = false }

            var claimed = 0
            var sawFullBatch = false
            for offset in 0..<options.queues.count where claimed < free {
                let name = options.queues[(rotation + offset) % options.queues.count]
                let want = min(free - claimed, options.claimBatch)
                let jobs: [ClaimedJob]
                do {
                    jobs = try Reconnect.run(db, what: "claim", logger: logger, giveUp: { self.isStopping },
                                             onReconnect: { self.wake() }) {
                        try queue.claim(queue: name, limit: want, workerID: options.workerID, on: db)
                    }
                } catch {
                    logger.error("claim failed", ["queue": name, "error": "\(error)"])
                    break
                }
                if jobs.count == want { sawFullBatch = true }
                claimed += jobs.count
                hand(jobs)
            }
            rotation += 1
            if sawFullBatch { continue }
            if claimed > 0 && !options.once { continue }

            if options.once && claimed == 0 {
                // Done once nothing is due and nothing we run can enqueue more due work.
                coordinator.wait(timeout: .seconds(3600)) { $0.stopping || $0.held.isEmpty }
                if coordinator.withLock({ $0.wakePending }) { continue }
                if nothingDue(db) { return }
                continue
            }
            if options.once { continue }
            coordinator.wait(timeout: options.pollInterval) { $0.stopping || $0.wakePending }
        }
    }

    /// Registers claimed jobs as in flight and hands them to the slot threads.
    func hand(_ jobs: [ClaimedJob]) {
        guard !jobs.isEmpty else { return }
        let now = ContinuousClock.now
        let inFlight = jobs.map { job in
            InFlightJob(job: job, stopSignal: StopSignal(),
                        deadline: now + (job.timeout ?? registry.timeout(for: job.kind) ?? .seconds(300)))
        }
        coordinator.withLock { state in
            state.busySlots += jobs.count
            state.summary.claimed += jobs.count
            for item in inFlight { state.held[item.job.id] = item }
        }
        dispatch.put(contentsOf: inFlight)
    }

    func nothingDue(_ db: PostgresConnection) -> Bool {
        let rows = try? Reconnect.run(db, what: "check due", logger: logger, giveUp: { self.isStopping }) {
            try db.query("""
                SELECT count(*) FROM calworker.jobs
                 WHERE state = 'available' AND queue = ANY($1::text[]) AND run_at <= now()
                """, [options.queues])
        }
        guard let rows, let count = try? rows[0].decode(Int.self, at: 0) else { return true }
        return count == 0
    }

    func wake() {
        coordinator.update { $0.wakePending = true }
    }

    /// After the producer stops: wait for running jobs (within the grace period when stopping
    /// on a signal), then hand back whatever is still running.
    func drain(_ db: PostgresConnection) {
        let signalled = coordinator.withLock { $0.stopping }
        let grace = signalled ? options.gracePeriod : .seconds(86_400 * 365)
        if signalled {
            let running = coordinator.withLock { $0.busySlots }
            if running > 0 {
                logger.info("stopping: waiting for running jobs", ["running": String(running),
                                                                   "grace_s": String(Int(options.gracePeriod.seconds))])
            }
        }
        coordinator.wait(timeout: grace) { $0.held.isEmpty || $0.hurry }
        let leftover = coordinator.withLock { state in Array(state.held.values) }
        let unfinished = leftover.filter { !$0.handlerDone }
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
                FinishedAttempt(jobID: job.id, attempt: job.attempt, outcome: .snoozed,
                                error: "handed back: the worker shut down before the job finished",
                                retryAt: Date(), durationMs: Date().timeIntervalSince(job.startedAt) * 1000)
            }
            let written = (try? Reconnect.run(db, what: "hand back", logger: logger, giveUp: { false }) {
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
}
