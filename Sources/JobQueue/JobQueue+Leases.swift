import Basics
import Foundation
public import Postgres

/// A job whose lease ran out, put back (or given up) by `rescueExpired`.
public struct RescuedJob: Sendable, Equatable {
    public var id: Int64
    public var attempt: Int
    public var kind: String
    public var previousWorker: String
    public var newState: JobState
}

extension JobQueue {
    /// Renews the leases of jobs this worker is running and returns the ids among them that
    /// an operator asked to cancel, so the worker can tell their handlers.
    public func extendLeases(ids: [Int64], workerID: String, on db: PostgresConnection) throws(PostgresError) -> [Int64] {
        guard !ids.isEmpty else { return [] }
        // Each id is looked up by primary key (LATERAL forces it; `id = ANY($1)` was planned
        // as a scan testing every row against the whole array). Rows locked right now belong
        // to the completer writing them, so they are skipped rather than waited for, and ids go
        // in order so that no two of our statements lock rows in opposite orders.
        let rows = try db.query(
            """
            WITH mine AS MATERIALIZED (
                SELECT held.id FROM unnest($1::bigint[]) AS t(id)
                  CROSS JOIN LATERAL (
                      SELECT j.id FROM calworker.jobs AS j
                       WHERE j.id = t.id AND j.state = 'running' AND j.worker_id = $2
                         FOR UPDATE SKIP LOCKED
                  ) AS held
            )
            UPDATE calworker.jobs AS j SET lease_until = now() + $3::interval
              FROM mine
             WHERE j.id = mine.id
            RETURNING j.id, j.cancel_requested_at IS NOT NULL
            """, [ids.sorted(), workerID, lease], prepared: true)
        var cancelled: [Int64] = []
        for row in rows where try row.decode(Bool.self, at: 1) {
            cancelled.append(try row.decode(Int64.self, at: 0))
        }
        return cancelled
    }

    /// Puts back jobs whose worker stopped renewing their lease (killed, hung, partitioned).
    ///
    /// Each gets a `lost` run record for the attempt that never reported. The job runs again
    /// after the usual backoff (a job that crashes its worker should not crash the next one at
    /// once), is discarded when that was its last attempt, or is cancelled if an operator had
    /// asked. Safe for every worker to run: SKIP LOCKED shares the work out.
    ///
    /// The statement takes any values a running row may hold (no start time, an infinite one,
    /// an attempt counter at its limit); should one still make it fail, the expired jobs are
    /// rescued one by one and that one is quarantined, so one bad row never stops the rescue
    /// of every other job in the installation.
    @discardableResult
    public func rescueExpired(limit: Int = 1000, on db: PostgresConnection) throws(PostgresError) -> [RescuedJob] {
        do {
            return try rescue(limit: limit, id: nil, on: db)
        } catch  where Self.isRowProblem(error) {
            let expired = try db.query(
                """
                SELECT id FROM calworker.jobs WHERE lease_until < now() AND state = 'running' ORDER BY lease_until LIMIT $1
                """, [limit])
            var rescued: [RescuedJob] = []
            for row in expired {
                let id: Int64 = try row.decode(at: 0)
                do {
                    rescued += try rescue(limit: 1, id: id, on: db)
                } catch  where Self.isRowProblem(error) {
                    quarantine(id: id, reason: "its lease expired and it could not be rescued: \(error.message)", on: db)
                }
            }
            return rescued
        }
    }

    private func rescue(limit: Int, id: Int64?, on db: PostgresConnection) throws(PostgresError) -> [RescuedJob] {
        let rows = try db.query(Statements.rescue, [limit, backoff.base.seconds, backoff.cap.seconds, backoff.jitter, id], prepared: true)
        return try rows.map { row throws(PostgresError) in
            RescuedJob(
                id: try row.decode(at: 0), attempt: try row.decode(at: 1), kind: try row.decode(at: 2),
                previousWorker: try row.decode(at: 3), newState: JobState(rawValue: try row.decode(at: 4)) ?? .available)
        }
    }
}

extension JobQueue {
    /// Gives back claimed jobs that never started (a stopping worker's prefetch): the claim
    /// is undone, attempt included, and no run record is written.
    @discardableResult
    public func release(_ jobs: [ClaimedJob], workerID: String, on db: PostgresConnection) throws(PostgresError) -> Int {
        guard !jobs.isEmpty else { return 0 }
        let sorted = jobs.sorted { $0.id < $1.id }
        return try db.execute(
            """
            WITH mine AS MATERIALIZED (
                SELECT held.id FROM unnest($1::bigint[], $2::integer[]) AS t(id, attempt)
                  CROSS JOIN LATERAL (
                      SELECT j.id FROM calworker.jobs AS j
                       WHERE j.id = t.id AND j.attempt = t.attempt AND j.state = 'running' AND j.worker_id = $3
                         FOR UPDATE
                  ) AS held
            )
            UPDATE calworker.jobs AS j
               SET state = 'available', attempt = j.attempt - 1, attempted_at = NULL, lease_until = NULL, worker_id = NULL
              FROM mine
             WHERE j.id = mine.id
            """, [sorted.map(\.id), sorted.map(\.attempt), workerID])
    }
}
