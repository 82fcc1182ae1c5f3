public import Foundation
public import Postgres

/// Which jobs a bulk action is for: the filters of `calworker runs`, on the jobs themselves.
/// Every part is optional; a bulk action wants at least one.
public struct JobFilter: Sendable, Equatable, Encodable {
    public var kind: String?
    public var queue: String?
    public var state: JobState?
    public var subject: String?
    /// A JSON object the args must contain.
    public var argsContaining: String?
    /// Jobs created since then.
    public var since: Date?

    public init() {}

    public var isEmpty: Bool {
        kind == nil && queue == nil && state == nil && subject == nil && argsContaining == nil && since == nil
    }

    /// What the audit log keeps of it.
    public var described: [String: String] {
        var parts: [String: String] = [:]
        if let kind { parts["kind"] = kind }
        if let queue { parts["queue"] = queue }
        if let state { parts["state"] = state.rawValue }
        if let subject { parts["subject"] = subject }
        if let argsContaining { parts["args"] = argsContaining }
        if let since { parts["since"] = ISO8601DateFormatter().string(from: since) }
        return parts
    }

    /// The filter's SQL over `calworker.jobs AS j`, with its parameters from `$first` on.
    func sql(from first: Int) -> (String, [any PostgresEncodable]) {
        let p = (0..<5).map { "$\(first + $0)" }
        return ("""
            (\(p[0])::text IS NULL OR j.kind = \(p[0])) AND (\(p[1])::text IS NULL OR j.queue = \(p[1]))
            AND (\(p[2])::text IS NULL OR j.subject = \(p[2])) AND (\(p[3])::jsonb IS NULL OR j.args @> \(p[3])::jsonb)
            AND (\(p[4])::timestamptz IS NULL OR j.created_at >= \(p[4]))
            """, [kind, queue, subject, argsContaining, since])
    }
}

extension JobQueue {
    /// The states a bulk retry acts on: the filter's own, or the jobs that ended without
    /// success. A running job is never retried.
    static func retryStates(_ filter: JobFilter) -> [String] {
        filter.state.map { [$0.rawValue] } ?? [JobState.discarded.rawValue, JobState.cancelled.rawValue]
    }

    /// The states a bulk cancel acts on: waiting and running jobs (running ones are asked to stop).
    static func cancelStates(_ filter: JobFilter) -> [String] {
        filter.state.map { [$0.rawValue] } ?? [JobState.available.rawValue, JobState.running.rawValue]
    }

    /// How many jobs `action` would touch now, and the first few (a dry run changes nothing).
    public func preview(_ action: BulkAction, _ filter: JobFilter, sample: Int = 10,
                        on db: PostgresConnection) throws -> (count: Int, sample: [JobRecord]) {
        let states = action == .retry ? Self.retryStates(filter).filter { $0 != "running" } : Self.cancelStates(filter)
            .filter { $0 == "available" || $0 == "running" }
        let (condition, parameters) = filter.sql(from: 2)
        let count: Int = try db.query("SELECT count(*) FROM calworker.jobs AS j WHERE j.state = ANY($1::text[]) AND \(condition)",
                                      [states] + parameters)[0].decode(at: 0)
        let rows = try db.query("""
            SELECT \(Self.jobColumns.split(separator: ",").map { "j." + $0.trimmingCharacters(in: .whitespacesAndNewlines) }.joined(separator: ", "))
              FROM calworker.jobs AS j WHERE j.state = ANY($1::text[]) AND \(condition) ORDER BY j.id DESC LIMIT $7
            """, [states] + parameters + [sample])
        return (count, try rows.map(Self.decodeJob))
    }

    public enum BulkAction: String, Sendable { case retry, cancel }

    /// Retries every matching job that is not running, as `retry(id:)` does one: due now, one
    /// more attempt if it had used them all. Acts only on jobs still in a matching state when
    /// it runs (a job a worker took meanwhile is left alone), and of jobs sharing a unique key
    /// only on the newest, and only while no live job holds that key. Returns the ids.
    public func retryAll(_ filter: JobFilter, on db: PostgresConnection) throws -> [Int64] {
        let states = Self.retryStates(filter).filter { $0 != "running" }
        let (condition, parameters) = filter.sql(from: 2)
        let ids = try db.query("""
            WITH candidates AS (
                SELECT j.id, j.unique_key FROM calworker.jobs AS j WHERE j.state = ANY($1::text[]) AND \(condition)
            ), chosen AS (
                SELECT id FROM candidates WHERE unique_key IS NULL
                UNION ALL
                SELECT id FROM (
                    SELECT DISTINCT ON (c.unique_key) c.id FROM candidates c
                     WHERE c.unique_key IS NOT NULL
                       AND NOT EXISTS (SELECT 1 FROM calworker.jobs l WHERE l.unique_key = c.unique_key AND l.state IN ('available', 'running'))
                     ORDER BY c.unique_key, c.id DESC) AS keyed
            )
            UPDATE calworker.jobs AS j
               SET state = 'available', run_at = now(), finished_at = NULL, cancel_requested_at = NULL,
                   max_attempts = greatest(j.max_attempts, j.attempt + 1)
              FROM chosen
             WHERE j.id = chosen.id AND j.state = ANY($1::text[])
            RETURNING j.id
            """, [states] + parameters).map { try $0.decode(Int64.self, at: 0) }
        if !ids.isEmpty {
            try db.execute("SELECT pg_notify($1, q) FROM (SELECT DISTINCT queue AS q FROM calworker.jobs WHERE id = ANY($2::bigint[])) AS s",
                           [Self.notifyChannel, ids])
        }
        return ids.sorted()
    }

    /// Cancels every matching waiting job and asks the workers running matching jobs to stop
    /// them; only jobs still waiting or running when it runs. Returns (cancelled, asked to stop).
    public func cancelAll(_ filter: JobFilter, on db: PostgresConnection) throws -> (cancelled: [Int64], stopRequested: [Int64]) {
        let states = Self.cancelStates(filter).filter { $0 == "available" || $0 == "running" }
        let (condition, parameters) = filter.sql(from: 2)
        let rows = try db.query("""
            UPDATE calworker.jobs AS j
               SET state = CASE WHEN j.state = 'available' THEN 'cancelled' ELSE j.state END,
                   finished_at = CASE WHEN j.state = 'available' THEN now() ELSE j.finished_at END,
                   cancel_requested_at = now()
             WHERE j.state = ANY($1::text[]) AND \(condition)
            RETURNING j.id, j.state
            """, [states] + parameters)
        var cancelled: [Int64] = []
        var requested: [Int64] = []
        for row in rows {
            let id: Int64 = try row.decode(at: 0)
            if try row.decode(String.self, at: 1) == "cancelled" { cancelled.append(id) } else { requested.append(id) }
        }
        return (cancelled.sorted(), requested.sorted())
    }
}
