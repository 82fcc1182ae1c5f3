/// The three kinds of metric Prometheus' text format 0.0.4 knows that we use.
public enum MetricType: String, Sendable, Codable {
    case counter, gauge, histogram
}

/// One line of a family: an optional suffix (`_bucket`, `_sum`, `_count` for histograms),
/// its labels in order, and a value.
public struct MetricSample: Sendable, Equatable, Codable {
    public var suffix: String
    public var labels: [MetricLabel]
    public var value: Double

    public init(suffix: String = "", labels: [MetricLabel] = [], value: Double) {
        self.suffix = suffix
        self.labels = labels
        self.value = value
    }
}

/// A label name and value.
public struct MetricLabel: Sendable, Equatable, Codable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// A metric family as it stands at one moment: what `PrometheusText` renders, and what
/// collectors that read their figures from elsewhere (the database) return.
public struct MetricFamilySnapshot: Sendable, Equatable, Codable {
    public var name: String
    public var help: String
    public var type: MetricType
    public var samples: [MetricSample]

    public init(name: String, help: String, type: MetricType, samples: [MetricSample]) {
        self.name = name
        self.help = help
        self.type = type
        self.samples = samples
    }

    /// A gauge family from (labels, value) pairs, for collectors.
    public static func gauge(_ name: String, help: String, _ values: [([MetricLabel], Double)]) -> MetricFamilySnapshot {
        MetricFamilySnapshot(
            name: name, help: help, type: .gauge,
            samples: values.map { MetricSample(labels: $0.0, value: $0.1) })
    }
}
