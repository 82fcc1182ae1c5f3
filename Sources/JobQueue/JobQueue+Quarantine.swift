import Foundation
public import Postgres

extension JobQueue {
    /// Discards one job that a shared statement (claim, rescue, finish) could not handle
    /// because of its own values, with the reason, so that the statement works again for every
    /// other job: a row another program wrote badly must cost that row, not the queue.
    ///
    /// The job leaves the claim table with a record in its history saying why (no value of
    /// the row can make that fail: the kind and queue are shortened to what the tables allow).
    /// Should even that fail, the row is discarded where it is, touching only columns that
    /// cannot fail, and the cleanup job's sweep moves it later. Returns whether it was discarded.
    @discardableResult
    public func quarantine(id: Int64, reason: String, on db: PostgresConnection) -> Bool {
        let message = "quarantined: \(reason)"
        if let rows = try? db.query("SELECT calworker.end_jobs(ARRAY[$1::bigint], ARRAY['available', 'running'], 'discarded', $2)", [id, message]) {
            return !rows.isEmpty
        }
        let rows = try? db.query(
            """
            UPDATE calworker.jobs
               SET state = 'discarded', finished_at = now(), lease_until = NULL, worker_id = NULL,
                   kind = left(kind, 64), queue = left(queue, 64),
                   last_error = $2
             WHERE id = $1 AND state IN ('available', 'running')
            RETURNING id
            """, [id, message])
        return rows.map { !$0.isEmpty } ?? false
    }

    /// Whether a failed statement failed for what a row holds (SQLSTATE class 22, a value out
    /// of range; class 23, a check violated; or a value that does not decode), so that going
    /// row by row will isolate it. Connection trouble, timeouts and conflicts are not.
    static func isRowProblem(_ error: PostgresError) -> Bool {
        if error.kind == .decoding { return true }
        guard error.kind == .server, let state = error.sqlState else { return false }
        return state.hasPrefix("22") || state.hasPrefix("23")
    }
}
