import Basics
public import Foundation
public import Postgres

/// What one pass of `maintainHistory` did.
public struct HistoryMaintenance: Sendable, Equatable {
    /// Partitions created ahead (table names).
    public var created: [String] = []
    /// Partitions dropped by retention.
    public var dropped: [String] = []
    /// What the dropped partitions held, tables and indexes.
    public var bytesDropped: Int64 = 0
    /// Partitions left for the next pass because their lock did not come within the timeout
    /// (a long query was reading the history).
    public var deferred: [String] = []

    public init() {}
}

extension JobQueue {
    /// Creates the history's partitions for today and the days ahead, and drops whole days
    /// that finished before `retention` ago (the newest day retention reaches into is kept
    /// whole). Each partition is its own short transaction that waits at most `lockTimeout`
    /// for its lock: creating and dropping lock the history briefly, and finishing jobs must
    /// not queue behind a long reader for longer than that.
    public func maintainHistory(
        retention: Duration, now: Date = Date(), lockTimeout: Duration = .seconds(1),
        on db: PostgresConnection
    ) throws -> HistoryMaintenance {
        let names = try db.query(
            """
            SELECT c.relname FROM pg_inherits AS i JOIN pg_class AS c ON c.oid = i.inhrelid
             WHERE i.inhparent = 'calworker.job_runs'::regclass
            """
        ).map { try $0.decode(String.self, at: 0) }
        let partitions = HistoryPartitions(names: names)
        var report = HistoryMaintenance()
        let timeout = "\(max(1, Int(lockTimeout.seconds * 1000)))ms"
        func locked<T>(_ day: Date, _ body: (PostgresConnection, String) throws -> T) throws -> T? {
            let text = Self.dayText(day)
            do {
                return try db.transaction { db in
                    try db.execute("SELECT set_config('lock_timeout', $1, true)", [timeout])
                    return try body(db, text)
                }
            } catch let error as PostgresError where error.sqlState == "55P03" {
                report.deferred.append(HistoryPartitions.name(of: day))
                return nil
            }
        }
        for day in partitions.missing(now: now) {
            if try locked(
                day, { db, text in try db.query("SELECT calworker.ensure_history_partition($1::date)", [text])[0].decode(Bool.self, at: 0) }) == true
            {
                report.created.append(HistoryPartitions.name(of: day))
            }
        }
        for day in partitions.expired(now: now, retention: retention.seconds) {
            let bytes = try locked(day) { db, text in
                try db.query("SELECT calworker.drop_history_partition($1::date)", [text])[0].decodeOptional(Int64.self, at: 0)
            }
            if let bytes, let bytes {
                report.dropped.append(HistoryPartitions.name(of: day))
                report.bytesDropped += bytes
            }
        }
        return report
    }

    static func dayText(_ day: Date) -> String {
        let parts = HistoryPartitions.utc.dateComponents([.year, .month, .day], from: day)
        return String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
    }

    /// Deletes up to `batch` records older than `olderThan` from the default partition (the
    /// rows no day's partition took); returns how many. Whole days go with `maintainHistory`.
    public func pruneRuns(olderThan age: Duration, batch: Int, on db: PostgresConnection) throws(PostgresError) -> Int {
        try db.execute(
            """
            DELETE FROM calworker.job_runs_default WHERE ctid = ANY(ARRAY(
                SELECT ctid FROM calworker.job_runs_default WHERE finished_at < now() - $1::interval ORDER BY finished_at LIMIT $2))
            """, [age, batch])
    }

    /// Deletes up to `batch` per-minute attempt counts older than `olderThan` (the overview and
    /// `/metrics` read the last hour of them); returns how many.
    public func pruneRunCounts(olderThan age: Duration, batch: Int, on db: PostgresConnection) throws(PostgresError) -> Int {
        try db.execute(
            """
            DELETE FROM calworker.run_counts WHERE ctid = ANY(ARRAY(
                SELECT ctid FROM calworker.run_counts WHERE minute < now() - $1::interval LIMIT $2))
            """, [age, batch])
    }

    /// Moves up to `batch` finished jobs left in the claim table (by an older worker, another
    /// program, or a quarantine that could not write its record) into the history; returns
    /// how many. Should a batch fail on one row's values, the rows go one by one and a row
    /// that still fails stays where it is: finished, so no worker claims it.
    public func moveFinished(batch: Int, on db: PostgresConnection) throws(PostgresError) -> Int {
        do {
            return try db.query("SELECT calworker.move_finished_jobs($1)", [batch])[0].decode(Int.self, at: 0)
        } catch  where Self.isRowProblem(error) {
            let ids = try db.query(
                """
                SELECT id FROM calworker.jobs WHERE state IN ('completed', 'discarded', 'cancelled') ORDER BY id LIMIT $1
                """, [batch]
            ).map { row throws(PostgresError) in try row.decode(Int64.self, at: 0) }
            var moved = 0
            for id in ids {
                moved += (try? db.query("SELECT calworker.move_finished_jobs(1, $1)", [id])[0].decode(Int.self, at: 0)) ?? 0
            }
            return moved
        }
    }
}
