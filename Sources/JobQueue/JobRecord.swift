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
