import Foundation
import JobQueue
import Jobs
import Logging
import Metrics
import Postgres
import Synchronization
import TestSupport
import Worker

/// A worker running on its own thread against a test database.
final class BackgroundWorker: Sendable {
    let worker: Worker
    let logs = InMemoryLogHandler()
    private let outcome = Mutex<Result<WorkerSummary, any Error>?>(nil)
    private let finished = DispatchSemaphore(value: 0)

    init(
        url: String, queue: JobQueue = JobQueue(lease: .seconds(3), backoff: RetryBackoff(base: .milliseconds(100), jitter: 0)),
        metrics: MetricsRegistry = MetricsRegistry(), configure: (inout WorkerOptions) -> Void = { _ in }
    ) {
        var options = WorkerOptions()
        options.concurrency = 4
        options.pollInterval = .milliseconds(100)
        options.heartbeatInterval = .milliseconds(100)
        configure(&options)
        let handler = logs
        worker = Worker(
            databaseURL: url, registry: JobKinds.registry(), queue: queue, options: options,
            logger: Logger(level: .debug, handler: handler), metrics: metrics)
        let worker = worker
        Thread { [self] in
            let result = Result { try worker.run() }
            outcome.withLock { $0 = result }
            finished.signal()
        }.start()
    }

    /// Waits for `run` to return (up to `timeout` seconds) and gives its summary.
    func wait(timeout: Double = 60) throws -> WorkerSummary {
        guard finished.wait(timeout: .now() + timeout) == .success else { throw HarnessError.timedOut }
        finished.signal()
        return try outcome.withLock { $0! }.get()
    }

    func stop() { worker.requestStop() }

    enum HarnessError: Error { case timedOut }
}

/// Runs `once` mode to completion in the calling thread.
func drain(
    _ url: String, queue: JobQueue = JobQueue(lease: .seconds(3), backoff: RetryBackoff(base: .milliseconds(100), jitter: 0)),
    configure: (inout WorkerOptions) -> Void = { _ in }
) throws -> WorkerSummary {
    var options = WorkerOptions()
    options.concurrency = 4
    options.once = true
    options.heartbeatInterval = .milliseconds(100)
    configure(&options)
    return try Worker(databaseURL: url, registry: JobKinds.registry(), queue: queue, options: options, logger: .disabled).run()
}

extension PostgresConnection {
    func count(_ sql: String, _ parameters: [any PostgresEncodable] = []) throws -> Int {
        try query(sql, parameters)[0].decode(Int.self, at: 0)
    }
}

/// Waits until a worker's listener session's last statement is its LISTEN: from then on a
/// NOTIFY reaches it. False after 20 s.
func listening(_ db: PostgresConnection) -> Bool {
    eventually(timeout: 20) {
        (try? db.count("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN %'")) == 1
    }
}
