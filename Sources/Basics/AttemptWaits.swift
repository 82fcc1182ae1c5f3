import Foundation

/// How code inside a job's attempt waits before trying something again (a server's
/// `Retry-After`, its own backoff, a request budget): briefly, and never past the attempt's
/// deadline. A longer wait is not slept. The attempt ends instead, with an error whose
/// `requestedWait` says how long, and the worker snoozes the job for that long without spending
/// an attempt. One slow or hostile upstream then cannot hold a worker's slots.
///
/// The deadline is a task-local that the worker binds around each attempt, so every client sees
/// it without it being passed through each call. Code that hands an attempt's work to threads
/// of its own reads `deadline` where it hands the work over and binds it again on the new thread
/// (`AttemptWaits.$deadline.withValue(captured) { ... }`). Outside an attempt (a command) there
/// is no deadline and only `longestSleep` applies.
public enum AttemptWaits {
    /// When the running attempt's timeout ends; nil outside an attempt.
    @TaskLocal public static var deadline: ContinuousClock.Instant?

    /// The longest a client sleeps inside an attempt. Google's own backoff (0.5 s doubling, five
    /// attempts) stays under it; a server asking for more gets a snooze.
    public static let longestSleep: Duration = .seconds(5)

    /// Time left at the end of an attempt for what follows a wait (the request itself, recording
    /// the outcome): a wait that would reach into it is not slept.
    public static let reserve: Duration = .seconds(2)

    /// What to do about a wait.
    public enum Decision: Sendable, Equatable {
        /// Sleep this long, then try again within the attempt.
        case sleep(Duration)
        /// Longer than `longestSleep`: do not sleep; end the attempt and come back after this
        /// long (a snooze, which spends no attempt).
        case later(Duration)
        /// Short, but the attempt's deadline comes first: do not try again in this attempt; its
        /// last outcome stands (a failure, retried with the queue's backoff).
        case noTime
    }

    /// Whether `wait` may be slept now: no longer than `longestSleep`, and ending `reserve`
    /// before the deadline. A negative wait is none.
    ///
    /// Only a long wait becomes a snooze: one cut short by the deadline fails the attempt
    /// instead, so a server answering `Retry-After: 1` to a job with a short timeout spends the
    /// job's attempts rather than snoozing it again every second.
    public static func decide(_ wait: Duration, now: ContinuousClock.Instant = .now) -> Decision {
        let wait = max(.zero, wait)
        if wait > longestSleep { return .later(wait) }
        if let deadline, now + wait + reserve > deadline { return .noTime }
        return .sleep(wait)
    }

    /// Sleeps `wait` in steps of at most 50 ms, so a stop is noticed at once. Returns false
    /// when `shouldAbort` said stop.
    public static func sleep(_ wait: Duration, shouldAbort: (() -> Bool)? = nil) -> Bool {
        let end = ContinuousClock.now + max(.zero, wait)
        while ContinuousClock.now < end {
            if shouldAbort?() == true { return false }
            Thread.sleep(forTimeInterval: min(0.05, max(0, (end - ContinuousClock.now).seconds)))
        }
        return shouldAbort?() != true
    }

    /// The wait in whole seconds for messages (`3600 s`), at least 1.
    public static func describe(_ wait: Duration) -> String {
        "\(Int(min(1e9, max(1, wait.seconds.rounded(.up))))) s"
    }
}
