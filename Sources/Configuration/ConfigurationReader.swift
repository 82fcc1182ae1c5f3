public import Foundation

/// Reads `CALWORKER_*` variables one at a time, from `NAME_FILE` (a secret's file) or `NAME`,
/// and keeps where each value came from for `calworker config`. Every module's settings type
/// reads its own variables through one reader (`ConfigurationSection`), so the listing holds
/// every variable however many modules there are.
public struct ConfigurationReader {
    let environment: [String: String]
    /// Every variable read so far, in the order read.
    public private(set) var entries: [Configuration.Entry] = []

    /// The process's variables over those of `CALWORKER_ENV_FILE`, the file cron's lines and
    /// systemd's units share.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) throws(ConfigurationError) {
        self.environment = try EnvironmentFile.merged(environment)
    }

    /// A plain value.
    public mutating func string(_ name: String, default fallback: String = "") throws(ConfigurationError) -> String {
        try read(name, default: fallback, secret: false)
    }

    /// A value `calworker config` shows as `****` and no log line carries.
    public mutating func secret(_ name: String) throws(ConfigurationError) -> String {
        try read(name, default: "", secret: true)
    }

    /// A plain value, nil when empty.
    public mutating func optional(_ name: String) throws(ConfigurationError) -> String? {
        let value = try string(name)
        return value.isEmpty ? nil : value
    }

    public mutating func duration(_ name: String, default fallback: Duration, in range: ClosedRange<Duration>) throws(ConfigurationError) -> Duration
    {
        let text = try string(name, default: DurationText.describe(fallback))
        do {
            return try DurationText.parse(text, in: range)
        } catch {
            throw ConfigurationError(name: name, message: error.description)
        }
    }

    public mutating func integer(_ name: String, default fallback: Int, in range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
        let text = try string(name, default: String(fallback))
        guard let value = Int(text), range.contains(value) else {
            throw ConfigurationError(name: name, message: "'\(text)' is not a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    public mutating func choice(_ name: String, default fallback: String, among allowed: [String]) throws(ConfigurationError) -> String {
        let value = try string(name, default: fallback)
        guard allowed.contains(value) else {
            throw ConfigurationError(name: name, message: "'\(value)' is not one of \(allowed.joined(separator: ", "))")
        }
        return value
    }

    /// `on` or `off`.
    public mutating func flag(_ name: String, default fallback: Bool) throws(ConfigurationError) -> Bool {
        try choice(name, default: fallback ? "on" : "off", among: ["on", "off"]) == "on"
    }

    /// An http(s) URL (empty: nil), refused with `example` as what to write instead.
    public mutating func webURL(_ name: String, example: String) throws(ConfigurationError) -> String? {
        guard let value = try optional(name) else { return nil }
        guard value.hasPrefix("https://") || value.hasPrefix("http://") else {
            throw ConfigurationError(name: name, message: "must be an http(s) URL like \(example)")
        }
        return value
    }

    private mutating func read(_ name: String, default fallback: String, secret: Bool) throws(ConfigurationError) -> String {
        if let path = environment[name + "_FILE"], !path.isEmpty {
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                throw ConfigurationError(name: name + "_FILE", message: "cannot read \(path); check the path and its permissions")
            }
            let value = text.trimmingCharacters(in: .whitespacesAndNewlines)
            entries.append(Configuration.Entry(name: name, value: value, source: "file:\(path)", secret: secret))
            return value
        }
        if let value = environment[name] {
            entries.append(Configuration.Entry(name: name, value: value, source: "env", secret: secret))
            return value
        }
        entries.append(Configuration.Entry(name: name, value: fallback, source: "default", secret: secret))
        return fallback
    }
}

/// A module's settings, read from the environment by the module itself: adding a setting
/// touches its settings type's file alone, and `calworker config` still lists it.
public protocol ConfigurationSection: Sendable {
    /// Reads this section's variables; throws naming the first one that cannot be used.
    init(reading reader: inout ConfigurationReader) throws(ConfigurationError)
}
