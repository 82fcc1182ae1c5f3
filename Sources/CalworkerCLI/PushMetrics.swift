import CalendarSync
import Metrics
import Push
import Worker

/// Push figures read from the database on each scrape, so every process reports the same:
/// how many active accounts lack a working channel and so are on five-minute polling.
enum PushMetrics {
    static func collect(probe: DatabaseProbe, pushConfigured: Bool) -> [MetricFamilySnapshot] {
        guard pushConfigured, let onPolling = try? probe.run({ try PushChannelStore().accountsOnPolling(on: $0).count }) else { return [] }
        return [
            .gauge(
                "calworker_push_accounts_on_polling",
                help: "Active accounts without a healthy push channel for their calendar list and every calendar: polled every five minutes.",
                [([], Double(onPolling))])
        ]
    }
}
