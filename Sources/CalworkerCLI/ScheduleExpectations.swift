import Foundation
import Scheduling

/// What the alerts and metrics expect of the definitions in `jobs/`: how often each fires.
enum ScheduleExpectations {
    /// Each scheduled definition's longest normal gap between fires, in seconds; none when the
    /// folder does not load (the alert run then checks no schedule, and `jobs validate` says why).
    static func periods(directory: String, timeZone: TimeZone, now: Date = Date()) -> [String: Double] {
        guard let definitions = try? JobDefinition.loadAll(directory: directory) else { return [:] }
        var periods: [String: Double] = [:]
        for definition in definitions {
            guard let expression = definition.schedule,
                let gap = CronSchedule(expression, timeZone: timeZone).longestGap(after: now)
            else { continue }
            periods[definition.name] = gap
        }
        return periods
    }
}
