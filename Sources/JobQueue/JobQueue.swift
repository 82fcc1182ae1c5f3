import Postgres

/// The queue's operations, over whichever connection the caller holds.
///
/// A value type with no connection of its own: the CLI, the worker's threads and a handler's
/// transaction each pass theirs, which is what makes enqueue transactional (it runs inside the
/// caller's BEGIN/COMMIT) and keeps connections per thread.
public struct JobQueue: Sendable {
    /// How long a claim holds a job before another worker may rescue it. Slots extend it
    /// while a job runs, so it only needs to outlast a missed heartbeat or two.
    public var lease: Duration
    /// Delays between failed attempts.
    public var backoff: RetryBackoff

    public init(lease: Duration = .seconds(30), backoff: RetryBackoff = RetryBackoff()) {
        self.lease = lease
        self.backoff = backoff
    }

    /// The LISTEN/NOTIFY channel; the payload is the queue name.
    public static let notifyChannel = "calworker_jobs"
}
