import Foundation
import JobQueue
import Postgres
import Scheduling
import Synchronization
import TestSupport
import Testing

@Suite struct SchedulerTests {
    /// Kinds as a registry describes them: a unique key and a subject of their own.
    struct Catalog: JobCatalog {
        func validate(kind: String, args: String) throws {}
        func defaultUniqueKey(kind: String, args: String) -> String? { "default:\(kind)" }
        func subject(kind: String, args: String) -> String? { "subject:\(kind)" }
    }

    static func utc(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    static func definitions() throws -> [JobDefinition] {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cw-sched-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try #"{"kind": "noop", "schedule": "*/5 * * * *", "unique_key": "five"}"#.write(
            toFile: folder + "/five.json", atomically: true, encoding: .utf8)
        try #"{"kind": "noop", "schedule": "0 * * * *"}"#.write(toFile: folder + "/hourly.json", atomically: true, encoding: .utf8)
        try #"{"kind": "noop"}"#.write(toFile: folder + "/manual.json", atomically: true, encoding: .utf8)
        return try JobDefinition.loadAll(directory: folder)
    }

    @Test func schedulersRunningAtOnceEnqueueEachFireOnce() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let definitions = try Self.definitions()
        let total = Mutex(0)
        // Eight schedulers, all ticking at 10:00 (both definitions due) and again at 10:05.
        for now in [Self.utc("2026-12-01T10:00:20Z"), Self.utc("2026-12-01T10:05:10Z")] {
            concurrently(8) { _ in
                let db = try! database.connect()
                let scheduler = Scheduler(definitions: definitions, timeZone: TimeZone(identifier: "UTC")!, catalog: Catalog())
                let enqueued = try! scheduler.tick(now: now, on: db)
                total.withLock { $0 += enqueued.count }
            }
        }
        #expect(total.withLock { $0 } == 3, "five at 10:00 and 10:05, hourly at 10:00")
        let db = try database.connect()
        let jobs = try db.query("SELECT unique_key FROM calworker.jobs ORDER BY id").map { try $0.decodeOptional(String.self, at: 0) }
        #expect(jobs.count == 2, "the 10:05 fire of `five` met its 10:00 job still queued (unique key): \(jobs)")
        #expect(Set(jobs.compactMap { $0 }) == ["five", "default:noop"], "a definition without a key gets the kind's default")
        let subjects = try db.query("SELECT DISTINCT subject FROM calworker.jobs").map { try $0.decodeOptional(String.self, at: 0) }
        #expect(subjects == ["subject:noop"], "a scheduled job says what it is about, as an enqueued one does")
        let fires = try db.query("SELECT name, wall_time FROM calworker.schedule_fires ORDER BY 1, 2")
            .map { "\(try $0.decode(String.self, at: 0)) \(try $0.decode(String.self, at: 1))" }
        #expect(fires == ["five 2026-12-01T10:00", "five 2026-12-01T10:05", "hourly 2026-12-01T10:00"])
    }

    @Test func aSchedulerThatWasAwayRunsTheNewestMissedFireOnce() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let db = try database.connect()
        let scheduler = Scheduler(definitions: try Self.definitions(), timeZone: TimeZone(identifier: "UTC")!, catalog: Catalog())
        #expect(try scheduler.tick(now: Self.utc("2026-12-01T10:00:05Z"), on: db).count == 2)
        try db.execute("UPDATE calworker.jobs SET state = 'completed', finished_at = now()")
        // Down from 10:01 until 15:42.
        let back = try scheduler.tick(now: Self.utc("2026-12-01T15:42:00Z"), on: db)
        #expect(back.map { "\($0.name) \($0.wallTime)" }.sorted() == ["five 2026-12-01T15:40", "hourly 2026-12-01T15:00"])
        #expect(try scheduler.tick(now: Self.utc("2026-12-01T15:43:00Z"), on: db).isEmpty, "nothing new due")
    }
}
