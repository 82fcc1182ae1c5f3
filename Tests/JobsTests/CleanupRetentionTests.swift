import Foundation
import JobQueue
import Jobs
import Logging
import Media
import Metrics
import Postgres
import TestSupport
import Testing
import Worker

/// The cleanup job removes exactly what retention says, in small batches, while a real worker
/// keeps running jobs on the same tables. (Whole days of history: HistoryRetentionTests.)
@Suite struct CleanupRetentionTests {
    /// Finished jobs left in the claim table (as an older worker leaves them), live ones, old
    /// run records in the default partition (no day's partition covers them), and rows of the
    /// other tables, old and recent.
    func seed(_ db: PostgresConnection) throws {
        func jobs(_ count: Int, state: String, finishedDaysAgo: Int?, createdDaysAgo: Int = 60, lease: Bool = false) throws {
            try db.execute(
                """
                INSERT INTO calworker.jobs (kind, state, created_at, finished_at, lease_until, worker_id)
                SELECT 'noop', $1, now() - make_interval(days => $3), CASE WHEN $2::int IS NULL THEN NULL ELSE now() - make_interval(days => $2::int) END,
                       CASE WHEN $5 THEN now() + interval '1 hour' END, CASE WHEN $5 THEN 'old-worker' END
                  FROM generate_series(1, $4)
                """, [state, finishedDaysAgo, createdDaysAgo, count, lease])
        }
        try jobs(30, state: "completed", finishedDaysAgo: 10)
        try jobs(20, state: "completed", finishedDaysAgo: 2)
        try jobs(10, state: "discarded", finishedDaysAgo: 40)
        try jobs(5, state: "discarded", finishedDaysAgo: 10)
        try jobs(5, state: "cancelled", finishedDaysAgo: 40)
        try jobs(10, state: "available", finishedDaysAgo: nil, createdDaysAgo: 90)
        try jobs(3, state: "running", finishedDaysAgo: nil, createdDaysAgo: 90, lease: true)
        try db.execute(
            """
            INSERT INTO calworker.job_runs (job_id, attempt, kind, queue, worker_id, started_at, finished_at, outcome, duration_ms)
            SELECT 1000000 + g, 1, 'noop', 'default', 'w', now() - make_interval(days => CASE WHEN g <= 50 THEN 40 ELSE 1 END),
                   now() - make_interval(days => CASE WHEN g <= 50 THEN 40 ELSE 1 END), 'completed', 1
              FROM generate_series(1, 80) g
            """)
        try db.execute("INSERT INTO calworker.accounts (email, owner, key_id, refresh_token) VALUES ('a@example.com', 'o', 'k', '\\x00')")
        try db.execute("INSERT INTO calworker.calendars (account_id, calendar_id, access_role) SELECT id, 'c', 'owner' FROM calworker.accounts")
        try db.execute(
            """
            INSERT INTO calworker.events (account_id, calendar_id, event_id, status, raw, synced_at)
            SELECT (SELECT id FROM calworker.accounts), 'c', 'e' || g, CASE WHEN g <= 20 THEN 'cancelled' ELSE 'confirmed' END, '{}',
                   now() - make_interval(days => CASE WHEN g <= 15 OR g > 20 THEN 40 ELSE 1 END)
              FROM generate_series(1, 30) g
            """)
        try db.execute(
            """
            INSERT INTO calworker.workers (id, hostname, pid, queues, concurrency, version, heartbeat_at)
            VALUES ('gone-1', 'h', 1, '{default}', 1, 'x', now() - interval '2 days'), ('gone-2', 'h', 2, '{default}', 1, 'x', now() - interval '3 days')
            """)
        try db.execute(
            """
            INSERT INTO calworker.notifications (kind, key, recipient, channel, state, created_at)
            SELECT 'reminder', 'k' || g, 'r', 'email', CASE WHEN g <= 3 THEN 'sending' ELSE 'sent' END,
                   now() - make_interval(days => CASE WHEN g <= 11 THEN 40 ELSE 1 END)
              FROM generate_series(1, 15) g
            """)
    }

    func count(_ db: PostgresConnection, _ sql: String) throws -> Int { try db.query(sql)[0].decode(at: 0) }

    @Test func removesExactlyWhatRetentionSaysWhileWorkGoesOn() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let db = try database.connect()
        try seed(db)
        // A real worker completes a stream of jobs meanwhile: recent, so all of it stays.
        try JobQueue().enqueueMany((0..<400).map { _ in NewJob(kind: "noop", args: #"{"sleep_ms": 2}"#) }, on: db)
        let worker = try CalworkerProcess(["work", "--concurrency", "4", "--poll-interval", "50ms"], databaseURL: database.url)
        defer { worker.signal(SIGKILL) }
        // The cleanup runs while the worker is busy: once it has finished some of the stream.
        #expect(
            eventually(timeout: 30) {
                ((try? count(db, "SELECT count(*) FROM calworker.job_runs WHERE kind = 'noop' AND finished_at > now() - interval '1 minute'")) ?? 0)
                    > 0
            })

        let job = ClaimedJob(
            id: 1, kind: "cleanup", queue: "default", args: "{}", attempt: 1, maxAttempts: 3, priority: 0, timeout: nil,
            startedAt: Date(), dueAt: Date())
        let connection = try database.connect()
        let context = JobContext(
            job: job, logger: .disabled, stopSignal: StopSignal(), deadline: .now + .seconds(300), metrics: MetricsRegistry(),
            connectionProvider: { connection })
        let args = try JSONDecoder().decode(CleanupJob.Args.self, from: Data(#"{"batch": 7}"#.utf8))
        let handler = CleanupJob(environment: JobEnvironment())
        guard case .success(let figures) = try handler.run(try handler.validate(args), context: context) else {
            Issue.record("cleanup did not succeed")
            return
        }
        #expect(figures["jobs_moved_to_history"] == 70, "\(figures.json)")
        #expect(figures["job_runs"] == 65, "the 50 old records and the 15 jobs that finished 40 days ago: \(figures.json)")
        #expect(figures["tombstones"] == 15 && figures["workers"] == 2 && figures["notifications"] == 8)
        // The old records were counted by the minute as they were written; those counts go too.
        let counts = figures["run_counts"] ?? 0
        #expect(counts > 0 && figures["rows_removed"] == 90 + counts, "\(figures.json)")
        #expect(try count(db, "SELECT count(*) FROM calworker.run_counts WHERE minute < now() - interval '2 days'") == 0)

        worker.signal(SIGTERM)
        worker.wait(timeout: 30)
        #expect(
            try count(db, "SELECT count(*) FROM calworker.jobs WHERE state NOT IN ('available', 'running')") == 0,
            "finished jobs left the claim table")
        #expect(
            try count(db, "SELECT count(*) FROM calworker.job_runs WHERE job_state = 'completed' AND finished_at < now() - interval '1 day'") == 50)
        #expect(try count(db, "SELECT count(*) FROM calworker.job_runs WHERE job_state IN ('discarded', 'cancelled')") == 5)
        #expect(
            try count(
                db,
                """
                SELECT (SELECT count(*) FROM calworker.jobs WHERE created_at < now() - interval '80 days')
                     + (SELECT count(DISTINCT job_id) FROM calworker.job_runs WHERE created_at < now() - interval '80 days')
                """) == 13, "live jobs stay however old they are (3 running, 10 waiting that the worker may run meanwhile)")
        #expect(
            try count(
                db,
                """
                SELECT (SELECT count(*) FROM calworker.jobs WHERE kind = 'noop' AND created_at > now() - interval '1 hour')
                     + (SELECT count(DISTINCT job_id) FROM calworker.job_runs WHERE kind = 'noop' AND created_at > now() - interval '1 hour'
                           AND job_state = 'completed')
                """) == 400, "nothing the worker touched meanwhile went")
        #expect(try count(db, "SELECT count(*) FROM calworker.job_runs WHERE finished_at < now() - interval '30 days'") == 0)
        #expect(try count(db, "SELECT count(*) FROM calworker.job_runs WHERE job_id > 1000000") == 30)
        #expect(try count(db, "SELECT count(*) FROM calworker.events WHERE status = 'cancelled'") == 5)
        #expect(try count(db, "SELECT count(*) FROM calworker.events WHERE status = 'confirmed'") == 10, "old live events are never touched")
        #expect(try count(db, "SELECT count(*) FROM calworker.notifications WHERE state = 'sending'") == 3, "an in-flight claim stays")
    }

    @Test func thumbnailsWhosePhotoIsGoneAreRemovedAndNoOtherFile() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("cw-orphans-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let files = [
            "photos/a.jpg", "photos/thumbnails/a.jpg", "photos/b.png", "photos/thumbnails/b.png.jpg", "photos/thumbnails/gone.jpg",
            "photos/thumbnails/400x300/c.jpg", "photos/notes.txt", "photos/sub/d.webp", "photos/sub/thumbnails/d.webp.jpg",
        ]
        for file in files {
            try FileManager.default.createDirectory(
                atPath: (root + "/" + file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data("x".utf8).write(to: URL(fileURLWithPath: root + "/" + file))
        }
        var environment = JobEnvironment()
        environment.media = MediaSettings(mediaRoot: root)
        let job = ClaimedJob(
            id: 1, kind: "cleanup", queue: "default", args: "{}", attempt: 1, maxAttempts: 3, priority: 0, timeout: nil,
            startedAt: Date(), dueAt: Date())
        let connection = try database.connect()
        let context = JobContext(
            job: job, logger: .disabled, stopSignal: StopSignal(), deadline: .now + .seconds(60), metrics: MetricsRegistry(),
            connectionProvider: { connection })
        let args = try JSONDecoder().decode(CleanupJob.Args.self, from: Data(#"{"thumbnails": "file://\#(root)/photos/"}"#.utf8))
        let handler = CleanupJob(environment: environment)
        guard case .success(let figures) = try handler.run(try handler.validate(args), context: context) else {
            Issue.record("cleanup did not succeed")
            return
        }
        #expect(figures["thumbnails_orphaned"] == 2)
        let left = Set(files.filter { FileManager.default.fileExists(atPath: root + "/" + $0) })
        #expect(left == Set(files).subtracting(["photos/thumbnails/gone.jpg", "photos/thumbnails/400x300/c.jpg"]))
    }

    @Test(arguments: [
        #"{"completed_after": "soon"}"#, #"{"runs_after": "10s"}"#, #"{"batch": 0}"#, #"{"thumbnails": "https://x.example/p/"}"#,
        #"{"keep": "all"}"#, #"{"account_id": 3}"#,
    ])
    func badRetentionArgsAreRefused(args: String) {
        #expect(throws: (any Error).self) { try JobKinds.registry(JobEnvironment()).validate(kind: "cleanup", args: args) }
    }
}
