/// Prometheus' text exposition format, version 0.0.4, as documented at
/// prometheus.io/docs/instrumenting/exposition_formats: `# HELP` and `# TYPE` once per
/// family, before its samples; label values with `\`, `"` and newlines escaped; HELP text with
/// `\` and newlines escaped; `+Inf`, `-Inf` and `NaN` spelled as Go's parser expects.
public enum PrometheusText {
    /// The `Content-Type` a scraper expects for this format.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    public static func render(_ families: [MetricFamilySnapshot]) -> String {
        var out = ""
        for family in families {
            out += "# HELP \(family.name) \(escapeHelp(family.help))\n"
            out += "# TYPE \(family.name) \(family.type.rawValue)\n"
            for sample in family.samples {
                out += family.name + sample.suffix
                if !sample.labels.isEmpty {
                    out += "{"
                    out += sample.labels.map { "\($0.name)=\"\(escapeLabelValue($0.value))\"" }.joined(separator: ",")
                    out += "}"
                }
                out += " " + number(sample.value) + "\n"
            }
        }
        return out
    }

    /// Integers without a fraction (`3`, not `3.0`); others in Swift's shortest round-trip
    /// form, which Go's `ParseFloat` reads back exactly.
    public static func number(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value == .infinity { return "+Inf" }
        if value == -.infinity { return "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }

    /// Works on Unicode scalars, not Characters: "\r\n" is one Character in Swift and would
    /// slip past a comparison with "\n".
    static func escapeLabelValue(_ text: String) -> String {
        escape(text, quotes: true)
    }

    static func escapeHelp(_ text: String) -> String {
        escape(text, quotes: false)
    }

    private static func escape(_ text: String, quotes: Bool) -> String {
        guard text.unicodeScalars.contains(where: { $0 == "\\" || $0 == "\n" || (quotes && $0 == "\"") }) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out.append(contentsOf: "\\\\".unicodeScalars)
            case "\n": out.append(contentsOf: "\\n".unicodeScalars)
            case "\"" where quotes: out.append(contentsOf: "\\\"".unicodeScalars)
            default: out.append(scalar)
            }
        }
        return String(out)
    }
}
