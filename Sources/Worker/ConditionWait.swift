import Basics
import Foundation

extension NSCondition {
    /// Waits (locked) until signalled or `deadline` passes; true if woken before the deadline.
    ///
    /// Foundation turns the date into nanoseconds, which overflowed and crashed the process
    /// for a deadline thousands of years ahead (a lease of a billion days gave one): this never
    /// hands it a date more than an hour away, and waits again when an hour was not enough.
    func waitBounded(until deadline: Date) -> Bool {
        while true {
            let step = min(deadline, Date().addingTimeInterval(3600))
            if wait(until: step) { return true }
            if Date() >= deadline { return false }
        }
    }
}

extension Date {
    /// `timeout` from now; any `Duration` gives a date (one past the year 4000 is as good as never).
    static func after(_ timeout: Duration) -> Date {
        Date().addingTimeInterval(min(max(0, timeout.seconds), 1e11))
    }
}
