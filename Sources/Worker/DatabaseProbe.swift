public import JobQueue
public import Postgres
import Synchronization

/// One connection for health checks and metric scrapes, apart from the worker's own: a scrape
/// never waits behind a claim, and a slow scrape never delays a job.
///
/// Opened on first use with a connect timeout, reopened after the server went away, and
/// used by one caller at a time (scrapes are seconds apart; a second one waits).
public final class DatabaseProbe: Sendable {
    private let url: String
    private let preparedStatements: Bool
    /// The schema readiness checks for.
    public let schema: Migrator
    private let connection = Mutex<PostgresConnection?>(nil)
    /// Short limits: a probe answers within a scrape's or a liveness check's own timeout.
    public let timeouts: PostgresTimeouts

    public init(
        url: String, schema: Migrator, preparedStatements: Bool = true,
        timeouts: PostgresTimeouts = PostgresTimeouts(connect: .seconds(3), statement: .seconds(5), lock: .seconds(2))
    ) {
        self.url = url
        self.schema = schema
        self.preparedStatements = preparedStatements
        var timeouts = timeouts
        timeouts.setOnServer = timeouts.setOnServer && preparedStatements
        self.timeouts = timeouts
    }

    /// Runs `body` on the probe connection. A connection lost since the last use is reopened
    /// and `body` tried once more, so a database restart between scrapes is not a failure.
    public func run<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        try connection.withLock { slot in
            var retried = false
            while true {
                let db: PostgresConnection
                if let existing = slot, existing.isConnected {
                    db = existing
                } else {
                    slot = nil
                    db = try PostgresConnection.connect(url, preparedStatements: preparedStatements, timeouts: timeouts)
                    slot = db
                    retried = true
                }
                do {
                    return try body(db)
                } catch let error as PostgresError where error.isConnectionProblem && !retried {
                    slot = nil
                    retried = true
                }
            }
        }
    }

    /// Whether the database answers and has the schema this build needs; the reason if not.
    public func readiness() -> (ready: Bool, reason: String) {
        do {
            let status = try run { try schema.status(on: $0) }
            return status.isCurrent ? (true, "database reachable, schema current") : (false, status.explanation)
        } catch {
            return (false, "database unreachable: \(error)")
        }
    }
}
