/// Reads samples back out of a Prometheus text exposition, for assertions. Deliberately
/// simple (no escapes in our test label values); `promtool` checks the format itself.
public struct ExpositionSamples {
    public struct Sample {
        public var name: String
        public var labels: [String: String]
        public var value: Double
    }

    public let samples: [Sample]

    public init(_ text: String) {
        samples = text.split(separator: "\n").compactMap { line -> Sample? in
            guard !line.hasPrefix("#"), let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else {
                return nil
            }
            let series = line[..<space]
            guard let brace = series.firstIndex(of: "{") else { return Sample(name: String(series), labels: [:], value: value) }
            var labels: [String: String] = [:]
            for pair in series[series.index(after: brace)..<series.index(before: series.endIndex)].split(separator: ",") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                if parts.count == 2 { labels[String(parts[0])] = String(parts[1].dropFirst().dropLast()) }
            }
            return Sample(name: String(series[..<brace]), labels: labels, value: value)
        }
    }

    /// The sum over samples named `name` whose labels include `matching`; nil if there is none.
    public func value(_ name: String, _ matching: [String: String] = [:]) -> Double? {
        let found = samples.filter { sample in sample.name == name && matching.allSatisfy { sample.labels[$0.key] == $0.value } }
        return found.isEmpty ? nil : found.reduce(0) { $0 + $1.value }
    }
}
