public import Basics
import Foundation
public import JobQueue
public import Logging
public import Metrics
import Postgres
import Synchronization

/// Why a worker could not start.
public struct WorkerStartError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { message }
}

/// Takes jobs from the queue and runs them: one producer claiming in batches, `concurrency`
/// slot threads running handlers, a completer writing outcomes and run records in batches,
/// a heartbeat renewing leases and rescuing dead workers' jobs, and a LISTEN connection for
/// immediate wake-ups.
///
/// Every blocking call happens on one of these dedicated threads, never on Swift's
/// cooperative pool. Each of those threads has its own connection.
public final class Worker: Sendable {
    public let options: WorkerOptions
    let registry: HandlerRegistry
    let queue: JobQueue
    let databaseURL: String
    let logger: Logger
    let coordinator = WorkerCoordinator()
    let dispatch = WaitQueue<InFlightJob>()
    let results = WaitQueue<FinishedAttempt>()
    let metrics: WorkerMetrics
    let metricsRegistry: MetricsRegistry
    /// Every connection this run opened, for the reconnect count in metrics and the summary.
    let connections = Mutex<[PostgresConnection]>([])
    let slotConnections = Mutex<[SlotConnection]>([])

    /// - Parameter metrics: where the worker's metrics go; the caller serves or writes them.
    public init(
        databaseURL: String, registry: HandlerRegistry, queue: JobQueue = JobQueue(),
        options: WorkerOptions = WorkerOptions(), logger: Logger, metrics: MetricsRegistry = MetricsRegistry()
    ) {
        self.databaseURL = databaseURL
        self.registry = registry
        self.queue = queue
        self.options = options
        self.logger = logger.with(["worker_id": options.workerID])
        self.metrics = WorkerMetrics(metrics, handlers: registry)
        self.metricsRegistry = metrics
        metrics.addCollector { [weak self] in self?.liveMetrics() ?? [] }
    }

    public var workerID: String { options.workerID }

    /// Asks the worker to stop claiming and drain (SIGTERM). A second call skips the rest of
    /// the grace period and hands running jobs back at once.
    public func requestStop() {
        coordinator.update { state in
            if state.stopping { state.hurry = true }
            state.stopping = true
        }
    }

    /// A snapshot of the counts so far.
    public var summary: WorkerSummary { coordinator.withLock { $0.summary } }

    /// Runs until stopped (or, with `once`/`maxJobs`, until done) and returns what it did.
    /// Blocks the calling thread; throws only when it cannot start.
    public func run() throws -> WorkerSummary {
        let producerDB = try open("producer")
        let status = try registry.schema.status(on: producerDB)
        guard status.isCurrent else {
            throw WorkerStartError(message: "refusing to start: \(status.explanation)")
        }
        try WorkerRegistry.register(
            id: options.workerID, hostname: ProcessInfo.processInfo.hostName,
            pid: Int(getpid()), queues: options.queues, concurrency: options.concurrency,
            version: options.version, on: producerDB)
        // Jobs of workers that died (a SIGKILL, a lost host) are put back before the first
        // claim: a `--once` run from cron would otherwise find nothing due and exit without
        // ever running its heartbeat's rescue.
        if let rescued = try? queue.rescueExpired(on: producerDB), !rescued.isEmpty {
            metrics.rescued.labels().increment(by: Double(rescued.count))
            coordinator.withLock { $0.summary.rescued += rescued.count }
            logger.warning("rescued jobs whose worker stopped renewing their lease", ["count": String(rescued.count)])
        }
        let completerDB = try open("completer")
        let heartbeatDB = try open("heartbeat")
        let listenerDB = options.listen ? try open("listener") : nil

        coordinator.withLock { $0.started = true }
        logger.info(
            "worker started",
            [
                "queues": options.queues.joined(separator: ","),
                "concurrency": String(options.concurrency), "once": String(options.once),
            ])
        let background = DispatchGroup()
        let slotsDone = DispatchGroup()
        for slot in 0..<max(1, options.concurrency) {
            let connection = SlotConnection(
                url: databaseURL, preparedStatements: options.preparedStatements,
                timeouts: options.databaseTimeouts)
            slotConnections.withLock { $0.append(connection) }
            spawn("slot-\(slot)", group: slotsDone) { self.slotLoop(connection) }
        }
        spawn("completer", group: background) { self.completerLoop(completerDB) }
        let heartbeatStop = WaitQueue<Bool>()
        spawn("heartbeat", group: background) { self.heartbeatLoop(heartbeatDB, stop: heartbeatStop) }
        if let listenerDB {
            spawn("listener", group: background) { self.listenerLoop(listenerDB, stop: heartbeatStop) }
        }

        produce(producerDB)
        drain(producerDB)

        dispatch.close()
        _ = slotsDone.wait(timeout: .now() + 1)
        results.close()
        heartbeatStop.close()
        background.wait()
        _ = try? Reconnect.run(producerDB, what: "unregister", logger: logger, giveUp: { true }) {
            try WorkerRegistry.unregister(id: options.workerID, on: producerDB)
        }
        let reconnects = reconnectCount
        let summary = coordinator.withLock { state in
            state.summary.reconnects = reconnects
            return state.summary
        }
        logger.info(
            "worker stopped",
            [
                "claimed": String(summary.claimed), "completed": String(summary.completed),
                "failed": String(summary.failed), "discarded": String(summary.discarded),
                "handed_back": String(summary.handedBack),
            ])
        return summary
    }

    func open(_ role: String) throws -> PostgresConnection {
        do {
            let connection = try PostgresConnection.connect(
                databaseURL, preparedStatements: options.preparedStatements,
                timeouts: options.databaseTimeouts)
            connections.withLock { $0.append(connection) }
            return connection
        } catch {
            throw WorkerStartError(message: "cannot connect to PostgreSQL for the \(role): \(error)")
        }
    }

    func spawn(_ name: String, group: DispatchGroup, _ body: @escaping @Sendable () -> Void) {
        group.enter()
        let thread = Thread {
            body()
            group.leave()
        }
        thread.name = "calworker-\(name)"
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// Jobs claimed and not yet recorded: what a stop has to drain.
    public var jobsInHand: Int { coordinator.withLock { $0.held.count } }

    /// True once a stop was requested (readiness turns false then).
    public var isStopping: Bool { coordinator.withLock { $0.stopping } }

    /// True once the worker registered and opened its sessions: until then it takes no job,
    /// so it is not ready, however reachable the database is.
    public var hasStarted: Bool { coordinator.withLock { $0.started } }
}

extension WorkerStartError: CalworkerError {
    public var errorCode: String { "start" }
    public var isRetryable: Bool { true }
}
