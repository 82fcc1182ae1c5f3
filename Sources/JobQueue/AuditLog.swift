public import Foundation
public import Postgres

/// One operator action, as `calworker audit` lists it.
public struct AuditEntry: Sendable, Equatable, Codable {
    public var id: Int64
    public var at: Date
    /// `user@host` of whoever ran the command (or the console's login).
    public var actor: String
    /// `cli` or `console`.
    public var origin: String
    /// `retry`, `cancel`, `queue.pause`, `queue.resume`, ...
    public var action: String
    /// What it acted on, as JSON text: `{"job": 12}`, `{"queue": "mail"}`, a filter.
    public var target: String
    /// Jobs it touched, when that is a number.
    public var count: Int?
}

/// The operators' audit log (`calworker.audit`): every action on jobs and queues, kept apart
/// from the jobs so it survives their retention.
public struct AuditLog: Sendable {
    public init() {}

    /// Records an action in the caller's transaction (or on its own).
    public func record(
        actor: String, origin: String, action: String, target: [String: String], count: Int?,
        on db: PostgresConnection
    ) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let json = String(decoding: try encoder.encode(target), as: UTF8.self)
        try db.execute(
            """
            INSERT INTO calworker.audit (actor, origin, action, target, count) VALUES ($1, $2, $3, $4::jsonb, $5)
            """, [String(actor.prefix(200)), origin, action, json, count])
    }

    /// The newest entries first, since a time.
    public func list(since: Date, limit: Int, on db: PostgresConnection) throws -> [AuditEntry] {
        try db.query(
            """
            SELECT id, at, actor, origin, action, target::text, count FROM calworker.audit
             WHERE at >= $1 ORDER BY at DESC, id DESC LIMIT $2
            """, [since, limit]
        ).map { row in
            AuditEntry(
                id: try row.decode(at: 0), at: try row.decode(at: 1), actor: try row.decode(at: 2), origin: try row.decode(at: 3),
                action: try row.decode(at: 4), target: try row.decode(at: 5), count: try row.decodeOptional(at: 6))
        }
    }

    /// Deletes entries older than `age`, in batches; returns how many.
    public func prune(olderThan age: Duration, batch: Int, on db: PostgresConnection) throws(PostgresError) -> Int {
        try db.execute(
            """
            DELETE FROM calworker.audit WHERE id IN (SELECT id FROM calworker.audit WHERE at < now() - $1::interval ORDER BY id LIMIT $2)
            """, [age, batch])
    }
}
