import Foundation
public import Postgres

/// How a worker runs. Every default is what `calworker work` uses without flags.
public struct WorkerOptions: Sendable {
    /// Queues to serve, claimed from in turn.
    public var queues: [String] = ["default"]
    /// Jobs run at once, each on its own thread. Default 10.
    public var concurrency: Int = 10
    /// Drain what is due, then exit (cron / systemd-timer mode).
    public var once: Bool = false
    /// Stop after this many jobs have been claimed (then finish them and exit).
    public var maxJobs: Int?
    /// Jobs claimed beyond the free slots, waiting in memory for the next free slot. Under load
    /// it keeps slots from going idle between claims and lets claims stay batched; each such
    /// job is leased to this worker meanwhile, so keep it 0 (the default, as River and Oban do)
    /// when jobs are long and several workers share a queue.
    public var prefetch: Int = 0
    /// Most jobs claimed in one statement. Default 100; batching is what makes the queue fast.
    public var claimBatch: Int = 100
    /// How often to look for due jobs without a NOTIFY: retries coming due, scheduled jobs,
    /// and every wake-up when LISTEN is unavailable (transaction-mode poolers). Default 1 s.
    public var pollInterval: Duration = .seconds(1)
    /// Use LISTEN/NOTIFY for immediate wake-ups. Turn off behind a transaction-mode pooler.
    public var listen: Bool = true
    /// Prepare the hot statements once per session. Turn off behind a transaction-mode
    /// pooler that does not track prepared statements (PgBouncer before 1.21).
    public var preparedStatements: Bool = true
    /// How long connecting and each statement may take, for every connection the worker and
    /// its handlers open. Default: PostgresTimeouts' defaults (10 s, 60 s, locks 10 s).
    public var databaseTimeouts = PostgresTimeouts()
    /// How long running jobs may finish after SIGTERM before they are handed back. Default 30 s.
    public var gracePeriod: Duration = .seconds(30)
    /// How often leases and the worker heartbeat are renewed. Default: a third of the lease.
    public var heartbeatInterval: Duration?
    /// Identifies this process in `calworker.workers` and run records.
    public var workerID: String = WorkerOptions.defaultWorkerID()
    /// calworker's version, recorded in `calworker.workers`.
    public var version: String = "dev"

    public init() {}

    public static func defaultWorkerID() -> String {
        let host = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "host"
        let suffix = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        return "\(host)-\(getpid())-\(suffix)"
    }
}
