import Foundation
import JobQueue

/// A job between claim and the completer's write: what the heartbeat renews and signals.
struct InFlightJob: Sendable {
    let job: ClaimedJob
    let stopSignal: StopSignal
    /// Set when a slot starts the job (a prefetched job waits without a clock running).
    var deadline: ContinuousClock.Instant?
    /// The handler has returned; only the write is pending.
    var handlerDone = false
}

/// The worker's shared bookkeeping, and the condition its threads sleep on.
///
/// `@unchecked Sendable`: every field is read and written only while `condition` is locked
/// (`withLock`, `update`, `wait`), and waiting happens on that same condition. Slots wake the
/// producer only when what it waits for has come true, so a busy worker does not pay for a
/// broadcast per job.
final class WorkerCoordinator: @unchecked Sendable {
    private let condition = NSCondition()

    var stopping = false
    /// Registered, its sessions open, its loops started: readiness waits for this.
    var started = false
    /// Skip the rest of the grace period (a second SIGTERM/SIGINT).
    var hurry = false
    /// A NOTIFY (or a reconnect, or a rescue) arrived since the producer last looked.
    var wakePending = false
    /// Claimed jobs whose handler has not returned yet (waiting for a slot, or running).
    var busy = 0
    /// Of those, the ones a slot has started.
    var running = 0
    /// Claimed and not yet written by the completer, by job id.
    var held: [Int64: InFlightJob] = [:]
    var summary = WorkerSummary()
    /// What the producer is waiting for, if it is waiting; slots signal when it holds.
    private var producerCondition: ((WorkerCoordinator) -> Bool)?

    func withLock<T>(_ body: (WorkerCoordinator) throws -> T) rethrows -> T {
        condition.lock()
        defer { condition.unlock() }
        return try body(self)
    }

    /// Changes state and wakes every waiter (rare events: stop, NOTIFY, completer batches).
    func update(_ body: (WorkerCoordinator) -> Void) {
        condition.lock()
        body(self)
        condition.unlock()
        condition.broadcast()
    }

    /// Changes state on a per-job path; wakes the producer only if its condition now holds.
    func updateQuietly(_ body: (WorkerCoordinator) -> Void) {
        condition.lock()
        body(self)
        let wake = producerCondition?(self) ?? false
        condition.unlock()
        if wake { condition.broadcast() }
    }

    /// Waits until `ready` holds or `timeout` passes; returns whether it holds.
    @discardableResult
    func wait(timeout: Duration, until ready: @escaping (WorkerCoordinator) -> Bool) -> Bool {
        let deadline = Date.after(timeout)
        condition.lock()
        defer {
            producerCondition = nil
            condition.unlock()
        }
        while !ready(self) {
            producerCondition = ready
            if !condition.waitBounded(until: deadline) { return ready(self) }
        }
        return true
    }
}

/// Counts of what one `run` did, for the CLI's closing line and for tests.
public struct WorkerSummary: Sendable, Equatable, Codable {
    public var claimed = 0
    public var completed = 0
    public var failed = 0
    public var snoozed = 0
    public var discarded = 0
    public var cancelled = 0
    /// Running jobs given back to the queue at shutdown.
    public var handedBack = 0
    /// Prefetched jobs released unstarted at shutdown.
    public var released = 0
    /// Jobs of other (dead) workers this worker put back.
    public var rescued = 0
    public var reconnects = 0
    /// Claims the database rejected (not connection losses, which are retried).
    public var claimErrors = 0

    public init() {}

    mutating func count(_ outcome: RunOutcome) {
        switch outcome {
        case .completed: completed += 1
        case .failed: failed += 1
        case .snoozed: snoozed += 1
        case .discarded: discarded += 1
        case .cancelled: cancelled += 1
        case .lost: break
        }
    }
}
