public import Foundation

/// A job a worker holds under a lease, with what its handler needs.
public struct ClaimedJob: Sendable, Equatable {
    public var id: Int64
    public var kind: String
    public var queue: String
    /// The job's arguments: a JSON object as text.
    public var args: String
    /// This attempt's number, starting at 1.
    public var attempt: Int
    public var maxAttempts: Int
    public var priority: Int
    /// Per-job timeout override, if the job has one.
    public var timeout: Duration?
    /// When the claim happened (database clock): the run record's start.
    public var startedAt: Date
    /// When the job was due (run_at): pickup latency is `startedAt - dueAt`.
    public var dueAt: Date
    /// Its place in the claim order (see `JobQueue.claim(after:)`); nil when not read.
    public var position: ClaimPosition?

    public var isLastAttempt: Bool { attempt >= maxAttempts }

    public init(
        id: Int64, kind: String, queue: String, args: String, attempt: Int, maxAttempts: Int, priority: Int,
        timeout: Duration?, startedAt: Date, dueAt: Date
    ) {
        self.id = id
        self.kind = kind
        self.queue = queue
        self.args = args
        self.attempt = attempt
        self.maxAttempts = maxAttempts
        self.priority = priority
        self.timeout = timeout
        self.startedAt = startedAt
        self.dueAt = dueAt
    }
}
