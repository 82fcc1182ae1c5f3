import Foundation
import Logging
import Postgres

/// Runs a database step, reconnecting with backoff while the server is away.
///
/// Connection problems and transient errors (deadlocks, serialization failures) are retried
/// until `giveUp` says stop; statement errors are thrown at
/// once (retrying a bad statement does not help). Steps must be safe to repeat: a statement
/// whose reply was lost may have committed.
enum Reconnect {
    static func run<T>(
        _ db: PostgresConnection, what: String, logger: Logger,
        giveUp: () -> Bool, onReconnect: () -> Void = {}, _ step: () throws -> T
    ) throws -> T {
        var delay = 0.05
        var broken = !db.isConnected
        while true {
            do {
                if broken {
                    try db.reconnect()
                    broken = false
                    onReconnect()
                    logger.notice("reconnected to PostgreSQL", ["step": what])
                }
                return try step()
            } catch let error as PostgresError where error.isConnectionProblem || error.isTransient {
                broken = error.isConnectionProblem
                if giveUp() { throw error }
                logger.warning(
                    "database unavailable, retrying",
                    [
                        "step": what, "error": error.description,
                        "retry_in_ms": String(Int(delay * 1000)),
                    ])
                Thread.sleep(forTimeInterval: delay)
                delay = min(delay * 2, 2)
            }
        }
    }
}
