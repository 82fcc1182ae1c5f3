import Foundation
import JobQueue
import Postgres
import Scheduling
import TestSupport
import Testing

/// Fires recorded outside a scheduler pass (cron's `enqueue --file`) and read back for the
/// console: on time or not at all, once per wall-clock time, and never one ahead of the clock.
@Suite struct ScheduleFiresTests {
    @Test func cronsEnqueueOnTimeIsAFireAndALateOrRepeatedOneIsNot() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let db = try database.connect()
        let definitions = try SchedulerTests.definitions()
        let five = try #require(definitions.first { $0.name == "five" })
        let manual = try #require(definitions.first { $0.name == "manual" })
        let utc = TimeZone(identifier: "UTC")!
        #expect(try ScheduleFires.recordEnqueued(five, jobID: 1, timeZone: utc, now: SchedulerTests.utc("2026-12-01T10:05:40Z"), on: db))
        #expect(
            try !ScheduleFires.recordEnqueued(five, jobID: 2, timeZone: utc, now: SchedulerTests.utc("2026-12-01T10:06:30Z"), on: db),
            "a second host's cron a minute late: the 10:05 fire is already recorded")
        #expect(
            try !ScheduleFires.recordEnqueued(five, jobID: 3, timeZone: utc, now: SchedulerTests.utc("2026-12-01T10:08:00Z"), on: db),
            "three minutes after the fire: a manual enqueue, no fire")
        #expect(try !ScheduleFires.recordEnqueued(manual, jobID: 4, timeZone: utc, now: SchedulerTests.utc("2026-12-01T10:05:00Z"), on: db))
        try db.execute(
            "INSERT INTO calworker.schedule_fires (name, wall_time, fire_at, job_id) VALUES ('five', '2026-12-09T00:00', '2026-12-09T00:00:00Z', 9)")

        let newest = try ScheduleFires.newest(names: ["five", "manual", "missing"], now: SchedulerTests.utc("2026-12-02T00:00:00Z"), on: db)
        #expect(newest.keys.sorted() == ["five"])
        #expect(
            newest["five"] == ScheduleFire(name: "five", wallTime: "2026-12-01T10:05", at: SchedulerTests.utc("2026-12-01T10:05:00Z"), jobID: 1),
            "the fire ahead of the clock is not the last one")
    }
}
