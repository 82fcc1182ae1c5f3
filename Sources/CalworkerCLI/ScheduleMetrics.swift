import Foundation
import Metrics
import Scheduling
import Worker

/// Each `jobs/` definition's last fire and last success as Unix times, labelled by the
/// definition's name (a fixed, small set): an alert on `time() - ...` finds a schedule that
/// stopped firing or keeps failing.
enum ScheduleMetrics {
    static func collect(probe: DatabaseProbe, directory: String) -> [MetricFamilySnapshot] {
        guard let definitions = try? JobDefinition.loadAll(directory: directory) else { return [] }
        let names = definitions.filter { $0.schedule != nil }.map(\.name)
        guard !names.isEmpty, let freshness = try? probe.run({ try ScheduleFreshness.read(names: names, on: $0) }) else { return [] }
        func samples(_ time: (ScheduleFreshness) -> Date?) -> [([MetricLabel], Double)] {
            names.compactMap { name in freshness[name].flatMap(time).map { ([MetricLabel("definition", name)], $0.timeIntervalSince1970) } }
        }
        return [
            .gauge("calworker_schedule_last_fire_timestamp_seconds",
                   help: "When each scheduled jobs/ definition last fired (a scheduler's or cron's enqueue --file), as a Unix time.",
                   samples(\.lastFire)),
            .gauge("calworker_schedule_last_success_timestamp_seconds",
                   help: "When the job of one of each definition's last five fires last completed, as a Unix time.",
                   samples(\.lastSuccess)),
        ]
    }
}
