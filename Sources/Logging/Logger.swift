import Redaction

/// A logger value: a threshold, fixed metadata, and a handler.
///
/// Messages are fixed strings; the variable parts go in metadata under stable keys
/// (`job_id`, `kind`, `attempt`, `account_id`, `duration_ms`, `error`) so that logs can be
/// searched and so that no secret is ever interpolated into a message by accident.
public struct Logger: Sendable {
    /// The threshold when no shared `threshold` is set.
    public var level: LogLevel
    public var metadata: [String: String]
    public let handler: any LogHandler
    /// When set, the threshold of this logger and every copy of it, changeable while they run.
    public var threshold: LogThreshold?

    public init(
        level: LogLevel = .info, metadata: [String: String] = [:], handler: any LogHandler = JSONLinesLogHandler(),
        threshold: LogThreshold? = nil
    ) {
        self.level = level
        self.metadata = metadata
        self.handler = handler
        self.threshold = threshold
    }

    /// The level records must reach to be written now.
    public var effectiveLevel: LogLevel { threshold?.level ?? level }

    /// A copy with extra metadata, e.g. a job's id for everything logged while it runs.
    public func with(_ extra: [String: String]) -> Logger {
        var copy = self
        copy.metadata.merge(extra) { _, new in new }
        return copy
    }

    /// Logs a record. Message and metadata are cleaned of secrets first (`Redactor`): values
    /// often carry an upstream's error text, which can echo a token or a password.
    public func log(_ level: LogLevel, _ message: @autoclosure () -> String, _ extra: [String: String] = [:]) {
        guard level >= effectiveLevel else { return }
        let merged = extra.isEmpty ? metadata : metadata.merging(extra) { _, new in new }
        handler.log(level: level, message: Redactor.clean(message()), metadata: merged.mapValues(Redactor.clean))
    }

    public func debug(_ message: @autoclosure () -> String, _ extra: [String: String] = [:]) { log(.debug, message(), extra) }
    public func info(_ message: @autoclosure () -> String, _ extra: [String: String] = [:]) { log(.info, message(), extra) }
    public func notice(_ message: @autoclosure () -> String, _ extra: [String: String] = [:]) { log(.notice, message(), extra) }
    public func warning(_ message: @autoclosure () -> String, _ extra: [String: String] = [:]) { log(.warning, message(), extra) }
    public func error(_ message: @autoclosure () -> String, _ extra: [String: String] = [:]) { log(.error, message(), extra) }

    /// A logger that drops everything.
    public static let disabled = Logger(level: .error, handler: NullLogHandler())
}
