public import Postgres

extension JobQueue {
    /// Makes a finished (discarded, cancelled, completed) or waiting job run again now, with
    /// one more attempt allowed if it had used them all. A running job is left alone.
    public func retry(id: Int64, on db: PostgresConnection) throws -> JobRecord {
        let rows = try db.query("""
            UPDATE calworker.jobs
               SET state = 'available', run_at = now(), finished_at = NULL, cancel_requested_at = NULL,
                   max_attempts = greatest(max_attempts, attempt + 1)
             WHERE id = $1 AND state <> 'running'
            RETURNING id
            """, [id])
        if rows.isEmpty {
            guard let job = try job(id: id, on: db) else { throw JobQueueError(.notFound, "no job with id \(id)") }
            throw JobQueueError(.wrongState, "job \(id) is \(job.state.rawValue); only a job that is not running can be retried")
        }
        try db.execute("SELECT pg_notify($1, queue) FROM calworker.jobs WHERE id = $2", [Self.notifyChannel, id])
        return try job(id: id, on: db)!
    }

    /// What `cancel` did.
    public enum CancelResult: String, Sendable, Codable {
        /// The job was waiting and is now cancelled.
        case cancelled
        /// The job is running; its worker was asked to stop it and will record `cancelled`.
        case cancelRequested = "cancel_requested"
    }

    /// Cancels a waiting job at once, or asks the worker running it to stop (the worker sees
    /// the request at its next lease renewal and signals the handler).
    public func cancel(id: Int64, on db: PostgresConnection) throws -> CancelResult {
        let rows = try db.query("""
            UPDATE calworker.jobs
               SET state = CASE WHEN state = 'available' THEN 'cancelled' ELSE state END,
                   finished_at = CASE WHEN state = 'available' THEN now() ELSE finished_at END,
                   cancel_requested_at = now()
             WHERE id = $1 AND state IN ('available', 'running')
            RETURNING state
            """, [id])
        guard let row = rows.first else {
            guard let job = try job(id: id, on: db) else { throw JobQueueError(.notFound, "no job with id \(id)") }
            throw JobQueueError(.wrongState, "job \(id) is already \(job.state.rawValue)")
        }
        return try row.decode(String.self, at: 0) == "cancelled" ? .cancelled : .cancelRequested
    }
}
