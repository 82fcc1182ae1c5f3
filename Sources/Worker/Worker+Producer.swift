import Foundation
import JobQueue
import Logging
import Metrics
import Postgres

extension Worker {
    /// Claims jobs while there is room and due work, sleeping on NOTIFY or the poll interval
    /// otherwise. Returns when stopping, when `once` has drained the queues, or when `maxJobs`
    /// have been claimed.
    func produce(_ db: PostgresConnection) {
        var rotation = 0
        let slots = max(1, options.concurrency)
        let capacity = slots + max(0, options.prefetch)
        // Claiming for one freed slot at a time would cost a round trip per job; while
        // prefetched jobs keep the slots busy, wait until half a batch of room has opened.
        let threshold = max(1, min(options.claimBatch, capacity) / 2)
        var paused = PausedQueues()
        var floors = ClaimFloors()
        while true {
            // `held` counts results the completer has not written yet: a worker must not run
            // ahead of its own bookkeeping (each unwritten job is a lease to renew).
            let (stopping, busy, running, held, claimedSoFar) = coordinator.withLock {
                ($0.stopping, $0.busy, $0.running, $0.held.count, $0.summary.claimed)
            }
            if stopping { return }
            var room = capacity - held
            if let maxJobs = options.maxJobs {
                if claimedSoFar >= maxJobs { return }
                room = min(room, maxJobs - claimedSoFar)
            }
            let waiting = busy - running
            if room <= 0 || (room < threshold && waiting > 0) {
                coordinator.wait(timeout: options.pollInterval) { state in
                    state.stopping || capacity - state.held.count >= threshold
                        || (capacity - state.held.count > 0 && state.busy == state.running)
                }
                continue
            }
            let woken = coordinator.withLock { state in
                defer { state.wakePending = false }
                return state.wakePending
            }
            paused.refresh(db, woken: woken, queue: queue, logger: logger, giveUp: { self.isStopping })

            var claimed = 0
            var sawFullBatch = false
            for offset in 0..<options.queues.count where claimed < room {
                let name = options.queues[(rotation + offset) % options.queues.count]
                if paused.names.contains(name) { continue }
                let want = min(room - claimed, options.claimBatch)
                let start = floors.start(for: name, now: .now)
                let jobs: [ClaimedJob]
                do {
                    jobs = try Reconnect.run(
                        db, what: "claim", logger: logger, giveUp: { self.isStopping },
                        onReconnect: { self.wake() }
                    ) {
                        let started = ContinuousClock.now
                        defer { metrics.claimDuration.labels(name).observe(ContinuousClock.now - started) }
                        return try queue.claim(queue: name, limit: want, workerID: options.workerID, after: start, on: db)
                    }
                } catch {
                    // Not the connection (that is retried above): the statement itself fails, and
                    // retrying at once would only spin. Back off; a cron run stops and says so.
                    logger.error("claim failed", ["queue": name, "error": "\(error)"])
                    coordinator.update { $0.summary.claimErrors += 1 }
                    if options.once { return }
                    coordinator.wait(timeout: options.pollInterval) { $0.stopping }
                    break
                }
                floors.record(queue: name, start: start, claimed: jobs, wanted: want, now: .now)
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
        if let queue = jobs.first?.queue {
            let wait = metrics.wait.labels(queue)
            for job in jobs { wait.observe(max(0, job.startedAt.timeIntervalSince(job.dueAt))) }
        }
        let inFlight = jobs.map { InFlightJob(job: $0, stopSignal: StopSignal()) }
        coordinator.withLock { state in
            state.busy += jobs.count
            state.summary.claimed += jobs.count
            for item in inFlight { state.held[item.job.id] = item }
        }
        dispatch.put(contentsOf: inFlight)
    }

    func nothingDue(_ db: PostgresConnection) -> Bool {
        let count = try? Reconnect.run(db, what: "check due", logger: logger, giveUp: { self.isStopping }) {
            try JobQueue().dueCount(queues: options.queues, on: db)
        }
        guard let count else { return true }
        return count == 0
    }

    func wake() {
        coordinator.update { $0.wakePending = true }
    }
}

/// The queues an operator paused, as the producer last read them: again at most a second
/// later, and at once after a wake-up (a resume NOTIFYs its queue), so a paused queue stops
/// being claimed within a second and a resumed one starts at once.
struct PausedQueues {
    private(set) var names: Set<String> = []
    private var readAt: ContinuousClock.Instant?

    mutating func refresh(_ db: PostgresConnection, woken: Bool, queue: JobQueue, logger: Logger, giveUp: () -> Bool) {
        if !woken, let readAt, ContinuousClock.now - readAt < .seconds(1) { return }
        // A failure keeps the last answer; the claim that follows meets the same trouble and
        // reconnects.
        guard
            let pauses = try? Reconnect.run(
                db, what: "read paused queues", logger: logger, giveUp: giveUp,
                {
                    try queue.pausedQueues(on: db)
                })
        else { return }
        names = Set(pauses.map(\.queue))
        readAt = .now
    }
}
