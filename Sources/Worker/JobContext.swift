public import Basics
import Foundation
public import JobQueue
public import Logging
public import Metrics
public import Postgres
import Synchronization

/// Why a running job is asked to stop.
public enum StopReason: Int, Sendable {
    case none = 0
    /// An operator ran `calworker cancel`.
    case cancelRequested
    /// The attempt ran past its timeout.
    case timedOut
    /// The worker is shutting down and the grace period is over.
    case shuttingDown
}

/// A flag the worker sets and the handler polls (directly, or through libcurl's progress
/// callback) to stop early.
public final class StopSignal: Sendable {
    private let reason = Atomic<Int>(0)
    public init() {}

    /// The first reason wins; later ones do not overwrite it.
    public func stop(_ why: StopReason) {
        _ = reason.compareExchange(expected: 0, desired: why.rawValue, ordering: .relaxed)
    }

    public var current: StopReason { StopReason(rawValue: reason.load(ordering: .relaxed)) ?? .none }
    public var isStopped: Bool { current != .none }
}

/// Thrown by `JobContext.checkStop()` so a handler can unwind with one line.
public struct JobStopped: Error, CustomStringConvertible, Sendable {
    public var reason: StopReason
    public var description: String {
        switch reason {
        case .cancelRequested: "cancelled by an operator"
        case .timedOut: "timed out"
        case .shuttingDown: "worker shutting down"
        case .none: "stopped"
        }
    }
}

/// What a handler gets besides its arguments.
public struct JobContext: Sendable {
    public let job: ClaimedJob
    let baseLogger: Logger
    /// Already carries `job_id`, `kind` and `attempt`. Built on use, since most jobs never log.
    public var logger: Logger {
        baseLogger.with(["job_id": String(job.id), "kind": job.kind, "attempt": String(job.attempt)])
    }
    public let stopSignal: StopSignal
    /// When this attempt's timeout runs out.
    public let deadline: ContinuousClock.Instant
    let connectionProvider: @Sendable () throws -> PostgresConnection
    /// Where handlers' own metrics go (their HTTP clients' requests, for one).
    public let metrics: MetricsRegistry
    /// How often `progress` lets a line through. Default 5 s.
    let progressInterval: Duration

    public init(
        job: ClaimedJob, logger: Logger, stopSignal: StopSignal, deadline: ContinuousClock.Instant,
        metrics: MetricsRegistry = MetricsRegistry(), progressInterval: Duration = .seconds(5),
        connectionProvider: @escaping @Sendable () throws -> PostgresConnection
    ) {
        self.job = job
        self.baseLogger = logger
        self.stopSignal = stopSignal
        self.deadline = deadline
        self.metrics = metrics
        self.progressInterval = progressInterval
        self.connectionProvider = connectionProvider
    }

    /// A progress logger for this attempt; make one per attempt and call `report` freely.
    public func progress() -> JobProgress { JobProgress(logger: logger, interval: progressInterval) }

    public var isStopped: Bool { stopSignal.isStopped }

    /// Throws `JobStopped` when the job was cancelled, timed out or the worker is stopping.
    public func checkStop() throws(JobStopped) {
        let reason = stopSignal.current
        if reason != .none { throw JobStopped(reason: reason) }
    }

    /// This slot's own database connection, opened on first use and reused by later jobs on
    /// the same slot. Reconnected if the server went away.
    public func database() throws -> PostgresConnection { try connectionProvider() }
}

extension JobStopped: CalworkerError {
    public var errorCode: String { "stopped" }
    public var message: String { description }
    /// Stopping is the worker's decision, not the job's fault.
    public var isRetryable: Bool { true }
}
