public import Foundation
import HTTPServer
import JobQueue
import Postgres
public import Scheduling
import Synchronization

/// The definitions in `jobs/` the console shows, in the time zone their schedules are read in.
/// Each schedule's next fire is searched minute by minute once, then kept until it passes.
public final class ConsoleSchedules: Sendable {
    public let definitions: [JobDefinition]
    public let timeZone: TimeZone
    /// The next fire found after a time, by definition name; nil: none within `horizon`.
    private let nextFires = Mutex<[String: (searchedAt: Date, next: Date?)]>([:])
    /// How far ahead a next fire is searched for: a month and a day.
    static let horizon: TimeInterval = 32 * 86_400

    public init(definitions: [JobDefinition], timeZone: TimeZone) {
        self.definitions = definitions.sorted { $0.name < $1.name }
        self.timeZone = timeZone
    }

    /// The definition's next fire after `now`; nil when it has no schedule or none fires within
    /// `horizon`. Kept until it passes, so a page costs no minute-by-minute search.
    public func nextFire(_ definition: JobDefinition, now: Date) -> Date? {
        guard let expression = definition.schedule else { return nil }
        if let known = nextFires.withLock({ $0[definition.name] }), known.searchedAt <= now,
            known.next.map({ $0 > now }) ?? (now < known.searchedAt.addingTimeInterval(3600))
        {
            return known.next
        }
        let next = CronSchedule(expression, timeZone: timeZone).fires(after: now, through: now.addingTimeInterval(Self.horizon)).first?.at
        nextFires.withLock { $0[definition.name] = (now, next) }
        return next
    }
}

/// The definitions in `jobs/`: kind, queue, schedule, the newest fire and how its job ended,
/// and the next fire.
enum SchedulesPage {
    /// Loads what the page shows through the stores of the modules that own it, and renders it.
    static func respond(_ app: ConsoleApp, _ call: ConsoleCall) throws -> HTTPServerResponse {
        let now = Date()
        let rows = try app.pool.with { db -> [SchedulesPage.Row] in
            guard let schedules = app.schedules else { return [] }
            let fires = try ScheduleFires.newest(names: schedules.definitions.map(\.name), now: now, on: db)
            return try schedules.definitions.map { definition in
                let fire = fires[definition.name]
                return SchedulesPage.Row(
                    definition: definition, lastFire: fire, lastJob: try fire?.jobID.flatMap { try app.queue.job(id: $0, on: db) },
                    nextFire: schedules.nextFire(definition, now: now))
            }
        }
        return ConsolePage.response(
            title: "Schedules", session: app.signed(call.session), refresh: true,
            body: SchedulesPage.body(rows, timeZone: app.schedules?.timeZone ?? .gmt, now: now))
    }

    struct Row {
        var definition: JobDefinition
        var lastFire: ScheduleFire?
        /// The last fire's job as the queue knows it now (nil: none, or pruned from history).
        var lastJob: JobRecord?
        var nextFire: Date?
    }

    static func body(_ rows: [Row], timeZone: TimeZone, now: Date = Date()) -> HTML {
        let lines = rows.map { row -> HTML in
            let definition = row.definition
            let last: HTML =
                row.lastFire.map { fire in
                    let job: HTML =
                        fire.jobID.map { id in
                            "<br><a href=\"\(ConsoleLink(["jobs", String(id)]))\">job \(id)</a> <span class=\"outcome-\(row.lastJob?.state.rawValue ?? "")\">\(row.lastJob?.state.rawValue ?? "")</span>"
                        } ?? ""
                    return "\(ConsoleFormat.time(fire.at))<br>\(ConsoleFormat.seconds(now.timeIntervalSince(fire.at))) ago\(job)"
                } ?? "none recorded"
            let next: HTML =
                definition.schedule == nil
                ? "not scheduled"
                : row.nextFire.map { "\(ConsoleFormat.time($0))<br>in \(ConsoleFormat.seconds($0.timeIntervalSince(now)))" } ?? "not within a month"
            return """
                <tr><td>\(definition.name)</td><td><a href="\(ConsoleLink(["runs"], query: [("kind", definition.kind)]))">\(definition.kind)</a></td>
                <td>\(definition.queue)</td><td><code>\(definition.schedule?.text ?? "")</code></td><td>\(last)</td><td>\(next)</td>
                <td>\(definition.description ?? "")</td></tr>
                """
        }
        return """
            <p>The definitions the console was started with, their schedules read in \(timeZone.identifier). A fire is recorded
            by <code>calworker schedule run</code>, or by cron's <code>calworker enqueue --file</code> at the scheduled minute.</p>
            <table><thead><tr><th>Name</th><th>Kind</th><th>Queue</th><th>Schedule</th><th>Last fire</th><th>Next fire</th>
            <th>What it does</th></tr></thead><tbody>\(lines)</tbody></table>
            """
    }
}
