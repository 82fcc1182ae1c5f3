import Foundation
public import Postgres

extension JobQueue {
    /// Claims up to `limit` due jobs of one queue for `workerID`, in priority order.
    ///
    /// `FOR UPDATE SKIP LOCKED` over the partial claim index lets any number of workers claim
    /// at once without blocking each other or taking the same job. Each claimed job gets a
    /// lease; `extendLeases` renews it while the job runs.
    ///
    /// A job whose own values make the batch statement fail (an attempt counter at the top of
    /// its range, a row no longer fitting the table's checks) would otherwise fail every claim
    /// of its queue, forever: then the due jobs are claimed one by one and that job alone is
    /// quarantined (discarded with the reason). The batch statement stays the fast path.
    ///
    /// With `after`, the claim takes only jobs after that position in the claim order, which
    /// spares it the index entries of jobs claimed before (see `ClaimPosition`); a job that sits
    /// before it (enqueued more urgent, or put back) waits for a claim without one, which
    /// callers make at least every second (`ClaimFloors` in the worker).
    public func claim(
        queue: String, limit: Int, workerID: String, after: ClaimPosition? = nil,
        on db: PostgresConnection
    ) throws(PostgresError) -> [ClaimedJob] {
        guard limit > 0 else { return [] }
        let rows: PostgresRows
        do {
            if let after {
                rows = try db.query(
                    Statements.claimAfter, [queue, limit, lease, workerID, after.priority, after.dueMicros, after.id],
                    prepared: true)
            } else {
                rows = try db.query(Statements.claim, [queue, limit, lease, workerID], prepared: true)
            }
        } catch  where Self.isRowProblem(error) {
            return try claimOneByOne(queue: queue, limit: limit, workerID: workerID, on: db)
        }
        var jobs = decodeClaimed(rows, on: db)
        // Rows come back in no particular order; run the most urgent first.
        jobs.sort { ($0.priority, $0.dueAt, $0.id) < ($1.priority, $1.dueAt, $1.id) }
        return jobs
    }

    /// The slow path of `claim`: each due job in its own statement.
    func claimOneByOne(queue: String, limit: Int, workerID: String, on db: PostgresConnection) throws(PostgresError) -> [ClaimedJob] {
        let candidates = try db.query(
            """
            SELECT id FROM calworker.jobs
             WHERE state = 'available' AND queue = $1 AND run_at <= now()
             ORDER BY priority, run_at, id
             LIMIT $2
            """, [queue, limit])
        var jobs: [ClaimedJob] = []
        for candidate in candidates {
            let id: Int64 = try candidate.decode(at: 0)
            do {
                let rows = try db.query(
                    """
                    UPDATE calworker.jobs
                       SET state = 'running', attempt = attempt + 1, attempted_at = now(),
                           lease_until = now() + $2::interval, worker_id = $3
                     WHERE id = $1 AND state = 'available' AND run_at <= now()
                    RETURNING id, kind, queue, args::text, attempt, max_attempts, priority, timeout_ms, attempted_at, run_at,
                              (extract(epoch FROM greatest(run_at, timestamptz 'epoch')) * 1000000)::bigint
                    """, [id, lease, workerID])
                jobs += decodeClaimed(rows, on: db)
            } catch  where Self.isRowProblem(error) {
                quarantine(id: id, reason: "could not be claimed: \(error.message)", on: db)
            }
        }
        return jobs
    }

    /// Claimed rows as jobs; a row that does not decode is quarantined rather than failing
    /// the claim of the jobs beside it.
    func decodeClaimed(_ rows: PostgresRows, on db: PostgresConnection) -> [ClaimedJob] {
        var jobs: [ClaimedJob] = []
        jobs.reserveCapacity(rows.count)
        for row in rows {
            do {
                let timeoutMs = try row.decodeOptional(Int.self, at: 7)
                var job = ClaimedJob(
                    id: try row.decode(at: 0), kind: try row.decode(at: 1), queue: try row.decode(at: 2),
                    args: try row.decode(at: 3), attempt: try row.decode(at: 4), maxAttempts: try row.decode(at: 5),
                    priority: try row.decode(at: 6), timeout: timeoutMs.map { .milliseconds($0) },
                    startedAt: try row.decode(at: 8), dueAt: try row.decode(at: 9))
                job.position = ClaimPosition(priority: job.priority, dueMicros: try row.decode(at: 10), id: job.id)
                jobs.append(job)
            } catch {
                if let id = try? row.decode(Int64.self, at: 0) {
                    quarantine(id: id, reason: "claimed but unreadable: \(error.message)", on: db)
                }
            }
        }
        return jobs
    }
}
