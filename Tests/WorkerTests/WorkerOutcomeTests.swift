import Foundation
import JobQueue
import Postgres
import TestSupport
import Testing
import Worker

@Suite struct WorkerOutcomeTests {
    @Test func everyJobCompletesOnceWithARunRecord() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let db = try database.connect()
        try JobQueue().enqueueMany((0..<300).map { _ in NewJob(kind: "noop") }, on: db)
        let summary = try drain(database.url) {
            $0.concurrency = 8
            $0.claimBatch = 16
        }
        #expect(summary.claimed == 300 && summary.completed == 300)
        #expect(try db.count("SELECT count(*) FROM \(EveryJob.sql) AS j WHERE state = 'completed'") == 300)
        #expect(try db.count("SELECT count(DISTINCT job_id) FROM calworker.job_runs WHERE outcome = 'completed'") == 300)
        #expect(try db.count("SELECT count(*) FROM calworker.job_runs") == 300)
        #expect(try db.count("SELECT count(*) FROM calworker.workers") == 0, "the worker signs off")
    }

    @Test func badArgsAndUnknownKindsAreDiscardedWhileTheRestRuns() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let db = try database.connect()
        // Inserted directly, as another program might: nothing validated them on the way in.
        let bad = try db.query(
            """
            INSERT INTO calworker.jobs (kind, args) VALUES
              ('mystery', '{}'), ('noop', '{"sleep_ms": "soon"}'), ('noop', '{"fail": "explode"}'), ('noop', '{"sleep_ms": -5}')
            RETURNING id
            """
        ).map { try $0.decode(Int64.self, at: 0) }
        try JobQueue().enqueueMany((0..<20).map { _ in NewJob(kind: "noop") }, on: db)
        let summary = try drain(database.url)
        #expect(summary.discarded == 4 && summary.completed == 20)
        let errors = try bad.map { try #require(try JobQueue().job(id: $0, on: db)) }
        #expect(errors.allSatisfy { $0.state == .discarded && $0.attempt == 1 })
        #expect(errors[0].lastError?.contains("unknown job kind 'mystery'") == true)
        #expect(errors[1].lastError?.contains("sleep_ms") == true)
        #expect(errors[2].lastError?.contains("fail must be") == true)
        #expect(errors[3].lastError?.contains("between 0 and") == true)
    }

    @Test func failuresRetryWithBackoffThenDiscard() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let db = try database.connect()
        let queue = JobQueue(lease: .seconds(3), backoff: RetryBackoff(base: .milliseconds(300), jitter: 0))
        let id = try queue.enqueue(NewJob(kind: "noop", args: #"{"fail": "retry"}"#, maxAttempts: 3), on: db).id
        let worker = BackgroundWorker(url: database.url, queue: queue) {
            $0.pollInterval = .milliseconds(50)
            $0.maxJobs = 3
        }
        let summary = try worker.wait()
        #expect(summary.failed == 2 && summary.discarded == 1)
        let runs = try queue.runs(RunFilter(jobID: id), on: db).reversed().map { $0 }
        #expect(runs.map(\.outcome) == [.failed, .failed, .discarded])
        #expect(runs.map(\.attempt) == [1, 2, 3])
        // Attempt n+1 starts no earlier than the backoff after attempt n: 0.3 s, then 0.6 s.
        #expect(runs[1].startedAt.timeIntervalSince(runs[0].finishedAt) >= 0.29)
        #expect(runs[2].startedAt.timeIntervalSince(runs[1].finishedAt) >= 0.59)
        #expect(try queue.job(id: id, on: db)?.lastError?.contains("attempt 3 of 3 failed") == true)
    }

    /// The worker reads retry against discard from the error itself (`CalworkerError`): one
    /// that would recur is not retried twenty times.
    @Test func anErrorThatWouldRecurIsDiscardedAtItsFirstAttempt() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let db = try database.connect()
        let queue = JobQueue(lease: .seconds(3), backoff: RetryBackoff(base: .milliseconds(50), jitter: 0))
        // No media root is configured: file:// can never work here.
        let id = try queue.enqueue(NewJob(kind: "thumbnail", args: #"{"source": "file:///photos/a.jpg"}"#, maxAttempts: 20), on: db).id
        let worker = BackgroundWorker(url: database.url, queue: queue) {
            $0.pollInterval = .milliseconds(50)
            $0.maxJobs = 1
        }
        let summary = try worker.wait()
        #expect(summary.discarded == 1 && summary.failed == 0)
        let job = try #require(try queue.job(id: id, on: db))
        #expect(job.state == .discarded && job.attempt == 1)
        #expect(job.lastError?.contains("CALWORKER_MEDIA_ROOT") == true, "\(job.lastError ?? "")")
    }

    @Test func aJobPastItsTimeoutIsStoppedAndRetried() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let db = try database.connect()
        let id = try JobQueue().enqueue(
            NewJob(
                kind: "noop", args: #"{"sleep_ms": 30000}"#, maxAttempts: 1,
                timeout: .milliseconds(300)), on: db
        ).id
        let summary = try drain(database.url)
        #expect(summary.discarded == 1)
        let run = try #require(try JobQueue().runs(RunFilter(jobID: id), on: db).first)
        #expect(run.error?.contains("timed out after 0.3s") == true)
        #expect(run.durationMs < 10_000, "stopped long before its 30 s sleep")
    }

    @Test func snoozedAndDiscardedOutcomesComeFromTheHandler() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let db = try database.connect()
        let id = try JobQueue().enqueue(NewJob(kind: "noop", args: #"{"fail": "discard"}"#), on: db).id
        let summary = try drain(database.url)
        #expect(summary.discarded == 1)
        let job = try #require(try JobQueue().job(id: id, on: db))
        #expect(job.state == .discarded && job.attempt == 1 && job.lastError == "noop asked to be discarded")
    }

    @Test func aWorkerRefusesASchemaItDoesNotKnow() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let db = try database.connect()
        try db.execute("INSERT INTO calworker.schema_migrations (version, name) VALUES (999, 'future')")
        #expect { _ = try drain(database.url) } throws: { error in
            "\(error)".contains("refusing to start") && "\(error)".contains("newer than this build")
        }
    }
}

@Suite struct WorkerUnderLoadTests {
    /// Regression: with statistics taken while nothing ran, the finish and lease statements
    /// were planned as scans of every running job per input row; under prefetch the worker
    /// fell behind its leases and rescued (re-ran) its own jobs.
    @Test func staleStatisticsNeitherSlowNorDuplicateABigBatch() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let db = try database.connect()
        for _ in 0..<20 { try JobQueue().enqueueMany((0..<1000).map { _ in NewJob(kind: "noop") }, on: db) }
        try db.execute("VACUUM ANALYZE calworker.jobs")
        let summary = try drain(database.url, queue: JobQueue(lease: .seconds(30))) {
            $0.concurrency = 8
            $0.prefetch = 1000
            $0.claimBatch = 1000
        }
        #expect(summary.completed == 20_000 && summary.rescued == 0)
        #expect(try db.count("SELECT count(*) FROM calworker.job_runs WHERE outcome <> 'completed'") == 0)
        #expect(try db.count("SELECT count(*) FROM calworker.job_runs") == 20_000)
    }
}
