import Foundation
import JobQueue
import Logging
import Postgres

extension Worker {
    /// Writes finished attempts in batches: whatever has accumulated while the last write was
    /// in flight goes in the next one, so batches grow exactly when the load does.
    func completerLoop(_ db: PostgresConnection) {
        while true {
            let batch = results.takeBatch(limit: 2000, timeout: .milliseconds(200))
            if batch.isEmpty {
                if results.isClosedAndEmpty { return }
                continue
            }
            var written = Set<Int64>()
            do {
                written = try Reconnect.run(db, what: "complete", logger: logger, giveUp: { false }) {
                    try queue.finish(batch, workerID: options.workerID, on: db)
                }
            } catch {
                // A statement error (not the connection): the leases of these jobs run out and
                // they are rescued; nothing is lost.
                logger.error(
                    "could not record finished jobs; they will be rescued when their lease expires",
                    ["count": String(batch.count), "error": "\(error)"])
            }
            if written.count < batch.count {
                logger.warning(
                    "some finished jobs were no longer held by this worker and were not recorded",
                    ["batch": String(batch.count), "recorded": String(written.count)])
            }
            coordinator.update { state in
                for attempt in batch {
                    state.held[attempt.jobID] = nil
                    if written.contains(attempt.jobID) { state.summary.count(attempt.outcome) }
                }
            }
        }
    }
}
