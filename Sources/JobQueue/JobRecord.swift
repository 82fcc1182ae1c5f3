public import Foundation

/// A job as stored, for operators (`calworker runs show`, `queue`).
public struct JobRecord: Sendable, Equatable, Codable {
    public var id: Int64
    public var kind: String
    public var queue: String
    public var args: String
    public var state: JobState
    public var priority: Int
    public var attempt: Int
    public var maxAttempts: Int
    public var runAt: Date
    public var uniqueKey: String?
    public var timeoutMs: Int?
    public var createdAt: Date
    public var attemptedAt: Date?
    public var finishedAt: Date?
    public var leaseUntil: Date?
    public var workerID: String?
    public var cancelRequestedAt: Date?
    public var lastError: String?
}

/// One attempt's run record from `calworker.job_runs`.
public struct RunRecord: Sendable, Equatable, Codable {
    public var jobID: Int64
    public var attempt: Int
    public var kind: String
    public var queue: String
    public var workerID: String
    public var startedAt: Date
    public var finishedAt: Date
    public var outcome: RunOutcome
    public var error: String?
    public var durationMs: Double
    /// The handler's figures, a JSON object as text.
    public var figures: String
    /// What the job was, kept with each attempt so history explains itself after the job row
    /// is pruned (nil on records written before schema version 11 whose job was gone).
    public var priority: Int?
    /// The job's args, a JSON object as text.
    public var args: String?
    public var uniqueKey: String?
    public var maxAttempts: Int?
    public var subject: String?
    /// What became of the job after this record: `available` while it waits to run again,
    /// else how it ended (nil on records read from an older schema).
    public var jobState: JobState?
    public var timeoutMs: Int?
    /// When the job was enqueued.
    public var createdAt: Date?
    /// Where the next page starts: pass it to `RunFilter.before` (`runs --before`).
    public var cursor: String?
}

/// Jobs counted by queue, kind and state, with the age of the oldest due one.
public struct QueueCount: Sendable, Equatable, Codable {
    public var queue: String
    public var kind: String
    public var state: String
    public var count: Int
    /// Seconds the oldest due `available` job has waited; nil for other states.
    public var oldestDueAgeSeconds: Double?
}

extension JobRecord {
    /// A finished job, as its run records remember it (oldest first; the newest says how it
    /// ended): what `runs show` prints for the whole retention of the history. Nil without
    /// records.
    public init?(id: Int64, history runs: [RunRecord]) {
        guard let last = runs.last else { return nil }
        let state: JobState =
            switch last.jobState {
            case .some(let ended) where ended != .available && ended != .running: ended
            default:
                switch last.outcome {
                case .completed: .completed
                case .cancelled: .cancelled
                default: .discarded
                }
            }
        self.init(
            id: id, kind: last.kind, queue: last.queue, args: last.args ?? "{}", state: state, priority: last.priority ?? 0,
            attempt: last.attempt, maxAttempts: last.maxAttempts ?? last.attempt, runAt: last.startedAt, uniqueKey: last.uniqueKey,
            timeoutMs: last.timeoutMs, createdAt: last.createdAt ?? runs.first?.startedAt ?? last.startedAt, attemptedAt: last.startedAt,
            finishedAt: last.finishedAt, leaseUntil: nil, workerID: last.workerID, cancelRequestedAt: nil, lastError: last.error)
    }
}
