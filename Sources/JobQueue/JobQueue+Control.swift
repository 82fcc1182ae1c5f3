public import Postgres

extension JobQueue {
    /// Makes a waiting job due now, or brings a finished one (discarded, cancelled, completed)
    /// back from its history to run again now, with one more attempt allowed if it had used
    /// them all. A running job is left alone; so is a finished one whose unique key a live job
    /// holds.
    public func retry(id: Int64, on db: PostgresConnection) throws -> JobRecord {
        let waiting = try db.query(
            """
            UPDATE calworker.jobs
               SET state = 'available', run_at = now(), finished_at = NULL, cancel_requested_at = NULL,
                   max_attempts = greatest(max_attempts, attempt + 1)
             WHERE id = $1 AND state <> 'running'
            RETURNING id
            """, [id])
        if waiting.isEmpty, try revive(HistorySelection(jobID: id), on: db).isEmpty {
            guard let job = try job(id: id, on: db) else { throw JobQueueError(.notFound, "no job with id \(id)") }
            if job.state == .running || job.state == .available {
                throw JobQueueError(.wrongState, "job \(id) is \(job.state.rawValue); only a job that is not running can be retried")
            }
            if let key = job.uniqueKey,
                let holder: Int64 = try db.query(
                    """
                    SELECT id FROM calworker.jobs WHERE unique_key = $1 AND state IN ('available', 'running')
                    """, [key]
                ).first?.decode(at: 0)
            {
                throw JobQueueError(.wrongState, "job \(holder) holds the unique key '\(key)' of job \(id); retry it once that job has finished")
            }
            throw JobQueueError(.wrongState, "job \(id) could not be retried; it changed meanwhile, try again")
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

    /// Cancels a waiting job at once (it leaves the claim table; its history records the
    /// cancel), or asks the worker running it to stop (the worker sees the request at its next
    /// lease renewal and signals the handler).
    public func cancel(id: Int64, on db: PostgresConnection) throws -> CancelResult {
        // Two tries: a waiting job a worker claims between the two statements is running on
        // the second. Neither statement acts on a job in any other state.
        for _ in 0..<2 {
            let asked = try db.query("UPDATE calworker.jobs SET cancel_requested_at = now() WHERE id = $1 AND state = 'running' RETURNING id", [id])
            if !asked.isEmpty { return .cancelRequested }
            let ended = try db.query(
                """
                SELECT calworker.end_jobs(ARRAY[$1::bigint], ARRAY['available'], 'cancelled', 'cancelled by an operator while it waited to run')
                """, [id])
            if !ended.isEmpty { return .cancelled }
        }
        guard let job = try job(id: id, on: db) else { throw JobQueueError(.notFound, "no job with id \(id)") }
        throw JobQueueError(.wrongState, "job \(id) is already \(job.state.rawValue)")
    }
}
