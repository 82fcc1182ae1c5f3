public import Foundation
public import Postgres

/// What `runs` lists: filters an operator combines.
public struct RunFilter: Sendable, Equatable {
    public var kind: String?
    public var outcome: RunOutcome?
    public var jobID: Int64?
    public var since: Date?
    public var limit: Int = 50
    /// What the job was about, exactly (`account:12`).
    public var subject: String?
    /// A JSON object the args must contain (`{"account_id": 12}`), indexed.
    public var argsContaining: String?
    /// Text the error contains, any case.
    public var errorContaining: String?
    /// Attempts finished before this time.
    public var until: Date?
    /// Keyset paging: records after this cursor (a `RunRecord.cursor`), so page 1,000 costs
    /// what page 1 costs.
    public var before: RunCursor?

    public init(kind: String? = nil, outcome: RunOutcome? = nil, jobID: Int64? = nil, since: Date? = nil, limit: Int = 50) {
        self.kind = kind
        self.outcome = outcome
        self.jobID = jobID
        self.since = since
        self.limit = limit
    }
}

/// A position in the run history, newest first: the finish time in microseconds, the job, the
/// attempt. Its text form (`runs --before`) is `MICROS-JOB-ATTEMPT`.
public struct RunCursor: Sendable, Equatable {
    public var finishedMicros: Int64
    public var jobID: Int64
    public var attempt: Int32

    /// The latest time a cursor may name: the end of year 9999 in microseconds since 1970. A
    /// cursor past it (`9223372036854775807-1-1`) is not one a page ever ended with, and made
    /// PostgreSQL fail with "interval out of range", which read as an outage.
    public static let latestMicros: Int64 = 253_402_300_799_999_999

    /// `MICROS-JOB-ATTEMPT` as a page ends with it; nil for anything a page could not have
    /// ended with (negative or out-of-range parts included).
    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
            let micros = Int64(parts[0]), (0...Self.latestMicros).contains(micros),
            let job = Int64(parts[1]), job > 0, let attempt = Int32(parts[2]), attempt >= 0
        else { return nil }
        finishedMicros = micros
        jobID = job
        self.attempt = attempt
    }
}

extension JobQueue {
    static let jobColumns = """
        id, kind, queue, args::text, state, priority, attempt, max_attempts, run_at, unique_key, timeout_ms,
        created_at, attempted_at, finished_at, lease_until, worker_id, cancel_requested_at, last_error
        """

    /// The job: live in the claim table, or finished, as its newest run record tells.
    /// Whether the job waits for its first attempt (available, never started): a change
    /// recorded now is still seen by it.
    public func isWaitingForItsFirstAttempt(id: Int64, on db: PostgresConnection) throws -> Bool {
        try db.query("SELECT EXISTS (SELECT 1 FROM calworker.jobs WHERE id = $1 AND state = 'available' AND attempt = 0)", [id])[0]
            .decode(Bool.self, at: 0)
    }

    public func job(id: Int64, on db: PostgresConnection) throws -> JobRecord? {
        let rows = try db.query("SELECT \(Self.jobColumns) FROM calworker.jobs WHERE id = $1", [id])
        if let row = rows.first { return try Self.decodeJob(row) }
        return JobRecord(id: id, history: try runs(RunFilter(jobID: id, limit: 1), on: db))
    }

    static func decodeJob(_ row: PostgresRow) throws -> JobRecord {
        guard let state = JobState(rawValue: try row.decode(String.self, at: 4)) else {
            throw PostgresError(.decoding, "unknown job state \(row.text(4) ?? "")")
        }
        return JobRecord(
            id: try row.decode(at: 0), kind: try row.decode(at: 1), queue: try row.decode(at: 2), args: try row.decode(at: 3),
            state: state, priority: try row.decode(at: 5), attempt: try row.decode(at: 6), maxAttempts: try row.decode(at: 7),
            runAt: try row.decode(at: 8), uniqueKey: try row.decodeOptional(at: 9), timeoutMs: try row.decodeOptional(at: 10),
            createdAt: try row.decode(at: 11), attemptedAt: try row.decodeOptional(at: 12), finishedAt: try row.decodeOptional(at: 13),
            leaseUntil: try row.decodeOptional(at: 14), workerID: try row.decodeOptional(at: 15),
            cancelRequestedAt: try row.decodeOptional(at: 16), lastError: try row.decodeOptional(at: 17))
    }

    /// Run records, newest first. Every filter is served by an index: the finish time, the
    /// subject, the args (GIN, containment), the job.
    public func runs(_ filter: RunFilter, on db: PostgresConnection) throws -> [RunRecord] {
        let rows = try db.query(
            """
            SELECT job_id, attempt, kind, queue, worker_id, started_at, finished_at, outcome, error, duration_ms, figures::text,
                   priority, args::text, unique_key, max_attempts, subject, job_state, timeout_ms, created_at,
                   ((extract(epoch FROM finished_at) * 1000000)::bigint)::text || '-' || job_id || '-' || attempt
              FROM calworker.job_runs
             WHERE ($1::text IS NULL OR kind = $1)
               AND ($2::text IS NULL OR outcome = $2)
               AND ($3::bigint IS NULL OR job_id = $3)
               AND ($4::timestamptz IS NULL OR finished_at >= $4)
               AND ($6::text IS NULL OR subject = $6)
               AND ($7::jsonb IS NULL OR args @> $7::jsonb)
               AND ($8::text IS NULL OR error ILIKE '%' || $8 || '%' ESCAPE '\\')
               AND ($9::timestamptz IS NULL OR finished_at < $9)
               AND ($10::bigint IS NULL
                    OR (finished_at, job_id, attempt) < (timestamptz 'epoch' + $10::bigint * interval '1 microsecond', $11::bigint, $12::integer))
             ORDER BY finished_at DESC, job_id DESC, attempt DESC
             LIMIT $5
            """,
            [
                filter.kind, filter.outcome?.rawValue, filter.jobID, filter.since, max(1, filter.limit), filter.subject,
                filter.argsContaining, filter.errorContaining.map(Self.likeEscaped), filter.until,
                filter.before?.finishedMicros, filter.before?.jobID, filter.before.map { Int($0.attempt) },
            ])
        return try rows.map { row in
            guard let outcome = RunOutcome(rawValue: try row.decode(String.self, at: 7)) else {
                throw PostgresError(.decoding, "unknown outcome \(row.text(7) ?? "")")
            }
            return RunRecord(
                jobID: try row.decode(at: 0), attempt: try row.decode(at: 1), kind: try row.decode(at: 2),
                queue: try row.decode(at: 3), workerID: try row.decode(at: 4), startedAt: try row.decode(at: 5),
                finishedAt: try row.decode(at: 6), outcome: outcome, error: try row.decodeOptional(at: 8),
                durationMs: try row.decode(at: 9), figures: try row.decode(at: 10), priority: try row.decodeOptional(at: 11),
                args: try row.decodeOptional(at: 12), uniqueKey: try row.decodeOptional(at: 13),
                maxAttempts: try row.decodeOptional(at: 14), subject: try row.decodeOptional(at: 15),
                jobState: JobState(rawValue: try row.decode(String.self, at: 16)), timeoutMs: try row.decodeOptional(at: 17),
                createdAt: try row.decodeOptional(at: 18), cursor: try row.decode(at: 19))
        }
    }

    /// Text for LIKE that matches itself only: `%`, `_` and the escape character escaped.
    static func likeEscaped(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
    }

    /// Counts by queue, kind and state. `available` is split into `due` (ready now) and
    /// `scheduled` (run_at in the future, including retries waiting out their backoff).
    public func counts(on db: PostgresConnection) throws -> [QueueCount] {
        let rows = try db.query(
            """
            SELECT queue, kind,
                   CASE WHEN state = 'available' AND run_at > now() THEN 'scheduled'
                        WHEN state = 'available' THEN 'due' ELSE state END AS shown_state,
                   count(*),
                   CASE WHEN state = 'available' AND bool_or(run_at <= now())
                        THEN calworker.age_seconds(min(run_at) FILTER (WHERE run_at <= now())) END
              FROM calworker.jobs
             GROUP BY queue, kind, state, shown_state
             ORDER BY queue, kind, shown_state
            """)
        return try rows.map { row in
            QueueCount(
                queue: try row.decode(at: 0), kind: try row.decode(at: 1), state: try row.decode(at: 2),
                count: try row.decode(at: 3), oldestDueAgeSeconds: try row.decodeOptional(at: 4))
        }
    }
}
