public import Foundation

/// How one claimed attempt ended, ready to be written by `JobQueue.finish`.
public struct FinishedAttempt: Sendable, Equatable {
    public var jobID: Int64
    public var attempt: Int
    public var outcome: RunOutcome
    public var error: String?
    /// When a `failed` or `snoozed` job runs again.
    public var retryAt: Date?
    public var finishedAt: Date
    public var durationMs: Double
    /// The handler's own figures, a JSON object as text.
    public var figures: String

    public init(
        jobID: Int64, attempt: Int, outcome: RunOutcome, error: String? = nil, retryAt: Date? = nil,
        finishedAt: Date = Date(), durationMs: Double, figures: String = "{}"
    ) {
        self.jobID = jobID
        self.attempt = attempt
        self.outcome = outcome
        self.error = error
        self.retryAt = retryAt
        self.finishedAt = finishedAt
        self.durationMs = durationMs
        self.figures = figures
    }
}
