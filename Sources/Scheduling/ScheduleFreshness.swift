public import Foundation
import JobQueue
public import Postgres

/// When each scheduled definition last fired and last succeeded (its fire's job completed),
/// for the metrics: index probes by definition, never a scan of the history.
public struct ScheduleFreshness: Sendable, Equatable {
    public var lastFire: Date?
    public var lastSuccess: Date?

    public init(lastFire: Date? = nil, lastSuccess: Date? = nil) {
        self.lastFire = lastFire
        self.lastSuccess = lastSuccess
    }

    /// Each named definition's newest fire, and the finish of the newest of its last five
    /// fires' jobs that completed.
    public static func read(names: [String], now: Date = Date(), on db: PostgresConnection) throws -> [String: ScheduleFreshness] {
        var fires: [(name: String, fireAt: Date, jobID: Int64?)] = []
        for row in try db.query(
            """
            SELECT n.name, f.fire_at, f.job_id
              FROM unnest($1::text[]) AS n(name)
              JOIN LATERAL (SELECT fire_at, job_id FROM calworker.schedule_fires s
                             WHERE s.name = n.name AND s.fire_at <= $2 ORDER BY s.fire_at DESC LIMIT 5) f ON true
            """, [names, now])
        {
            fires.append((try row.decode(at: 0), try row.decode(at: 1), try row.decodeOptional(at: 2)))
        }
        let completed = try JobQueue().completedAt(jobIDs: fires.compactMap(\.jobID), on: db)
        var result: [String: ScheduleFreshness] = [:]
        for fire in fires {
            var freshness = result[fire.name] ?? ScheduleFreshness()
            freshness.lastFire = max(freshness.lastFire ?? fire.fireAt, fire.fireAt)
            if let done = fire.jobID.flatMap({ completed[$0] }) { freshness.lastSuccess = max(freshness.lastSuccess ?? done, done) }
            result[fire.name] = freshness
        }
        return result
    }
}
