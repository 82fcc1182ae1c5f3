public import Foundation
public import Postgres

/// A definition's newest recorded fire: when, for which wall-clock time, and the job it made.
public struct ScheduleFire: Sendable, Equatable {
    public var name: String
    public var wallTime: String
    public var at: Date
    public var jobID: Int64?

    public init(name: String, wallTime: String, at: Date, jobID: Int64?) {
        self.name = name
        self.wallTime = wallTime
        self.at = at
        self.jobID = jobID
    }
}

/// Reading and recording `calworker.schedule_fires` outside a scheduler pass: the console's
/// schedules page, and cron's `enqueue --file`, whose fires count as much as a scheduler's.
public enum ScheduleFires {
    /// The oldest fire recorded of any definition: when scheduling was set up.
    public static func first(on db: PostgresConnection) throws -> Date? {
        try db.query("SELECT min(fire_at) FROM calworker.schedule_fires")[0].decodeOptional(at: 0)
    }

    /// Each named definition's newest fire up to now (a fire recorded ahead of the clock is not
    /// the last one), one index probe per name.
    public static func newest(names: [String], now: Date = Date(), on db: PostgresConnection) throws -> [String: ScheduleFire] {
        var fires: [String: ScheduleFire] = [:]
        for row in try db.query(
            """
            SELECT n.name, f.wall_time, f.fire_at, f.job_id
              FROM unnest($1::text[]) AS n(name)
              JOIN LATERAL (SELECT wall_time, fire_at, job_id FROM calworker.schedule_fires s
                             WHERE s.name = n.name AND s.fire_at <= $2 ORDER BY s.fire_at DESC LIMIT 1) f ON true
            """, [names, now])
        {
            let fire = ScheduleFire(
                name: try row.decode(at: 0), wallTime: try row.decode(at: 1), at: try row.decode(at: 2),
                jobID: try row.decodeOptional(at: 3))
            fires[fire.name] = fire
        }
        return fires
    }

    /// Records the fire a job enqueued from a definition file belongs to, when the definition
    /// has a schedule that fired within the last two minutes (cron running it on time); a
    /// manual enqueue off the schedule is no fire. A fire already recorded (a scheduler, or
    /// another host's cron) is left as it was. Returns whether a fire was recorded.
    @discardableResult
    public static func recordEnqueued(
        _ definition: JobDefinition, jobID: Int64, timeZone: TimeZone, now: Date = Date(),
        on db: PostgresConnection
    ) throws -> Bool {
        guard let expression = definition.schedule,
            let fire = CronSchedule(expression, timeZone: timeZone).latestFire(after: now.addingTimeInterval(-120), through: now)
        else { return false }
        return try db.execute(
            """
            INSERT INTO calworker.schedule_fires (name, wall_time, fire_at, job_id) VALUES ($1, $2, $3, $4)
            ON CONFLICT (name, wall_time) DO NOTHING
            """, [definition.name, fire.wallTime, fire.at, jobID]) == 1
    }
}
