import Synchronization

/// A value that goes up and down (slots busy, connections open).
public final class Gauge: Sendable {
    private let value = Mutex<Double>(0)

    init() {}

    public func set(_ newValue: Double) { value.withLock { $0 = newValue } }
    public func add(_ amount: Double) { value.withLock { $0 += amount } }
    public var current: Double { value.withLock { $0 } }
}

/// Gauges sharing a name and label names.
public final class GaugeFamily: Sendable {
    public let name: String
    public let help: String
    let table: SeriesTable<Gauge>

    init(name: String, help: String, labelNames: [String], limit: Int) {
        self.name = name
        self.help = help
        self.table = SeriesTable(labelNames: labelNames, limit: limit) { Gauge() }
    }

    public func labels(_ values: String...) -> Gauge { table.cell(values) }

    public func labels(_ values: [String]) -> Gauge { table.cell(values) }

    func snapshot() -> MetricFamilySnapshot {
        MetricFamilySnapshot(
            name: name, help: help, type: .gauge,
            samples: table.all().map { MetricSample(labels: $0.labels, value: $0.cell.current) })
    }
}
