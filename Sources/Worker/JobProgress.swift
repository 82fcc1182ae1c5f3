import Logging
import Synchronization

/// Logs a long job's progress (pages fetched, events written) at most once per interval, so
/// a handler can call `report` in its inner loop and operators still see a line every few
/// seconds, not one per page.
public final class JobProgress: Sendable {
    private let logger: Logger
    private let interval: Duration
    private let lastLogged: Mutex<ContinuousClock.Instant>

    init(logger: Logger, interval: Duration) {
        self.logger = logger
        self.interval = interval
        self.lastLogged = Mutex(ContinuousClock.now)
    }

    /// Logs "job progress" with `figures` if `interval` has passed since the last line (or
    /// since the job started). Cheap otherwise: one clock read and an uncontended lock.
    public func report(_ figures: @autoclosure () -> [String: String]) {
        let now = ContinuousClock.now
        let due = lastLogged.withLock { last in
            guard now - last >= interval else { return false }
            last = now
            return true
        }
        if due { logger.info("job progress", figures()) }
    }
}
