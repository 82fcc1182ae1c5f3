public import Foundation
public import Postgres

/// A worker process as registered in `calworker.workers`.
public struct WorkerRecord: Sendable, Equatable, Codable {
    public var id: String
    public var hostname: String
    public var pid: Int
    public var queues: [String]
    public var concurrency: Int
    public var version: String
    public var startedAt: Date
    public var heartbeatAt: Date
    public var stopping: Bool
    /// Seconds since the last heartbeat (database clock).
    public var heartbeatAgeSeconds: Double
}

/// Workers announce themselves, renew a heartbeat, and sign off on a clean stop.
public enum WorkerRegistry {
    public static func register(
        id: String, hostname: String, pid: Int, queues: [String], concurrency: Int,
        version: String, on db: PostgresConnection
    ) throws(PostgresError) {
        try db.execute(
            """
            INSERT INTO calworker.workers (id, hostname, pid, queues, concurrency, version)
            VALUES ($1, $2, $3, $4::text[], $5, $6)
            ON CONFLICT (id) DO UPDATE SET heartbeat_at = now(), stopping = false
            """, [id, hostname, pid, queues, concurrency, version])
    }

    public static func heartbeat(id: String, stopping: Bool, on db: PostgresConnection) throws(PostgresError) {
        try db.execute(
            "UPDATE calworker.workers SET heartbeat_at = now(), stopping = $2 WHERE id = $1",
            [id, stopping], prepared: true)
    }

    public static func unregister(id: String, on db: PostgresConnection) throws(PostgresError) {
        try db.execute("DELETE FROM calworker.workers WHERE id = $1", [id])
    }

    /// Removes up to `batch` workers silent for longer than `olderThan` (their jobs are rescued
    /// by lease); returns how many.
    @discardableResult
    public static func pruneStale(olderThan: Duration, batch: Int = 1000, on db: PostgresConnection) throws(PostgresError) -> Int {
        try db.execute(
            """
            DELETE FROM calworker.workers WHERE id IN (
                SELECT id FROM calworker.workers WHERE heartbeat_at < now() - $1::interval LIMIT $2)
            """, [olderThan, batch])
    }

    public static func list(on db: PostgresConnection) throws -> [WorkerRecord] {
        let rows = try db.query(
            """
            SELECT id, hostname, pid, queues, concurrency, version, started_at, heartbeat_at, stopping,
                   coalesce(calworker.age_seconds(heartbeat_at), 'Infinity')
              FROM calworker.workers ORDER BY started_at
            """)
        return try rows.map { row in
            WorkerRecord(
                id: try row.decode(at: 0), hostname: try row.decode(at: 1), pid: try row.decode(at: 2),
                queues: try row.decode(at: 3), concurrency: try row.decode(at: 4), version: try row.decode(at: 5),
                startedAt: try row.decode(at: 6), heartbeatAt: try row.decode(at: 7), stopping: try row.decode(at: 8),
                heartbeatAgeSeconds: try row.decode(at: 9))
        }
    }
}
