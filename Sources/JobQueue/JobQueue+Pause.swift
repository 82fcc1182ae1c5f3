public import Foundation
public import Postgres

/// A queue an operator paused (`calworker queue pause`).
public struct QueuePause: Sendable, Equatable, Codable {
    public var queue: String
    public var reason: String?
    public var pausedBy: String
    public var pausedAt: Date
}

extension JobQueue {
    /// Pauses a queue: from within a second no worker claims from it; running jobs finish.
    /// Returns false when it was paused already (the first reason stays).
    @discardableResult
    public func pause(queue: String, reason: String?, by actor: String, on db: PostgresConnection) throws -> Bool {
        try QueueName.check(queue)
        return try db.execute(
            """
            INSERT INTO calworker.queue_pauses (queue, reason, paused_by) VALUES ($1, $2, $3) ON CONFLICT (queue) DO NOTHING
            """, [queue, reason.map { String($0.prefix(2000)) }, actor]) == 1
    }

    /// Resumes a queue and wakes the workers serving it (on commit, when called in the
    /// caller's transaction, as the CLI and the console do with their audit record). Returns
    /// false when it was not paused.
    @discardableResult
    public func resume(queue: String, on db: PostgresConnection) throws -> Bool {
        try QueueName.check(queue)
        let removed = try db.execute("DELETE FROM calworker.queue_pauses WHERE queue = $1", [queue])
        try db.execute("SELECT pg_notify($1, $2)", [Self.notifyChannel, queue])
        return removed == 1
    }

    /// The paused queues, by name.
    public func pausedQueues(on db: PostgresConnection) throws -> [QueuePause] {
        try db.query("SELECT queue, reason, paused_by, paused_at FROM calworker.queue_pauses ORDER BY queue").map { row in
            QueuePause(
                queue: try row.decode(at: 0), reason: try row.decodeOptional(at: 1), pausedBy: try row.decode(at: 2),
                pausedAt: try row.decode(at: 3))
        }
    }
}
