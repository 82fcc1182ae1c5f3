import CalendarSync
import Configuration
import Jobs
import Postgres
import Push
import PushReceiver

extension CommandContext {
    /// The push receiver of this configuration: at the path of CALWORKER_PUSH_URL (or
    /// `/push/google` without one, so stray notifications still get an answer), with a few
    /// database sessions of its own.
    func pushReceiver() -> PushReceiver {
        let push = registryEnvironment.push
        let pool = ConnectionPool(
            url: configuration.databaseURL, size: 4, preparedStatements: configuration.usesPreparedStatements,
            timeouts: databaseTimeouts)
        return PushReceiver(
            path: push?.receiverPath ?? "/push/google", pool: pool,
            coalesceDelay: push?.coalesceDelay ?? PushSettings(address: "").coalesceDelay,
            metrics: metrics, logger: logger)
    }
}
