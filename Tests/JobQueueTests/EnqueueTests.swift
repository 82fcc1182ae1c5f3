import Foundation
import JobQueue
import Postgres
import TestSupport
import Testing

@Suite struct EnqueueTests {
    let queue = JobQueue()

    @Test func enqueueStoresEveryField() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let db = try database.connect()
        let runAt = Date().addingTimeInterval(3600)
        let result = try queue.enqueue(
            NewJob(
                kind: "noop", args: #"{"sleep_ms": 5}"#, queue: "mail", priority: -3,
                maxAttempts: 4, runAt: runAt, uniqueKey: "k", timeout: .seconds(9)), on: db)
        #expect(!result.duplicate)
        let job = try #require(try queue.job(id: result.id, on: db))
        #expect(job.kind == "noop" && job.queue == "mail" && job.priority == -3 && job.maxAttempts == 4)
        #expect(job.args == #"{"sleep_ms": 5}"#)
        #expect(job.state == .available && job.attempt == 0 && job.uniqueKey == "k" && job.timeoutMs == 9000)
        #expect(abs(job.runAt.timeIntervalSince(runAt)) < 0.001)
    }

    @Test(arguments: [
        NewJob(kind: ""), NewJob(kind: "bad kind!"), NewJob(kind: "noop", args: "[1]"), NewJob(kind: "noop", args: "{"),
        NewJob(kind: "noop", queue: ""), NewJob(kind: "noop", maxAttempts: 0), NewJob(kind: "noop", uniqueKey: ""),
        NewJob(kind: "noop", timeout: .zero),
    ])
    func invalidJobsAreRefusedBeforeTheDatabase(job: NewJob) {
        #expect(throws: JobQueueError.self) { try job.validate() }
    }

    @Test func uniqueKeyHoldsWhileLiveAndFreesWhenFinished() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let db = try database.connect()
        let first = try queue.enqueue(NewJob(kind: "noop", uniqueKey: "sync-1"), on: db)
        let second = try queue.enqueue(NewJob(kind: "noop", uniqueKey: "sync-1"), on: db)
        #expect(second == EnqueueResult(id: first.id, duplicate: true, queue: "default", runAt: first.runAt))
        // The holder's queue and time, whatever the duplicate asked for.
        let elsewhere = try queue.enqueue(NewJob(kind: "noop", queue: "ops", runAt: Date().addingTimeInterval(3600), uniqueKey: "sync-1"), on: db)
        #expect(elsewhere.duplicate && elsewhere.queue == "default" && elsewhere.runAt == first.runAt)
        // Still held while running.
        let claimed = try queue.claim(queue: "default", limit: 10, workerID: "w", on: db)
        #expect(claimed.map(\.id) == [first.id])
        #expect(try queue.enqueue(NewJob(kind: "noop", uniqueKey: "sync-1"), on: db).duplicate)
        try queue.finish([FinishedAttempt(jobID: first.id, attempt: 1, outcome: .completed, durationMs: 1)], workerID: "w", on: db)
        let third = try queue.enqueue(NewJob(kind: "noop", uniqueKey: "sync-1"), on: db)
        #expect(!third.duplicate && third.id != first.id)
    }

    @Test func concurrentEnqueuesOfOneKeyAddOneJob() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let ids = SharedList<(round: Int, id: Int64)>()
        concurrently(8) { _ in
            guard let db = try? database.connect() else { return }
            for round in 0..<25 {
                if let result = try? JobQueue().enqueue(NewJob(kind: "noop", uniqueKey: "key-\(round)"), on: db) {
                    ids.append((round, result.id))
                }
            }
        }
        let db = try database.connect()
        let rows = try db.query("SELECT unique_key, count(*) FROM calworker.jobs GROUP BY unique_key")
        #expect(rows.count == 25)
        for row in rows { #expect(try row.decode(Int.self, at: 1) == 1) }
        // Every caller was told the same id for the same key.
        for round in 0..<25 {
            let told = ids.values.filter { $0.round == round }.map(\.id)
            #expect(Set(told).count == 1 && told.count == 8)
        }
    }

    @Test func enqueueJoinsTheCallersTransaction() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let db = try database.connect()
        let listener = try database.connect()
        try listener.listen(JobQueue.notifyChannel)
        struct Abort: Error {}
        _ = try? db.transaction { db in
            _ = try queue.enqueue(NewJob(kind: "noop"), on: db)
            throw Abort()
        }
        #expect(try db.query("SELECT count(*) FROM calworker.jobs")[0].decode(Int.self, at: 0) == 0)
        #expect(try listener.waitForNotifications(timeout: .milliseconds(300)).isEmpty)
        try db.transaction { db in _ = try queue.enqueue(NewJob(kind: "noop", queue: "mail"), on: db) }
        #expect(try db.query("SELECT count(*) FROM calworker.jobs")[0].decode(Int.self, at: 0) == 1)
        let notes = try listener.waitForNotifications(timeout: .seconds(5))
        #expect(notes.map(\.payload) == ["mail"])
    }

    @Test func enqueueManyInsertsAllAndSkipsHeldKeys() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let db = try database.connect()
        _ = try queue.enqueue(NewJob(kind: "noop", uniqueKey: "taken"), on: db)
        var jobs = (0..<500).map { NewJob(kind: "noop", args: #"{"n": \#($0)}"#) }
        jobs.append(NewJob(kind: "noop", uniqueKey: "taken"))
        let ids = try queue.enqueueMany(jobs, on: db)
        #expect(ids.count == 500)
        #expect(try db.query("SELECT count(*) FROM calworker.jobs")[0].decode(Int.self, at: 0) == 501)
    }
}
