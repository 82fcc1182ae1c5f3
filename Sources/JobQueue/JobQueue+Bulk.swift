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

    /// The filter's SQL over the table aliased `alias` (the claim table, or the history, whose
    /// records keep the same columns), with its parameters from `$first` on.
    func sql(from first: Int, alias: String = "j") -> (String, [any PostgresEncodable]) {
        let p = (0..<5).map { "$\(first + $0)" }
        let created = alias == "j" ? "j.created_at" : "coalesce(\(alias).created_at, \(alias).started_at)"
        return (
            """
            (\(p[0])::text IS NULL OR \(alias).kind = \(p[0])) AND (\(p[1])::text IS NULL OR \(alias).queue = \(p[1]))
            AND (\(p[2])::text IS NULL OR \(alias).subject = \(p[2])) AND (\(p[3])::jsonb IS NULL OR \(alias).args @> \(p[3])::jsonb)
            AND (\(p[4])::timestamptz IS NULL OR \(created) >= \(p[4]))
            """, [kind, queue, subject, argsContaining, since]
        )
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
    public func preview(
        _ action: BulkAction, _ filter: JobFilter, sample: Int = 10,
        on db: PostgresConnection
    ) throws -> (count: Int, sample: [JobRecord]) {
        let liveStates =
            action == .retry
            ? Self.retryStates(filter).filter { $0 == "available" }
            : Self.cancelStates(filter)
                .filter { $0 == "available" || $0 == "running" }
        var count = 0
        var records: [JobRecord] = []
        if !liveStates.isEmpty {
            let (condition, parameters) = filter.sql(from: 2)
            count += try db.query(
                "SELECT count(*) FROM calworker.jobs AS j WHERE j.state = ANY($1::text[]) AND \(condition)",
                [liveStates] + parameters)[0].decode(Int.self, at: 0)
            let rows = try db.query(
                """
                SELECT \(Self.jobColumns.split(separator: ",").map { "j." + $0.trimmingCharacters(in: .whitespacesAndNewlines) }.joined(separator: ", "))
                  FROM calworker.jobs AS j WHERE j.state = ANY($1::text[]) AND \(condition) ORDER BY j.id DESC LIMIT $7
                """, [liveStates] + parameters + [sample])
            records = try rows.map(Self.decodeJob)
        }
        if action == .retry, let finished = Self.finishedSelection(filter) {
            let history = try finishedJobs(finished, sample: sample, on: db)
            count += history.count
            records = Array((records + history.sample).sorted { $0.id > $1.id }.prefix(sample))
        }
        return (count, records)
    }

    /// The finished jobs a bulk retry with `filter` looks for in the history; nil when its
    /// state is a live one.
    static func finishedSelection(_ filter: JobFilter) -> HistorySelection? {
        let states = retryStates(filter).filter { $0 != "available" && $0 != "running" }
        guard !states.isEmpty else { return nil }
        return HistorySelection(filter: filter, states: states)
    }

    public enum BulkAction: String, Sendable { case retry, cancel }

    /// Retries every matching job that is not running, as `retry(id:)` does one: due now, one
    /// more attempt if it had used them all. Acts only on jobs still in a matching state when
    /// it runs (a job a worker took meanwhile is left alone), and of jobs sharing a unique key
    /// only on the newest, and only while no live job holds that key. Returns the ids.
    public func retryAll(_ filter: JobFilter, on db: PostgresConnection) throws -> [Int64] {
        var ids: [Int64] = []
        if Self.retryStates(filter).contains("available") {
            let (condition, parameters) = filter.sql(from: 1)
            ids += try db.query(
                """
                UPDATE calworker.jobs AS j
                   SET run_at = now(), cancel_requested_at = NULL, max_attempts = greatest(j.max_attempts, j.attempt + 1)
                 WHERE j.state = 'available' AND \(condition)
                RETURNING j.id
                """, parameters
            ).map { try $0.decode(Int64.self, at: 0) }
            if !ids.isEmpty {
                try db.execute(
                    "SELECT pg_notify($1, q) FROM (SELECT DISTINCT queue AS q FROM calworker.jobs WHERE id = ANY($2::bigint[])) AS s",
                    [Self.notifyChannel, ids])
            }
        }
        if let finished = Self.finishedSelection(filter) {
            ids += try revive(finished, on: db)
        }
        return ids.sorted()
    }

    /// Cancels every matching waiting job (each leaves the claim table; its history records
    /// the cancel) and asks the workers running matching jobs to stop them; only jobs still
    /// waiting or running when it runs. Returns (cancelled, asked to stop).
    public func cancelAll(_ filter: JobFilter, on db: PostgresConnection) throws -> (cancelled: [Int64], stopRequested: [Int64]) {
        let states = Self.cancelStates(filter).filter { $0 == "available" || $0 == "running" }
        let (condition, parameters) = filter.sql(from: 2)
        var requested: [Int64] = []
        if states.contains("running") {
            requested = try db.query(
                """
                UPDATE calworker.jobs AS j SET cancel_requested_at = now()
                 WHERE j.state = 'running' AND $1::text IS NOT NULL AND \(condition)
                RETURNING j.id
                """, ["running"] + parameters
            ).map { try $0.decode(Int64.self, at: 0) }
        }
        var cancelled: [Int64] = []
        if states.contains("available") {
            cancelled = try db.query(
                """
                SELECT calworker.end_jobs(ARRAY(SELECT j.id FROM calworker.jobs AS j
                                                WHERE j.state = 'available' AND $1::text IS NOT NULL AND \(condition) ORDER BY j.id),
                                          ARRAY['available'], 'cancelled', 'cancelled by an operator while it waited to run')
                """, ["available"] + parameters
            ).map { try $0.decode(Int64.self, at: 0) }
        }
        return (cancelled.sorted(), requested.sorted())
    }
}
