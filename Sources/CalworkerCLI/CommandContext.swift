import Configuration
import Foundation
import JobQueue
import Jobs
import Logging
import Metrics
import Postgres
import Worker

/// What a command gets: configuration, output, a logger, and a way to the database.
final class CommandContext: Sendable {
    let configuration: Configuration
    let output: Output
    let logger: Logger
    let json: Bool
    let registry: HandlerRegistry
    /// This process's metrics: what `work` serves, writes or pushes.
    let metrics = MetricsRegistry()

    init(configuration: Configuration, output: Output, logger: Logger, json: Bool) {
        self.configuration = configuration
        self.output = output
        self.logger = logger
        self.json = json
        self.registry = JobKinds.registry()
    }

    var queue: JobQueue {
        JobQueue(lease: configuration.lease, backoff: RetryBackoff(base: configuration.retryBase, cap: configuration.retryCap))
    }

    /// Connects, translating failure into exit code 3 with what to check.
    func connect() throws(CLIError) -> PostgresConnection {
        do {
            return try PostgresConnection.connect(configuration.databaseURL,
                                                  preparedStatements: configuration.usesPreparedStatements)
        } catch {
            throw CLIError(.unavailable, "cannot reach PostgreSQL: \(error.message)",
                           hint: "set CALWORKER_DATABASE_URL (now: '\(Configuration.maskPassword(in: configuration.databaseURL))') and check the server is up")
        }
    }

    /// Connects and checks the schema is the one this build knows (exit code 4 otherwise).
    func connectCurrent() throws(CLIError) -> PostgresConnection {
        let db = try connect()
        do {
            let status = try Migrator().status(on: db)
            guard status.isCurrent else { throw CLIError(.schema, status.explanation) }
        } catch let error as CLIError {
            throw error
        } catch {
            throw CLIError(.unavailable, "cannot read the schema version: \(error)")
        }
        return db
    }

    /// Prints a value as JSON, or hands over to the table printer.
    func emit<T: Encodable>(_ value: T, table: () -> String) {
        output.out(json ? JSONOutput.encode(value) : table())
    }
}
