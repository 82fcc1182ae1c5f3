import Synchronization

/// The series of one family, keyed by label values, with a ceiling on how many there may be.
///
/// Labels are meant to be bounded (job kind, outcome, status class), never ids; the ceiling is
/// the safety net for a mistake. Past it, new label combinations share one series whose every
/// label value is `overflow`, so memory stays bounded and the mistake is visible in the output.
final class SeriesTable<Cell: AnyObject & Sendable>: Sendable {
    static var overflowValue: String { "overflow" }

    let labelNames: [String]
    let limit: Int
    private let make: @Sendable () -> Cell
    private let series: Mutex<[[String]: Cell]>

    init(labelNames: [String], limit: Int, make: @escaping @Sendable () -> Cell) {
        self.labelNames = labelNames
        self.limit = max(1, limit)
        self.make = make
        // A family without labels has its one series from the start, so it is exported as 0
        // before anything happens (Prometheus' advice: avoid missing metrics).
        self.series = Mutex(labelNames.isEmpty ? [[]: make()] : [:])
    }

    func cell(_ values: [String]) -> Cell {
        precondition(
            values.count == labelNames.count,
            "metric expects labels \(labelNames), got \(values.count) values")
        return series.withLock { table in
            if let existing = table[values] { return existing }
            let key = table.count < limit ? values : Array(repeating: Self.overflowValue, count: values.count)
            if let existing = table[key] { return existing }
            let fresh = make()
            table[key] = fresh
            return fresh
        }
    }

    /// Every series, sorted by label values so the output is stable between scrapes.
    func all() -> [(labels: [MetricLabel], cell: Cell)] {
        let entries = series.withLock { Array($0) }
        return entries.sorted { $0.key.lexicographicallyPrecedes($1.key) }.map { entry in
            (zip(labelNames, entry.key).map { MetricLabel($0, $1) }, entry.value)
        }
    }
}
