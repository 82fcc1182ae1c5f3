import Synchronization

/// A value that only goes up (jobs finished, bytes written). Prometheus derives rates from it
/// and copes with the reset when the process restarts.
public final class Counter: Sendable {
    private let value = Mutex<Double>(0)

    init() {}

    /// Adds `amount`; negative or non-finite amounts are ignored (a counter never goes down).
    public func increment(by amount: Double = 1) {
        guard amount >= 0, amount.isFinite else { return }
        value.withLock { $0 += amount }
    }

    public var current: Double { value.withLock { $0 } }
}

/// Counters sharing a name and label names, one per combination of label values.
public final class CounterFamily: Sendable {
    public let name: String
    public let help: String
    let table: SeriesTable<Counter>

    init(name: String, help: String, labelNames: [String], limit: Int) {
        self.name = name
        self.help = help
        self.table = SeriesTable(labelNames: labelNames, limit: limit) { Counter() }
    }

    /// The counter for these label values, in the order the family declared its labels.
    /// Keep the result when the same series is hit often.
    public func labels(_ values: String...) -> Counter { table.cell(values) }

    public func labels(_ values: [String]) -> Counter { table.cell(values) }

    func snapshot() -> MetricFamilySnapshot {
        MetricFamilySnapshot(
            name: name, help: help, type: .counter,
            samples: table.all().map { MetricSample(labels: $0.labels, value: $0.cell.current) })
    }
}
