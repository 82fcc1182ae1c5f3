import Foundation
public import Postgres

extension JobQueue {
    /// Inserts one job, or returns the live job holding its unique key.
    ///
    /// Runs as one statement, so inside the caller's transaction it commits or rolls back with
    /// the caller's own writes. Workers are woken by the insert trigger's NOTIFY on commit.
    public func enqueue(_ job: NewJob, on db: PostgresConnection) throws -> EnqueueResult {
        try job.validate()
        // A concurrent enqueue may finish the key's holder between our insert and our look-up;
        // a few rounds settle it.
        for _ in 0..<5 {
            let inserted = try db.query(
                """
                INSERT INTO calworker.jobs (kind, queue, args, priority, max_attempts, run_at, unique_key, timeout_ms, subject)
                VALUES ($1, $2, $3::jsonb, $4, $5, coalesce($6::timestamptz, now()), $7, $8, $9)
                ON CONFLICT (unique_key) WHERE unique_key IS NOT NULL AND state IN ('available', 'running') DO NOTHING
                RETURNING id, queue, run_at
                """,
                [
                    job.kind, job.queue, job.args, job.priority, job.maxAttempts, job.runAt, job.uniqueKey, job.timeoutMilliseconds,
                    job.subject,
                ],
                prepared: true)
            if let row = inserted.first {
                return EnqueueResult(id: try row.decode(at: 0), duplicate: false, queue: try row.decode(at: 1), runAt: try row.decode(at: 2))
            }
            // The job holding the key may be on another queue and due at another time than
            // the one asked for: report what it is, not what was asked.
            let existing = try db.query(
                """
                SELECT id, queue, run_at FROM calworker.jobs WHERE unique_key = $1 AND state IN ('available', 'running')
                """, [job.uniqueKey])
            if let row = existing.first {
                return EnqueueResult(id: try row.decode(at: 0), duplicate: true, queue: try row.decode(at: 1), runAt: try row.decode(at: 2))
            }
        }
        throw JobQueueError(.wrongState, "unique key \(job.uniqueKey ?? "") kept changing hands; try again")
    }

    /// Inserts many jobs in one statement (fan-out, benchmarks). Jobs whose unique key is held
    /// by a live job are skipped; returns the ids of the jobs inserted.
    @discardableResult
    public func enqueueMany(_ jobs: [NewJob], on db: PostgresConnection) throws -> [Int64] {
        guard !jobs.isEmpty else { return [] }
        for job in jobs { try job.validate() }
        let rows = try db.query(
            """
            INSERT INTO calworker.jobs (kind, queue, args, priority, max_attempts, run_at, unique_key, timeout_ms, subject)
            SELECT kind, queue, args, priority, max_attempts, coalesce(run_at, now()), unique_key, timeout_ms, subject
            FROM unnest($1::text[], $2::text[], $3::jsonb[], $4::smallint[], $5::integer[], $6::timestamptz[], $7::text[], $8::integer[],
                        $9::text[])
                 AS t(kind, queue, args, priority, max_attempts, run_at, unique_key, timeout_ms, subject)
            ON CONFLICT (unique_key) WHERE unique_key IS NOT NULL AND state IN ('available', 'running') DO NOTHING
            RETURNING id
            """,
            [
                jobs.map(\.kind), jobs.map(\.queue), jobs.map { PostgresJSON($0.args) }, jobs.map(\.priority),
                jobs.map(\.maxAttempts), jobs.map(\.runAt), jobs.map(\.uniqueKey), jobs.map(\.timeoutMilliseconds), jobs.map(\.subject),
            ])
        return try rows.map { try $0.decode(Int64.self, at: 0) }
    }
}
