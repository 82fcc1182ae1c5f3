public import Foundation
import Synchronization

/// Slows down repeated failed logins from one client: after `free` failures each further one
/// doubles the wait before the next attempt is even checked, up to `maxDelay`; a success
/// clears it. Bounded: the oldest clients are forgotten past `capacity`.
public final class LoginThrottle: Sendable {
    public let free: Int
    public let maxDelay: TimeInterval
    public let capacity: Int

    private struct Record {
        var failures: Int
        var last: Date
    }
    private let records = Mutex<[String: Record]>([:])

    public init(free: Int = 3, maxDelay: TimeInterval = 60, capacity: Int = 10_000) {
        self.free = free
        self.maxDelay = maxDelay
        self.capacity = capacity
    }

    /// Seconds `client` must still wait before a login is checked; 0 when it may try now.
    public func wait(for client: String, now: Date = Date()) -> TimeInterval {
        records.withLock { records in
            guard let record = records[client], record.failures >= free else { return 0 }
            return max(0, record.last.addingTimeInterval(delay(after: record.failures)).timeIntervalSince(now))
        }
    }

    /// The wait that follows `failures` failed attempts.
    public func delay(after failures: Int) -> TimeInterval {
        guard failures >= free else { return 0 }
        return min(maxDelay, pow(2, Double(min(failures - free, 30))))
    }

    public func recordFailure(for client: String, now: Date = Date()) {
        records.withLock { records in
            if records[client] == nil, records.count >= capacity,
                let oldest = records.min(by: { $0.value.last < $1.value.last })?.key
            {
                records[oldest] = nil
            }
            records[client, default: Record(failures: 0, last: now)].failures += 1
            records[client]?.last = now
        }
    }

    public func recordSuccess(for client: String) {
        records.withLock { _ = $0.removeValue(forKey: client) }
    }
}
