import Basics
import Synchronization

/// Observations counted into fixed buckets (durations, sizes), from which Prometheus
/// computes quantiles across every worker with `histogram_quantile`.
public final class Histogram: Sendable {
    struct State {
        /// Per-bucket counts, not cumulative; the exposition accumulates them.
        var counts: [UInt64]
        var sum: Double = 0
        var count: UInt64 = 0
    }

    /// Upper bounds, ascending, without `+Inf` (implied).
    let bounds: [Double]
    private let state: Mutex<State>

    init(bounds: [Double]) {
        self.bounds = bounds
        self.state = Mutex(State(counts: Array(repeating: 0, count: bounds.count)))
    }

    /// Records one observation in the family's base unit (seconds, bytes). NaN is ignored.
    public func observe(_ value: Double) {
        guard !value.isNaN else { return }
        // Buckets are few (about a dozen); a linear scan beats a binary search at that size.
        let index = bounds.firstIndex { value <= $0 }
        state.withLock { state in
            if let index { state.counts[index] += 1 }
            state.sum += value
            state.count += 1
        }
    }

    /// Records a `Duration` in seconds.
    public func observe(_ duration: Duration) {
        observe(duration.seconds)
    }

    var current: State { state.withLock { $0 } }

    /// The sum and count of every observation so far: a benchmark's mean per window.
    public var totals: (sum: Double, count: UInt64) { state.withLock { ($0.sum, $0.count) } }
}

/// Histograms sharing a name, label names and buckets.
public final class HistogramFamily: Sendable {
    public let name: String
    public let help: String
    public let buckets: [Double]
    let table: SeriesTable<Histogram>

    init(name: String, help: String, labelNames: [String], buckets: [Double], limit: Int) {
        self.name = name
        self.help = help
        self.buckets = buckets
        self.table = SeriesTable(labelNames: labelNames, limit: limit) { Histogram(bounds: buckets) }
    }

    public func labels(_ values: String...) -> Histogram { table.cell(values) }

    public func labels(_ values: [String]) -> Histogram { table.cell(values) }

    /// `_bucket` lines are cumulative, ending with `le="+Inf"` equal to `_count`, as the
    /// exposition format requires.
    func snapshot() -> MetricFamilySnapshot {
        var samples: [MetricSample] = []
        for (labels, histogram) in table.all() {
            let state = histogram.current
            var cumulative: UInt64 = 0
            for (bound, count) in zip(buckets, state.counts) {
                cumulative += count
                samples.append(
                    MetricSample(
                        suffix: "_bucket", labels: labels + [MetricLabel("le", PrometheusText.number(bound))],
                        value: Double(cumulative)))
            }
            samples.append(MetricSample(suffix: "_bucket", labels: labels + [MetricLabel("le", "+Inf")], value: Double(state.count)))
            samples.append(MetricSample(suffix: "_sum", labels: labels, value: state.sum))
            samples.append(MetricSample(suffix: "_count", labels: labels, value: Double(state.count)))
        }
        return MetricFamilySnapshot(name: name, help: help, type: .histogram, samples: samples)
    }
}

/// Bucket layouts in base units.
public enum Buckets {
    /// 1 ms to 10 min: job durations, from an empty job to a long sync.
    public static let jobSeconds: [Double] = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600]
    /// 0.5 ms to 10 s: database statements and HTTP requests.
    public static let requestSeconds: [Double] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
    /// 1 ms to 1 h: how long due jobs waited for a worker.
    public static let waitSeconds: [Double] = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600]
}
