import Foundation
import JobQueue
import Postgres
import TestSupport
import Testing
import Worker

@Suite struct WorkerLifecycleTests {
    @Test func notifyWakesAnIdleWorker() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let db = try database.connect()
        // Polling once an hour: only the NOTIFY can wake this worker in time.
        let worker = BackgroundWorker(url: database.url) { $0.pollInterval = .seconds(3600) }
        #expect(eventually(timeout: 20) { (try? db.count("SELECT count(*) FROM calworker.workers")) == 1 })
        // Its listener session's last statement is the LISTEN: from then on a NOTIFY reaches it.
        #expect(listening(db), "the worker's listener session is LISTENing")
        let id = try JobQueue().enqueue(NewJob(kind: "noop"), on: db).id
        #expect(eventually(timeout: 20) { (try? JobQueue().job(id: id, on: db)?.state) == .completed })
        worker.stop()
        #expect(try worker.wait().completed == 1)
    }

    /// A job enqueued to start in a moment (a push notification's coalescing delay) is
    /// announced with its start time, so an idle worker starts it then, not at its next poll.
    @Test func aJobDueInAMomentStartsWhenDueNotAtTheNextPoll() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let db = try database.connect()
        let worker = BackgroundWorker(url: database.url) { $0.pollInterval = .seconds(3600) }
        #expect(listening(db), "the worker's listener session is LISTENing")
        let soon = try JobQueue().enqueue(NewJob(kind: "noop", runAt: Date().addingTimeInterval(0.5)), on: db).id
        let later = try JobQueue().enqueue(NewJob(kind: "noop", runAt: Date().addingTimeInterval(600)), on: db).id
        #expect(eventually(timeout: 20) { (try? JobQueue().job(id: soon, on: db)?.state) == .completed })
        #expect(try JobQueue().job(id: later, on: db)?.state == .available, "a job ten minutes out is left to polling")
        worker.stop()
        _ = try worker.wait()
    }

    /// Another program can NOTIFY anything on the channel: start times out of range, not
    /// numbers, other queues. The listener ignores or clamps them and goes on.
    @Test func hostileWakeUpPayloadsAreIgnored() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let db = try database.connect()
        let worker = BackgroundWorker(url: database.url) { $0.pollInterval = .seconds(3600) }
        #expect(listening(db), "the worker's listener session is LISTENing")
        for payload in [
            "default@99999999999999999999", "default@-1e308", "default@nan", "default@inf", "default@", "@1", "default@@",
            "other@1", String(repeating: "@", count: 7000), "default@1e999",
        ] {
            try db.execute("SELECT pg_notify('calworker_jobs', $1)", [payload])
        }
        let id = try JobQueue().enqueue(NewJob(kind: "noop"), on: db).id
        #expect(eventually(timeout: 20) { (try? JobQueue().job(id: id, on: db)?.state) == .completed }, "the worker still takes jobs")
        worker.stop()
        #expect(try worker.wait().completed == 1)
    }

    /// A paused queue is not claimed by a worker already running; its other queue goes on; a
    /// resume wakes the worker (it polls once an hour here, so only the wake-up can do it).
    @Test func aPausedQueueIsNotClaimedAndResumeWakesTheWorker() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let db = try database.connect()
        let worker = BackgroundWorker(url: database.url) {
            $0.queues = ["default", "mail"]
            $0.pollInterval = .seconds(3600)
        }
        #expect(listening(db), "the worker's listener session is LISTENing")
        #expect(try JobQueue().pause(queue: "mail", reason: "SMTP relay down", by: "ops@test", on: db))
        #expect(try !JobQueue().pause(queue: "mail", reason: "again", by: "ops@test", on: db), "paused once")
        let mail = try JobQueue().enqueue(NewJob(kind: "noop", queue: "mail"), on: db).id
        let other = try JobQueue().enqueue(NewJob(kind: "noop"), on: db).id
        #expect(eventually(timeout: 20) { (try? JobQueue().job(id: other, on: db)?.state) == .completed })
        let later = try JobQueue().enqueue(NewJob(kind: "noop"), on: db).id
        #expect(eventually(timeout: 20) { (try? JobQueue().job(id: later, on: db)?.state) == .completed })
        #expect(try JobQueue().job(id: mail, on: db)?.state == .available, "two wake-ups later the paused queue's job still waits")
        #expect(try JobQueue().statistics(on: db).depths.first { $0.queue == "mail" }?.paused == true)

        #expect(try JobQueue().resume(queue: "mail", on: db))
        #expect(eventually(timeout: 20) { (try? JobQueue().job(id: mail, on: db)?.state) == .completed }, "the resume woke the worker")
        #expect(try !JobQueue().resume(queue: "mail", on: db))
        worker.stop()
        #expect(try worker.wait().completed == 3)
    }

    @Test func aOnceRunEndsWhenOnlyPausedQueuesHaveDueJobs() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let db = try database.connect()
        try JobQueue().pause(queue: "default", reason: nil, by: "ops@test", on: db)
        let id = try JobQueue().enqueue(NewJob(kind: "noop"), on: db).id
        let summary = try drain(database.url)
        #expect(summary.claimed == 0)
        #expect(try JobQueue().job(id: id, on: db)?.state == .available)
    }

    @Test func pollingAloneWorksWithoutListen() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let db = try database.connect()
        let worker = BackgroundWorker(url: database.url) {
            $0.listen = false
            $0.pollInterval = .milliseconds(100)
        }
        let id = try JobQueue().enqueue(NewJob(kind: "noop"), on: db).id
        #expect(eventually(timeout: 20) { (try? JobQueue().job(id: id, on: db)?.state) == .completed })
        worker.stop()
        _ = try worker.wait()
    }

    @Test func cancellingARunningJobStopsIt() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let db = try database.connect()
        let id = try JobQueue().enqueue(NewJob(kind: "noop", args: #"{"sleep_ms": 60000}"#), on: db).id
        let worker = BackgroundWorker(url: database.url)
        #expect(eventually(timeout: 20) { (try? JobQueue().job(id: id, on: db)?.state) == .running })
        #expect(try JobQueue().cancel(id: id, on: db) == .cancelRequested)
        #expect(eventually(timeout: 20) { (try? JobQueue().job(id: id, on: db)?.state) == .cancelled })
        worker.stop()
        #expect(try worker.wait().cancelled == 1)
        #expect(try JobQueue().runs(RunFilter(jobID: id), on: db).map(\.outcome) == [.cancelled])
    }

    @Test func stoppingLetsRunningJobsFinishWithinTheGracePeriod() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let db = try database.connect()
        let id = try JobQueue().enqueue(NewJob(kind: "noop", args: #"{"sleep_ms": 800}"#), on: db).id
        let worker = BackgroundWorker(url: database.url) { $0.gracePeriod = .seconds(30) }
        #expect(eventually(timeout: 20) { (try? JobQueue().job(id: id, on: db)?.state) == .running })
        worker.stop()
        let summary = try worker.wait()
        #expect(summary.completed == 1 && summary.handedBack == 0)
        #expect(try JobQueue().job(id: id, on: db)?.state == .completed)
    }

    @Test func jobsStillRunningAfterTheGracePeriodAreHandedBack() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let db = try database.connect()
        let id = try JobQueue().enqueue(NewJob(kind: "noop", args: #"{"sleep_ms": 60000}"#, maxAttempts: 2), on: db).id
        let worker = BackgroundWorker(url: database.url) { $0.gracePeriod = .milliseconds(300) }
        #expect(eventually(timeout: 20) { (try? JobQueue().job(id: id, on: db)?.state) == .running })
        worker.stop()
        let summary = try worker.wait(timeout: 20)
        #expect(summary.snoozed + summary.handedBack == 1)
        let job = try #require(try JobQueue().job(id: id, on: db))
        #expect(job.state == .available && job.maxAttempts == 3, "handed back without using up an attempt")
        let run = try #require(try JobQueue().runs(RunFilter(jobID: id), on: db).first)
        #expect(run.outcome == .snoozed && run.error?.contains("handed back") == true)
    }

    @Test func prefetchedJobsAreReleasedUnstartedOnStop() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let db = try database.connect()
        try JobQueue().enqueueMany((0..<6).map { _ in NewJob(kind: "noop", args: #"{"sleep_ms": 1500}"#) }, on: db)
        let worker = BackgroundWorker(url: database.url) {
            $0.concurrency = 1
            $0.prefetch = 5
            $0.gracePeriod = .seconds(30)
        }
        #expect(eventually(timeout: 20) { (try? db.count("SELECT count(*) FROM calworker.jobs WHERE state = 'running'")) == 6 })
        worker.stop()
        let summary = try worker.wait()
        #expect(summary.completed == 1 && summary.released == 5)
        #expect(try db.count("SELECT count(*) FROM calworker.jobs WHERE state = 'available' AND attempt = 0 AND lease_until IS NULL") == 5)
        #expect(try db.count("SELECT count(*) FROM calworker.job_runs") == 1, "released jobs leave no run record")
    }
}
