/// Where a job is in its life. `available` covers queued, scheduled (run_at in the future)
/// and waiting-to-retry jobs: one state means one claim index and no scheduler to move jobs.
public enum JobState: String, Sendable, CaseIterable, Codable {
    case available, running, completed, discarded, cancelled

    /// Live states hold a unique key; finished ones free it.
    public var isLive: Bool { self == .available || self == .running }
}

/// How one attempt ended, as recorded in `calworker.job_runs`.
public enum RunOutcome: String, Sendable, CaseIterable, Codable {
    /// The handler succeeded.
    case completed
    /// The handler failed; the job will be retried after a backoff.
    case failed
    /// The handler asked to run again later (rate limits); does not use up an attempt.
    case snoozed
    /// No more attempts: bad input, or the last attempt failed.
    case discarded
    /// An operator cancelled the job while it ran.
    case cancelled
    /// The worker died or hung; its lease ran out and the job was rescued.
    case lost
}
