public import Foundation
public import JobQueue
public import Postgres

/// `calworker schedule run`: enqueues the definitions that are due. Each fire of a schedule is
/// recorded (`calworker.schedule_fires`, by the wall-clock time it was scheduled for) in the same
/// transaction that enqueues its job, so any number of schedulers may run at once and each fire
/// is enqueued once. A scheduler that was away enqueues the newest missed fire once, not every
/// one it missed (systemd's `Persistent=true`).
public struct Scheduler {
    public let definitions: [JobDefinition]
    public let timeZone: TimeZone
    public let queue: JobQueue
    /// The kinds: each fire's job is checked, keyed and described by its kind, as every
    /// enqueue by name is (`JobQueue.enqueue(_:describedBy:on:)`).
    public let catalog: any JobCatalog

    public init(definitions: [JobDefinition], timeZone: TimeZone, queue: JobQueue = JobQueue(), catalog: any JobCatalog) {
        self.definitions = definitions
        self.timeZone = timeZone
        self.queue = queue
        self.catalog = catalog
    }

    public struct Enqueued: Sendable, Equatable, Encodable {
        public var name: String
        public var wallTime: String
        public var jobID: Int64
        /// True when the definition's unique key found its previous job still queued or running.
        public var duplicate: Bool

        enum CodingKeys: String, CodingKey {
            case name, duplicate
            case wallTime = "wall_time"
            case jobID = "job_id"
        }
    }

    /// How far back a pass looks for a missed fire: 400 days.
    static let longestLookBack: TimeInterval = 400 * 86_400

    /// The times a pass may be run as of (`schedule run --as-of`): 1970 to 2200. A fire far in
    /// the future would be stored, and the minute-by-minute search would spin for years of them.
    public static let nowRange: ClosedRange<Date> = Date(timeIntervalSince1970: 0)...Date(timeIntervalSince1970: 7_258_118_400)

    /// Enqueues what is due at `now`.
    public func tick(now: Date = Date(), on db: PostgresConnection) throws -> [Enqueued] {
        var enqueued: [Enqueued] = []
        for definition in definitions {
            guard let expression = definition.schedule else { continue }
            // Fires recorded ahead of `now` (a pass run `--as-of` a later date, a clock that was
            // wrong) are not the last fire: counting from them, every schedule answered "nothing
            // due" until that date came.
            let last: Date? = try db.query(
                "SELECT max(fire_at) FROM calworker.schedule_fires WHERE name = $1 AND fire_at <= $2",
                [definition.name, now])[0].decodeOptional(at: 0)
            // Only the newest missed fire runs, so a scheduler away for years looks back one
            // year and a bit (a yearly schedule's last fire), not minute by minute through years.
            let start = max(last ?? now.addingTimeInterval(-60), now.addingTimeInterval(-Self.longestLookBack))
            guard let fire = CronSchedule(expression, timeZone: timeZone).latestFire(after: start, through: now) else { continue }
            try db.transaction { db in
                let claimed = try db.query(
                    """
                    INSERT INTO calworker.schedule_fires (name, wall_time, fire_at) VALUES ($1, $2, $3)
                    ON CONFLICT (name, wall_time) DO NOTHING RETURNING name
                    """, [definition.name, fire.wallTime, fire.at])
                guard !claimed.isEmpty else { return }
                let result = try queue.enqueue(definition.newJob, describedBy: catalog, on: db)
                try db.execute(
                    "UPDATE calworker.schedule_fires SET job_id = $3 WHERE name = $1 AND wall_time = $2",
                    [definition.name, fire.wallTime, result.id])
                enqueued.append(Enqueued(name: definition.name, wallTime: fire.wallTime, jobID: result.id, duplicate: result.duplicate))
            }
        }
        return enqueued
    }
}

extension Scheduler {
    /// Deletes up to `batch` fires older than `olderThan`, always keeping each definition's
    /// newest (a scheduler counts from it); returns how many.
    public static func pruneFires(olderThan age: Duration, batch: Int, on db: PostgresConnection) throws(PostgresError) -> Int {
        try db.execute(
            """
            DELETE FROM calworker.schedule_fires WHERE ctid = ANY(ARRAY(
                SELECT f.ctid FROM calworker.schedule_fires f
                 WHERE f.fire_at < now() - $1::interval
                   AND f.fire_at < (SELECT max(g.fire_at) FROM calworker.schedule_fires g WHERE g.name = f.name)
                 LIMIT $2))
            """, [age, batch])
    }
}
