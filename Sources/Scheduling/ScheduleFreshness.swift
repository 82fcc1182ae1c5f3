public import Foundation
public import Postgres

/// When each scheduled definition last fired and last succeeded (its fire's job completed),
/// for the metrics: index probes by definition, never a scan of the history.
public struct ScheduleFreshness: Sendable, Equatable {
    public var lastFire: Date?
    public var lastSuccess: Date?

    /// Each named definition's newest fire, and the finish of the newest of its last five
    /// fires' jobs that completed.
    public static func read(names: [String], now: Date = Date(), on db: PostgresConnection) throws -> [String: ScheduleFreshness] {
        var result: [String: ScheduleFreshness] = [:]
        for row in try db.query(
            """
            SELECT n.name, max(f.fire_at),
                   max((SELECT max(r.finished_at) FROM calworker.job_runs r WHERE r.job_id = f.job_id AND r.job_state = 'completed'))
              FROM unnest($1::text[]) AS n(name)
              JOIN LATERAL (SELECT fire_at, job_id FROM calworker.schedule_fires s
                             WHERE s.name = n.name AND s.fire_at <= $2 ORDER BY s.fire_at DESC LIMIT 5) f ON true
             GROUP BY n.name
            """, [names, now])
        {
            result[try row.decode(String.self, at: 0)] = ScheduleFreshness(
                lastFire: try row.decodeOptional(at: 1),
                lastSuccess: try row.decodeOptional(at: 2))
        }
        return result
    }
}
