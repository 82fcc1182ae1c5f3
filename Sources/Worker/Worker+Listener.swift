import Foundation
import JobQueue
import Logging
import Postgres

extension Worker {
    /// Holds a LISTEN connection and wakes the producer when a job for one of our queues is
    /// enqueued. After a reconnect it also wakes the producer, since NOTIFYs sent while the
    /// connection was down are lost; polling covers the rest.
    func listenerLoop(_ db: PostgresConnection, stop: WaitQueue<Bool>) {
        let served = Set(options.queues)
        var listening = false
        var delay = 0.05
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
                let notifications = try db.waitForNotifications(timeout: .milliseconds(250))
                if notifications.contains(where: { served.contains($0.payload) }) { wake() }
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
