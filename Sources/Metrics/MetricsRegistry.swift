import Synchronization

/// Every metric a process exports, and the collectors that compute more at scrape time.
///
/// Registering a name twice with the same type and labels returns the same family, so two
/// parts of the program (two HTTP clients for the same service) share their series. The
/// same name with another type or other labels is a programming error and stops the process
/// at start-up, where a test sees it.
public final class MetricsRegistry: Sendable {
    enum Family: Sendable {
        case counter(CounterFamily)
        case gauge(GaugeFamily)
        case histogram(HistogramFamily)

        var labelNames: [String] {
            switch self {
            case .counter(let family): family.table.labelNames
            case .gauge(let family): family.table.labelNames
            case .histogram(let family): family.table.labelNames
            }
        }

        func snapshot() -> MetricFamilySnapshot {
            switch self {
            case .counter(let family): family.snapshot()
            case .gauge(let family): family.snapshot()
            case .histogram(let family): family.snapshot()
            }
        }
    }

    /// Reads figures owned elsewhere (the queue's depth from the database) when the metrics
    /// are rendered. A collector that fails returns what it can and reports the failure in
    /// its own families; it must not throw.
    public typealias Collector = @Sendable () -> [MetricFamilySnapshot]

    /// Most series one family may hold; see `SeriesTable`.
    public let seriesLimit: Int
    private let families = Mutex<[String: Family]>([:])
    private let collectors = Mutex<[Collector]>([])

    public init(seriesLimit: Int = 1000) {
        self.seriesLimit = seriesLimit
    }

    /// A counter family. The name must end in `_total`, as Prometheus' conventions ask.
    public func counter(_ name: String, help: String, labels: [String] = []) -> CounterFamily {
        precondition(name.hasSuffix("_total"), "counter \(name) must end in _total")
        let family = register(name, labels: labels) {
            .counter(CounterFamily(name: name, help: help, labelNames: labels, limit: seriesLimit))
        }
        guard case .counter(let counter) = family else { preconditionFailure("\(name) is already registered as another type") }
        return counter
    }

    public func gauge(_ name: String, help: String, labels: [String] = []) -> GaugeFamily {
        let family = register(name, labels: labels) {
            .gauge(GaugeFamily(name: name, help: help, labelNames: labels, limit: seriesLimit))
        }
        guard case .gauge(let gauge) = family else { preconditionFailure("\(name) is already registered as another type") }
        return gauge
    }

    /// A histogram family; `buckets` are upper bounds in the base unit, ascending.
    public func histogram(_ name: String, help: String, labels: [String] = [], buckets: [Double]) -> HistogramFamily {
        precondition(
            !buckets.isEmpty && zip(buckets, buckets.dropFirst()).allSatisfy { $0 < $1 },
            "histogram \(name) needs ascending buckets")
        precondition(!labels.contains("le"), "histogram \(name) may not use the label name le")
        let family = register(name, labels: labels) {
            .histogram(HistogramFamily(name: name, help: help, labelNames: labels, buckets: buckets, limit: seriesLimit))
        }
        guard case .histogram(let histogram) = family else { preconditionFailure("\(name) is already registered as another type") }
        return histogram
    }

    public func addCollector(_ collector: @escaping Collector) {
        collectors.withLock { $0.append(collector) }
    }

    /// Every family, ours and the collectors', sorted by name. A collector's family with a
    /// name we already export is dropped (a family may appear only once in an exposition).
    public func snapshot() -> [MetricFamilySnapshot] {
        let own = families.withLock { Array($0.values) }.map { $0.snapshot() }
        var byName = Dictionary(own.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        for collector in collectors.withLock({ $0 }) {
            for family in collector() where byName[family.name] == nil {
                byName[family.name] = family
            }
        }
        return byName.values.sorted { $0.name < $1.name }
    }

    /// The Prometheus text exposition of everything.
    public func render() -> String { PrometheusText.render(snapshot()) }

    private func register(_ name: String, labels: [String], make: () -> Family) -> Family {
        precondition(MetricName.isValidMetric(name), "invalid metric name \(name)")
        for label in labels { precondition(MetricName.isValidLabel(label), "invalid label name \(label) on \(name)") }
        precondition(Set(labels).count == labels.count, "duplicate label names on \(name)")
        return families.withLock { families in
            if let existing = families[name] {
                precondition(existing.labelNames == labels, "\(name) is already registered with labels \(existing.labelNames)")
                return existing
            }
            let family = make()
            families[name] = family
            return family
        }
    }
}
