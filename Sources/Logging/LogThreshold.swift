import Synchronization

/// A log level every copy of a logger reads at each record, so a running process can change
/// it (a worker's SIGHUP) without rebuilding the loggers its jobs hold.
public final class LogThreshold: Sendable {
    private let value: Atomic<Int>

    public init(_ level: LogLevel) { value = Atomic(level.rawValue) }

    public var level: LogLevel {
        get { LogLevel(rawValue: value.load(ordering: .relaxed)) ?? .info }
        set { value.store(newValue.rawValue, ordering: .relaxed) }
    }
}
