import Postgres

extension JobQueue {
    /// Claims up to `limit` due jobs of one queue for `workerID`, in priority order.
    ///
    /// `FOR UPDATE SKIP LOCKED` over the partial claim index lets any number of workers claim
    /// at once without blocking each other or taking the same job. Each claimed job gets a
    /// lease; `extendLeases` renews it while the job runs.
    public func claim(queue: String, limit: Int, workerID: String, on db: PostgresConnection) throws(PostgresError) -> [ClaimedJob] {
        guard limit > 0 else { return [] }
        let rows = try db.query(Statements.claim, [queue, limit, lease, workerID], prepared: true)
        var jobs: [ClaimedJob] = []
        jobs.reserveCapacity(rows.count)
        for row in rows {
            let timeoutMs = try row.decodeOptional(Int.self, at: 7)
            jobs.append(ClaimedJob(
                id: try row.decode(at: 0), kind: try row.decode(at: 1), queue: try row.decode(at: 2),
                args: try row.decode(at: 3), attempt: try row.decode(at: 4), maxAttempts: try row.decode(at: 5),
                priority: try row.decode(at: 6), timeout: timeoutMs.map { .milliseconds($0) },
                startedAt: try row.decode(at: 8), dueAt: try row.decode(at: 9)))
        }
        // Rows come back in no particular order; run the most urgent first.
        jobs.sort { ($0.priority, $0.dueAt, $0.id) < ($1.priority, $1.dueAt, $1.id) }
        return jobs
    }
}
