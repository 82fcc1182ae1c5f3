import Basics
import Foundation
import JobQueue
import Logging
import Postgres
import Redaction

extension Worker {
    /// One slot thread: takes a job, runs its handler, passes the outcome to the completer.
    func slotLoop(_ connection: SlotConnection) {
        var memo = ArgsMemo()
        var slotMetrics = SlotMetrics(metrics)
        while let item = dispatch.take() {
            let deadline = ContinuousClock.now + (item.job.timeout ?? registry.timeout(for: item.job.kind) ?? .seconds(300))
            coordinator.updateQuietly { state in
                state.running += 1
                state.held[item.job.id]?.deadline = deadline
            }
            let attempt = execute(item, deadline: deadline, connection: connection, memo: &memo, metrics: &slotMetrics)
            results.put(attempt)
            coordinator.updateQuietly { state in
                state.busy -= 1
                state.running -= 1
                state.held[item.job.id]?.handlerDone = true
            }
        }
    }

    /// Runs one attempt and maps whatever happened to the outcome the queue records.
    func execute(
        _ item: InFlightJob, deadline: ContinuousClock.Instant, connection: SlotConnection,
        memo: inout ArgsMemo, metrics: inout SlotMetrics
    ) -> FinishedAttempt {
        let job = item.job
        metrics.started(job)
        let context = JobContext(
            job: job, logger: logger, stopSignal: item.stopSignal, deadline: deadline,
            metrics: metricsRegistry, connectionProvider: { try connection.get() })
        let clock = ContinuousClock()
        let started = clock.now
        var thrown: (any Error)?
        var result: JobResult?
        do {
            // Every wait inside the attempt (a server's Retry-After, a request budget) ends in
            // time for the deadline, or ends the attempt as a snooze (`AttemptWaits`).
            result = try AttemptWaits.$deadline.withValue(deadline) {
                try registry.run(kind: job.kind, args: job.args, context: context, memo: &memo)
            }
        } catch {
            thrown = error
        }
        let elapsed = clock.now - started
        let durationMs = elapsed.seconds * 1000
        let now = Date()
        var attempt: FinishedAttempt
        switch (result, item.stopSignal.current) {
        case (.success(let figures)?, _):
            attempt = FinishedAttempt(
                jobID: job.id, attempt: job.attempt, outcome: .completed, finishedAt: now,
                durationMs: durationMs, figures: figures.json)
        case (.retry(let after, let reason, let figures)?, _):
            attempt = FinishedAttempt(
                jobID: job.id, attempt: job.attempt, outcome: .snoozed, error: reason,
                retryAt: now.addingTimeInterval(min(max(0, after.seconds), JobResult.longestSnooze)), finishedAt: now,
                durationMs: durationMs, figures: figures.json)
        case (.discard(let reason, let figures)?, _):
            attempt = FinishedAttempt(
                jobID: job.id, attempt: job.attempt, outcome: .discarded, error: reason,
                finishedAt: now, durationMs: durationMs, figures: figures.json)
        case (nil, .cancelRequested):
            attempt = FinishedAttempt(
                jobID: job.id, attempt: job.attempt, outcome: .cancelled,
                error: "cancelled by an operator", finishedAt: now, durationMs: durationMs)
        case (nil, .shuttingDown):
            attempt = FinishedAttempt(
                jobID: job.id, attempt: job.attempt, outcome: .snoozed,
                error: "handed back: the worker shut down before the job finished",
                retryAt: now, finishedAt: now, durationMs: durationMs)
        case (nil, .timedOut):
            let limit = String(format: "%.1f", (deadline - started).seconds)
            attempt = queue.failure(of: job, error: "timed out after \(limit)s", durationMs: durationMs, now: now)
        case (nil, .none) where Self.requestedWait(thrown) != nil:
            // A server asked for a longer wait than the attempt may sleep: come back after it,
            // without spending an attempt, as a handler's `.retry(after:)` would.
            let wait = Self.requestedWait(thrown) ?? .zero
            attempt = FinishedAttempt(
                jobID: job.id, attempt: job.attempt, outcome: .snoozed, error: describe(thrown),
                retryAt: now.addingTimeInterval(min(max(0, wait.seconds), JobResult.longestSnooze)), finishedAt: now,
                durationMs: durationMs)
        case (nil, .none) where thrown.flatMap(JobResult.settled(by:)) != nil:
            // The error says the next attempt would meet it again (bad input, a location that
            // cannot work, a refused credential): no point spending the remaining attempts.
            attempt = FinishedAttempt(
                jobID: job.id, attempt: job.attempt, outcome: .discarded, error: describe(thrown),
                finishedAt: now, durationMs: durationMs)
        case (nil, .none):
            attempt = queue.failure(of: job, error: describe(thrown), durationMs: durationMs, now: now)
        }
        // What a handler says went wrong often quotes a server; it is stored and logged, so it
        // leaves without secrets and at a readable length.
        attempt.error = attempt.error.map { Redactor.clean($0, limit: Self.longestError) }
        metrics.finished(job, outcome: attempt.outcome, elapsed: elapsed, figures: result?.figures ?? JobFigures())
        if attempt.outcome == .completed {
            if logger.effectiveLevel <= .debug {
                context.logger.debug("job finished", ["outcome": attempt.outcome.rawValue, "duration_ms": String(format: "%.1f", durationMs)])
            }
        } else {
            context.logger.warning(
                "job did not complete",
                [
                    "outcome": attempt.outcome.rawValue, "error": attempt.error ?? "",
                    "duration_ms": String(format: "%.1f", durationMs),
                ])
        }
        return attempt
    }

    /// The wait a retryable error asks for (`CalworkerError.requestedWait`), if any.
    static func requestedWait(_ error: (any Error)?) -> Duration? {
        guard let failure = error as? any CalworkerError, failure.isRetryable else { return nil }
        return failure.requestedWait
    }

    /// The longest error a run record or a job keeps: 4,000 characters.
    static let longestError = 4000

    func describe(_ error: (any Error)?) -> String {
        guard let error else { return "unknown error" }
        let text = String(describing: error)
        return text.isEmpty ? String(describing: type(of: error)) : text
    }
}
