import Foundation
import JobQueue
import Logging
import Postgres

extension Worker {
    /// Holds a LISTEN connection and wakes the producer when a job for one of our queues is
    /// enqueued, or, for a job enqueued to start within a minute (`queue@EPOCH`, a push
    /// notification's short delay), when it comes due: then it starts at once instead of at
    /// the next poll. After a reconnect it also wakes the producer, since NOTIFYs sent while
    /// the connection was down are lost; polling covers the rest.
    func listenerLoop(_ db: PostgresConnection, stop: WaitQueue<Bool>) {
        let served = Set(options.queues)
        var listening = false
        var delay = 0.05
        var dueSoon = ScheduledWakes()
        while !stop.isClosedAndEmpty {
            do {
                if !listening {
                    if !db.isConnected { try db.reconnect() }
                    try db.listen(JobQueue.notifyChannel)
                    if delay > 0.05 { logger.notice("listening for job notifications again") }
                    listening = true
                    delay = 0.05
                    wake()
                }
                let notifications = try db.waitForNotifications(timeout: dueSoon.timeout(atMost: .milliseconds(250)))
                if notifications.contains(where: { served.contains($0.payload) }) { wake() }
                for notification in notifications { dueSoon.add(notification.payload, served: served) }
                if dueSoon.takeDue() { wake() }
            } catch {
                listening = false
                logger.warning("lost the LISTEN connection; polling until it is back", ["error": "\(error)"])
                _ = stop.takeBatch(limit: 1, timeout: .milliseconds(Int64(delay * 1000)))
                delay = min(delay * 2, 2)
                if db.isConnected { _ = try? db.reconnect() }
            }
        }
    }
}

/// Start times announced by `queue@EPOCH` notifications (jobs due within a minute), kept by
/// the listener so it can wake the producer when each comes due.
struct ScheduledWakes {
    private var instants: [ContinuousClock.Instant] = []

    /// Notes a `queue@EPOCH` payload for one of the served queues; ignores anything else.
    mutating func add(_ payload: String, served: Set<String>) {
        guard let at = payload.lastIndex(of: "@"), served.contains(String(payload[..<at])),
            let epoch = Double(payload[payload.index(after: at)...]), epoch.isFinite
        else { return }
        // At most a minute ahead, as the trigger sends; a skewed clock cannot park a wake-up.
        let seconds = min(60, max(0, epoch - Date().timeIntervalSince1970))
        let due = ContinuousClock.now + .milliseconds(Int64((seconds * 1000).rounded(.up)))
        // A little after the start time (the payload is rounded to milliseconds, and a claim a
        // hair early finds nothing), and once more later for a clock a little behind the
        // database's; anything further off is left to polling.
        instants.append(due + .milliseconds(5))
        instants.append(due + .milliseconds(250))
        if instants.count > 1000 { instants.removeFirst(instants.count - 1000) }
    }

    /// How long to wait for notifications: until the next start time, at most `limit`.
    func timeout(atMost limit: Duration) -> Duration {
        guard let next = instants.min() else { return limit }
        return max(.zero, min(limit, next - .now))
    }

    /// Whether a start time has come (and forgets those that have).
    mutating func takeDue() -> Bool {
        let now = ContinuousClock.now
        let before = instants.count
        instants.removeAll { $0 <= now }
        return instants.count < before
    }
}
