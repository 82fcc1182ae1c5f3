import Foundation
import JobQueue
import Postgres
import TestSupport
import Testing

@Suite struct ClaimAndFinishTests {
    let queue = JobQueue(lease: .seconds(30), backoff: RetryBackoff(base: .seconds(10), cap: .seconds(3600), jitter: 0.2))

    @Test func claimTakesDueJobsInPriorityOrderFromOneQueue() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let db = try database.connect()
        let low = try queue.enqueue(NewJob(kind: "noop", priority: 5), on: db).id
        let urgent = try queue.enqueue(NewJob(kind: "noop", priority: -1), on: db).id
        let normal = try queue.enqueue(NewJob(kind: "noop"), on: db).id
        _ = try queue.enqueue(NewJob(kind: "noop", queue: "other"), on: db)
        _ = try queue.enqueue(NewJob(kind: "noop", runAt: Date().addingTimeInterval(3600)), on: db)
        let claimed = try queue.claim(queue: "default", limit: 10, workerID: "w1", on: db)
        #expect(claimed.map(\.id) == [urgent, normal, low])
        #expect(claimed.allSatisfy { $0.attempt == 1 && $0.queue == "default" })
        #expect(try queue.claim(queue: "default", limit: 10, workerID: "w1", on: db).isEmpty)
        let job = try #require(try queue.job(id: urgent, on: db))
        #expect(job.state == .running && job.workerID == "w1" && job.leaseUntil != nil)
    }

    @Test func concurrentClaimsNeverShareAJob() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let db = try database.connect()
        try queue.enqueueMany((0..<2000).map { _ in NewJob(kind: "noop") }, on: db)
        let claimed = SharedList<Int64>()
        concurrently(4) { worker in
            guard let db = try? database.connect() else { return }
            while let jobs = try? JobQueue().claim(queue: "default", limit: 37, workerID: "w\(worker)", on: db), !jobs.isEmpty {
                for job in jobs { claimed.append(job.id) }
            }
        }
        let ids = claimed.values
        #expect(ids.count == 2000)
        #expect(Set(ids).count == 2000)
    }

    @Test func finishWritesStateAndOneRunRecordPerAttempt() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let db = try database.connect()
        let ids = try queue.enqueueMany((0..<4).map { _ in NewJob(kind: "noop", maxAttempts: 3) }, on: db)
        let claimed = try queue.claim(queue: "default", limit: 10, workerID: "w", on: db)
        let byID = Dictionary(uniqueKeysWithValues: claimed.map { ($0.id, $0) })
        let retryAt = Date().addingTimeInterval(60)
        let written = try queue.finish(
            [
                FinishedAttempt(jobID: ids[0], attempt: 1, outcome: .completed, durationMs: 1.5, figures: #"{"events": 3}"#),
                queue.failure(of: byID[ids[1]]!, error: "boom", durationMs: 2),
                FinishedAttempt(jobID: ids[2], attempt: 1, outcome: .snoozed, error: "rate limited", retryAt: retryAt, durationMs: 1),
                FinishedAttempt(jobID: ids[3], attempt: 1, outcome: .discarded, error: "bad args", durationMs: 1),
            ], workerID: "w", on: db)
        #expect(written == Set(ids))
        let jobs = try ids.map { try #require(try queue.job(id: $0, on: db)) }
        #expect(jobs.map(\.state) == [.completed, .available, .available, .discarded])
        #expect(jobs[1].lastError == "boom" && jobs[1].runAt > Date().addingTimeInterval(7))
        #expect(jobs[2].maxAttempts == 4, "a snooze does not use up an attempt")
        #expect(abs(jobs[2].runAt.timeIntervalSince(retryAt)) < 0.01)
        #expect(jobs[3].finishedAt != nil && jobs[3].lastError == "bad args")
        let runs = try queue.runs(RunFilter(limit: 10), on: db)
        #expect(runs.count == 4)
        #expect(Set(runs.map(\.outcome)) == [.completed, .failed, .snoozed, .discarded])
        #expect(runs.first { $0.jobID == ids[0] }?.figures == #"{"events": 3}"#)
        #expect(runs.allSatisfy { $0.workerID == "w" && $0.attempt == 1 && $0.finishedAt >= $0.startedAt })
    }

    @Test func aJobIsNeverFinishedTwiceOrByAnotherWorker() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let db = try database.connect()
        let id = try queue.enqueue(NewJob(kind: "noop"), on: db).id
        _ = try queue.claim(queue: "default", limit: 1, workerID: "owner", on: db)
        let attempt = FinishedAttempt(jobID: id, attempt: 1, outcome: .completed, durationMs: 1)
        #expect(try queue.finish([attempt], workerID: "intruder", on: db).isEmpty)
        #expect(try queue.finish([attempt], workerID: "owner", on: db) == [id])
        #expect(try queue.finish([attempt], workerID: "owner", on: db).isEmpty, "a repeated write (lost reply) is harmless")
        #expect(try queue.runs(RunFilter(jobID: id), on: db).count == 1)
    }

    @Test func failuresBackOffExponentiallyThenDiscard() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let db = try database.connect()
        let id = try queue.enqueue(NewJob(kind: "noop", maxAttempts: 3), on: db).id
        var delays: [Double] = []
        for attempt in 1...3 {
            try db.execute("UPDATE calworker.jobs SET run_at = now() WHERE id = $1", [id])
            let job = try #require(try queue.claim(queue: "default", limit: 1, workerID: "w", on: db).first)
            #expect(job.attempt == attempt)
            let now = Date()
            let failure = queue.failure(of: job, error: "attempt \(attempt) broke", durationMs: 1, now: now)
            if let retryAt = failure.retryAt { delays.append(retryAt.timeIntervalSince(now)) }
            try queue.finish([failure], workerID: "w", on: db)
        }
        #expect(delays.count == 2)
        #expect((8.0...12.0).contains(delays[0]), "10s ±20%: \(delays[0])")
        #expect((16.0...24.0).contains(delays[1]), "20s ±20%: \(delays[1])")
        let job = try #require(try queue.job(id: id, on: db))
        #expect(job.state == .discarded)
        #expect(job.lastError?.contains("attempt 3 of 3 failed") == true)
        #expect(try queue.runs(RunFilter(jobID: id), on: db).map(\.outcome) == [.discarded, .failed, .failed])
    }
}

/// Subjects come from args, which may hold anything: kept to 512 bytes on a character boundary.
@Suite struct SubjectTests {
    @Test(arguments: [(String(repeating: "é", count: 400), 512), ("media:" + String(repeating: "x", count: 2000), 512), ("account:1", 9)])
    func aSubjectIsClippedToItsLimitWithoutBreakingACharacter(_ text: String, _ bytes: Int) throws {
        let subject = try #require(NewJob.subject(text))
        #expect(subject.utf8.count == bytes && text.hasPrefix(subject))
        try NewJob(kind: "noop", subject: subject).validate()
    }

    @Test func anEmptySubjectIsNone() {
        #expect(NewJob.subject("") == nil && NewJob.subject(nil) == nil && NewJob.subject("\u{0}") == nil)
    }
}

extension ClaimAndFinishTests {
    /// A claim from a position takes only the jobs after it in claim order; one from the top
    /// takes what it skipped (an urgent job enqueued meanwhile).
    @Test func aClaimFromAPositionTakesOnlyWhatComesAfterIt() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let db = try database.connect()
        let ids = try queue.enqueueMany((0..<6).map { _ in NewJob(kind: "noop", runAt: Date().addingTimeInterval(-60)) }, on: db)
        let first = try queue.claim(queue: "default", limit: 2, workerID: "w", on: db)
        #expect(first.map(\.id) == Array(ids.prefix(2)))
        let position = try #require(first.compactMap(\.position).max())
        #expect(position.id == ids[1] && position.priority == 0)
        let urgent = try queue.enqueue(NewJob(kind: "noop", priority: -5), on: db).id
        let next = try queue.claim(queue: "default", limit: 2, workerID: "w", after: position, on: db)
        #expect(next.map(\.id) == [ids[2], ids[3]], "the urgent job sits before the position")
        let fromTop = try queue.claim(queue: "default", limit: 10, workerID: "w", on: db)
        #expect(fromTop.map(\.id) == [urgent, ids[4], ids[5]])
    }
}
