import Foundation

extension Configuration {
    /// Reads one variable at a time, from `NAME_FILE` (a secret's file) or `NAME`, and keeps
    /// where each value came from for `calworker config`.
    struct Reader {
        let environment: [String: String]
        var entries: [Entry] = []

        mutating func string(_ name: String, default fallback: String, secret: Bool? = nil) throws(ConfigurationError) -> String {
            let isSecret = secret ?? Configuration.secretNames.contains(name)
            if let path = environment[name + "_FILE"], !path.isEmpty {
                guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                    throw ConfigurationError(name: name + "_FILE", message: "cannot read \(path); check the path and its permissions")
                }
                let value = text.trimmingCharacters(in: .whitespacesAndNewlines)
                entries.append(Entry(name: name, value: value, source: "file:\(path)", secret: isSecret))
                return value
            }
            if let value = environment[name] {
                entries.append(Entry(name: name, value: value, source: "env", secret: isSecret))
                return value
            }
            entries.append(Entry(name: name, value: fallback, source: "default", secret: isSecret))
            return fallback
        }

        mutating func duration(_ name: String, default fallback: Duration, in range: ClosedRange<Duration>) throws(ConfigurationError) -> Duration {
            let text = try string(name, default: DurationText.describe(fallback), secret: false)
            do {
                return try DurationText.parse(text, in: range)
            } catch {
                throw ConfigurationError(name: name, message: error.description)
            }
        }

        mutating func integer(_ name: String, default fallback: Int, in range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
            let text = try string(name, default: String(fallback), secret: false)
            guard let value = Int(text), range.contains(value) else {
                throw ConfigurationError(name: name, message: "'\(text)' is not a whole number from \(range.lowerBound) to \(range.upperBound)")
            }
            return value
        }

        mutating func choice(_ name: String, default fallback: String, among allowed: [String]) throws(ConfigurationError) -> String {
            let value = try string(name, default: fallback, secret: false)
            guard allowed.contains(value) else {
                throw ConfigurationError(name: name, message: "'\(value)' is not one of \(allowed.joined(separator: ", "))")
            }
            return value
        }
    }
}
