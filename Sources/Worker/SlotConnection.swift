import Postgres
import Synchronization

/// A slot's own database connection for its handlers: opened on first use, kept for the
/// slot's next jobs, reopened when the server went away.
final class SlotConnection: Sendable {
    private let url: String
    private let preparedStatements: Bool
    private let timeouts: PostgresTimeouts
    private let connection = Mutex<PostgresConnection?>(nil)

    init(url: String, preparedStatements: Bool, timeouts: PostgresTimeouts) {
        self.url = url
        self.preparedStatements = preparedStatements
        self.timeouts = timeouts
    }

    /// Times this slot's connection was re-established.
    var reconnectCount: Int { connection.withLock { $0?.reconnectCount ?? 0 } }

    func get() throws -> PostgresConnection {
        try connection.withLock { slot in
            if let existing = slot {
                if existing.isConnected { return existing }
                try existing.reconnect()
                return existing
            }
            let fresh = try PostgresConnection.connect(url, preparedStatements: preparedStatements, timeouts: timeouts)
            slot = fresh
            return fresh
        }
    }
}
