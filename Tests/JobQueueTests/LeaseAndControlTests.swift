import Foundation
import JobQueue
import Postgres
import TestSupport
import Testing

@Suite struct LeaseAndControlTests {
    @Test func expiredLeasesAreRescuedWithALostRunRecord() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let db = try database.connect()
        let queue = JobQueue(lease: .milliseconds(200), backoff: RetryBackoff(base: .milliseconds(1), jitter: 0))
        let id = try queue.enqueue(NewJob(kind: "noop", maxAttempts: 5), on: db).id
        let last = try queue.enqueue(NewJob(kind: "noop", maxAttempts: 1), on: db).id
        _ = try queue.claim(queue: "default", limit: 10, workerID: "dead-worker", on: db)
        #expect(try queue.rescueExpired(on: db).isEmpty, "leases still valid")
        Thread.sleep(forTimeInterval: 0.3)
        let rescued = try queue.rescueExpired(on: db)
        #expect(Set(rescued.map(\.id)) == [id, last])
        #expect(rescued.first { $0.id == id }?.newState == .available)
        #expect(rescued.first { $0.id == last }?.newState == .discarded, "no attempts left")
        let runs = try queue.runs(RunFilter(jobID: id), on: db)
        #expect(runs.map(\.outcome) == [.lost] && runs[0].workerID == "dead-worker")
        #expect(runs[0].error?.contains("dead-worker") == true)
        // The rescued job runs again as attempt 2; a late write from the dead worker is ignored.
        Thread.sleep(forTimeInterval: 0.01)
        let again = try #require(try queue.claim(queue: "default", limit: 1, workerID: "alive", on: db).first)
        #expect(again.id == id && again.attempt == 2)
        #expect(
            try queue.finish(
                [FinishedAttempt(jobID: id, attempt: 1, outcome: .completed, durationMs: 1)],
                workerID: "dead-worker", on: db
            ).isEmpty)
    }

    @Test func heartbeatsKeepLeasesAlive() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let db = try database.connect()
        let queue = JobQueue(lease: .milliseconds(400))
        let id = try queue.enqueue(NewJob(kind: "noop"), on: db).id
        _ = try queue.claim(queue: "default", limit: 1, workerID: "w", on: db)
        for _ in 0..<4 {
            Thread.sleep(forTimeInterval: 0.15)
            #expect(try queue.extendLeases(ids: [id], workerID: "w", on: db).isEmpty)
        }
        #expect(try queue.rescueExpired(on: db).isEmpty)
    }

    @Test func cancelStopsWaitingJobsAndFlagsRunningOnes() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let db = try database.connect()
        let queue = JobQueue()
        let waiting = try queue.enqueue(NewJob(kind: "noop", runAt: Date().addingTimeInterval(600)), on: db).id
        let running = try queue.enqueue(NewJob(kind: "noop"), on: db).id
        _ = try queue.claim(queue: "default", limit: 1, workerID: "w", on: db)
        #expect(try queue.cancel(id: waiting, on: db) == .cancelled)
        #expect(try queue.cancel(id: running, on: db) == .cancelRequested)
        #expect(try queue.extendLeases(ids: [running], workerID: "w", on: db) == [running])
        #expect(throws: JobQueueError(.wrongState, "job \(waiting) is already cancelled")) { try queue.cancel(id: waiting, on: db) }
        #expect(throws: JobQueueError.self) { try queue.cancel(id: 999_999, on: db) }
    }

    @Test func retryBringsBackADiscardedJobWithOneMoreAttempt() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let db = try database.connect()
        let queue = JobQueue()
        let id = try queue.enqueue(NewJob(kind: "noop", maxAttempts: 1), on: db).id
        let job = try #require(try queue.claim(queue: "default", limit: 1, workerID: "w", on: db).first)
        #expect(throws: JobQueueError.self) { try queue.retry(id: id, on: db) }
        try queue.finish([queue.failure(of: job, error: "x", durationMs: 1)], workerID: "w", on: db)
        #expect(try queue.job(id: id, on: db)?.state == .discarded)
        let retried = try queue.retry(id: id, on: db)
        #expect(retried.state == .available && retried.maxAttempts == 2 && retried.finishedAt == nil)
        #expect(try queue.claim(queue: "default", limit: 1, workerID: "w", on: db).first?.attempt == 2)
        #expect(throws: JobQueueError.self) { try queue.retry(id: 424_242, on: db) }
    }

    @Test func countsSplitDueFromScheduledAndAgeTheOldest() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let db = try database.connect()
        let queue = JobQueue()
        _ = try queue.enqueue(NewJob(kind: "noop", runAt: Date().addingTimeInterval(-120)), on: db)
        _ = try queue.enqueue(NewJob(kind: "noop"), on: db)
        _ = try queue.enqueue(NewJob(kind: "noop", runAt: Date().addingTimeInterval(600)), on: db)
        let counts = try queue.counts(on: db)
        let due = try #require(counts.first { $0.state == "due" })
        #expect(due.count == 2)
        #expect((due.oldestDueAgeSeconds ?? 0) >= 119)
        #expect(counts.first { $0.state == "scheduled" }?.count == 1)
    }

    @Test func workersRegisterBeatAndLeave() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let db = try database.connect()
        try WorkerRegistry.register(id: "w-1", hostname: "h", pid: 1, queues: ["a", "b"], concurrency: 4, version: "t", on: db)
        try WorkerRegistry.heartbeat(id: "w-1", stopping: true, on: db)
        let workers = try WorkerRegistry.list(on: db)
        #expect(workers.map(\.id) == ["w-1"] && workers[0].queues == ["a", "b"] && workers[0].stopping)
        try WorkerRegistry.unregister(id: "w-1", on: db)
        #expect(try WorkerRegistry.list(on: db).isEmpty)
    }
}
