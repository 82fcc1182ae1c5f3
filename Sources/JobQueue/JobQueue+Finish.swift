public import Foundation
public import Postgres

extension JobQueue {
    /// Records many finished attempts in one statement: each job moves to its next state and
    /// gets its run record, atomically.
    ///
    /// Only attempts this worker still holds are written (`state = 'running'`, same attempt,
    /// same worker): a job whose lease ran out and was rescued is not finished a second time.
    /// That guard also makes the call safe to repeat after a lost connection. Returns the ids
    /// written.
    ///
    /// Should one attempt's values make the batch fail, the attempts are written one by one,
    /// and one that still fails is written plainly (its error replaced by why it could not be
    /// recorded), so the jobs finished beside it are not lost to a rescue.
    @discardableResult
    public func finish(_ unordered: [FinishedAttempt], workerID: String, on db: PostgresConnection) throws(PostgresError) -> Set<Int64> {
        guard !unordered.isEmpty else { return [] }
        // In id order, like every multi-row write here, so concurrent writers never deadlock.
        let attempts = unordered.sorted { $0.jobID < $1.jobID }
        do {
            return try write(attempts, workerID: workerID, on: db)
        } catch  where Self.isRowProblem(error) {
            var written = Set<Int64>()
            for attempt in attempts {
                do {
                    written.formUnion(try write([attempt], workerID: workerID, on: db))
                } catch  where Self.isRowProblem(error) {
                    written.formUnion((try? write([attempt.plain(because: error)], workerID: workerID, on: db)) ?? [])
                }
            }
            return written
        }
    }

    private func write(_ attempts: [FinishedAttempt], workerID: String, on db: PostgresConnection) throws(PostgresError) -> Set<Int64> {
        let rows = try db.query(
            Statements.finish,
            [
                attempts.map(\.jobID), attempts.map(\.attempt), attempts.map(\.outcome.rawValue), attempts.map(\.error),
                attempts.map(\.retryAt), attempts.map(\.finishedAt), attempts.map(\.durationMs),
                attempts.map { PostgresJSON($0.figures) }, workerID,
            ], prepared: true)
        var written = Set<Int64>()
        for row in rows { written.insert(try row.decode(Int64.self, at: 0)) }
        return written
    }

    /// The attempt that follows a handler failure: retried after a backoff, or discarded when
    /// it was the last one.
    public func failure(of job: ClaimedJob, error: String, durationMs: Double, figures: String = "{}", now: Date = Date()) -> FinishedAttempt {
        if job.isLastAttempt {
            return FinishedAttempt(
                jobID: job.id, attempt: job.attempt, outcome: .discarded,
                error: "attempt \(job.attempt) of \(job.maxAttempts) failed, giving up: \(error)",
                finishedAt: now, durationMs: durationMs, figures: figures)
        }
        let delay = backoff.delay(afterAttempt: job.attempt)
        return FinishedAttempt(
            jobID: job.id, attempt: job.attempt, outcome: .failed, error: error,
            retryAt: now.addingTimeInterval(delay), finishedAt: now, durationMs: durationMs, figures: figures)
    }
}

extension FinishedAttempt {
    /// This attempt with nothing in it that could fail a write: no figures, no retry time of
    /// its own (a failure retries in a minute), and its error replaced by why it could not be
    /// recorded as it was.
    func plain(because error: PostgresError) -> FinishedAttempt {
        var copy = self
        copy.figures = "{}"
        copy.error = "the attempt's outcome (\(outcome.rawValue)) could not be recorded: \(error.message)"
        copy.retryAt = outcome == .failed || outcome == .snoozed ? finishedAt.addingTimeInterval(60) : nil
        return copy
    }
}
