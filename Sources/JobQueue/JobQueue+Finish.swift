import Foundation
import Postgres

extension JobQueue {
    /// Records many finished attempts in one statement: each job moves to its next state and
    /// gets its run record, atomically.
    ///
    /// Only attempts this worker still holds are written (`state = 'running'`, same attempt,
    /// same worker): a job whose lease ran out and was rescued is not finished a second time.
    /// That guard also makes the call safe to repeat after a lost connection. Returns the ids
    /// written.
    @discardableResult
    public func finish(_ attempts: [FinishedAttempt], workerID: String, on db: PostgresConnection) throws(PostgresError) -> Set<Int64> {
        guard !attempts.isEmpty else { return [] }
        let rows = try db.query("""
            WITH input AS (
                SELECT * FROM unnest($1::bigint[], $2::integer[], $3::text[], $4::text[], $5::timestamptz[],
                                     $6::timestamptz[], $7::double precision[], $8::jsonb[])
                       AS t(id, attempt, outcome, error, retry_at, finished_at, duration_ms, figures)
            ), updated AS (
                UPDATE calworker.jobs AS j
                   SET state = CASE WHEN input.outcome IN ('failed', 'snoozed') THEN 'available' ELSE input.outcome END,
                       run_at = coalesce(input.retry_at, j.run_at),
                       max_attempts = j.max_attempts + CASE WHEN input.outcome = 'snoozed' THEN 1 ELSE 0 END,
                       finished_at = CASE WHEN input.outcome IN ('failed', 'snoozed') THEN NULL ELSE input.finished_at END,
                       lease_until = NULL,
                       last_error = coalesce(input.error, j.last_error)
                  FROM input
                 WHERE j.id = input.id AND j.attempt = input.attempt AND j.state = 'running' AND j.worker_id = $9
                RETURNING j.id, j.attempt, j.kind, j.queue, j.attempted_at,
                          input.finished_at, input.outcome, input.error, input.duration_ms, input.figures
            )
            INSERT INTO calworker.job_runs (job_id, attempt, kind, queue, worker_id, started_at, finished_at,
                                            outcome, error, duration_ms, figures)
            SELECT id, attempt, kind, queue, $9, attempted_at, greatest(finished_at, attempted_at),
                   outcome, error, duration_ms, figures
              FROM updated
            RETURNING job_id
            """, [
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
            return FinishedAttempt(jobID: job.id, attempt: job.attempt, outcome: .discarded,
                                   error: "attempt \(job.attempt) of \(job.maxAttempts) failed, giving up: \(error)",
                                   finishedAt: now, durationMs: durationMs, figures: figures)
        }
        let delay = backoff.delay(afterAttempt: job.attempt)
        return FinishedAttempt(jobID: job.id, attempt: job.attempt, outcome: .failed, error: error,
                               retryAt: now.addingTimeInterval(delay), finishedAt: now, durationMs: durationMs, figures: figures)
    }
}
