import Foundation
import JobQueue
import Testing

@testable import Worker

/// Where a queue's next claim starts: after the last job taken while a backlog lasts, from the
/// top at least every second and after any short claim.
@Suite struct ClaimFloorsTests {
    func job(_ id: Int64, priority: Int = 0, due: Int64) -> ClaimedJob {
        var job = ClaimedJob(
            id: id, kind: "noop", queue: "q", args: "{}", attempt: 1, maxAttempts: 3, priority: priority, timeout: nil,
            startedAt: Date(), dueAt: Date())
        job.position = ClaimPosition(priority: priority, dueMicros: due, id: id)
        return job
    }

    @Test func aFullClaimMovesTheStartAfterItsLastJob() {
        var floors = ClaimFloors()
        let now = ContinuousClock.now
        #expect(floors.start(for: "q", now: now) == nil)
        floors.record(queue: "q", start: nil, claimed: [job(3, due: 10), job(1, priority: 1, due: 5), job(2, due: 20)], wanted: 3, now: now)
        #expect(floors.start(for: "q", now: now) == ClaimPosition(priority: 1, dueMicros: 5, id: 1), "the last in claim order")
        #expect(floors.start(for: "other", now: now) == nil, "queues are apart")
    }

    @Test func aShortClaimStartsTheNextFromTheTop() {
        var floors = ClaimFloors()
        let now = ContinuousClock.now
        floors.record(queue: "q", start: nil, claimed: [job(1, due: 1), job(2, due: 2)], wanted: 2, now: now)
        floors.record(queue: "q", start: floors.start(for: "q", now: now), claimed: [job(3, due: 3)], wanted: 2, now: now)
        #expect(floors.start(for: "q", now: now) == nil)
    }

    @Test func everySecondAClaimStartsFromTheTopEvenInABacklog() {
        var floors = ClaimFloors()
        let start = ContinuousClock.now
        floors.record(queue: "q", start: nil, claimed: [job(1, due: 1)], wanted: 1, now: start)
        var now = start
        var id: Int64 = 2
        // Full claims from a start keep the time of the last claim from the top.
        while now - start < .milliseconds(900) {
            now = now.advanced(by: .milliseconds(100))
            let from = floors.start(for: "q", now: now)
            #expect(from != nil)
            floors.record(queue: "q", start: from, claimed: [job(id, due: id)], wanted: 1, now: now)
            id += 1
        }
        #expect(floors.start(for: "q", now: start.advanced(by: .milliseconds(1000))) == nil)
        floors.record(queue: "q", start: nil, claimed: [job(99, due: 99)], wanted: 1, now: start.advanced(by: .milliseconds(1000)))
        #expect(floors.start(for: "q", now: start.advanced(by: .milliseconds(1100))) == ClaimPosition(priority: 0, dueMicros: 99, id: 99))
    }
}
