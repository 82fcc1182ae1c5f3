import Foundation
import Metrics
import Scheduling
import Worker

/// Each `jobs/` definition's last fire and last success as Unix times, labelled by the
/// definition's name (a fixed, small set): an alert on `time() - ...` finds a schedule that
/// stopped firing or keeps failing.
enum ScheduleMetrics {
    /// The scheduled definitions' names, read once when a process starts (as everything
    /// else it runs by), not on every scrape; none when the folder does not load.
    static func scheduledNames(directory: String) -> [String] {
        ((try? JobDefinition.loadAll(directory: directory)) ?? []).filter { $0.schedule != nil }.map(\.name)
    }

    static func collect(probe: DatabaseProbe, names: [String]) -> [MetricFamilySnapshot] {
        guard !names.isEmpty, let freshness = try? probe.run({ try ScheduleFreshness.read(names: names, on: $0) }) else { return [] }
        func samples(_ time: (ScheduleFreshness) -> Date?) -> [([MetricLabel], Double)] {
            names.compactMap { name in freshness[name].flatMap(time).map { ([MetricLabel("definition", name)], $0.timeIntervalSince1970) } }
        }
        return [
            .gauge(
                "calworker_schedule_last_fire_timestamp_seconds",
                help: "When each scheduled jobs/ definition last fired (a scheduler's or cron's enqueue --file), as a Unix time.",
                samples(\.lastFire)),
            .gauge(
                "calworker_schedule_last_success_timestamp_seconds",
                help: "When the job of one of each definition's last five fires last completed, as a Unix time.",
                samples(\.lastSuccess)),
        ]
    }
}
