import Basics
import Dispatch
public import Postgres
import Synchronization

/// A few database sessions shared by the receiver's handler threads: a notification borrows
/// one for its transaction (about a millisecond) and gives it back. Sessions open on first
/// use and reopen after the server went away.
public final class ConnectionPool: Sendable {
    private let url: String
    private let preparedStatements: Bool
    private let timeouts: PostgresTimeouts
    private let free = Mutex<[PostgresConnection]>([])
    private let slots: DispatchSemaphore
    public let size: Int

    public init(url: String, size: Int = 4, preparedStatements: Bool = true, timeouts: PostgresTimeouts = PostgresTimeouts()) {
        self.url = url
        self.preparedStatements = preparedStatements
        self.size = max(1, size)
        self.timeouts = timeouts
        self.slots = DispatchSemaphore(value: max(1, size))
    }

    /// Runs `body` with a session; waits up to `wait` for one to be free, and throws a
    /// connection problem when none was (or none could be opened).
    public func with<T>(wait: Duration = .seconds(10), _ body: (PostgresConnection) throws -> T) throws -> T {
        guard slots.wait(timeout: .now() + .milliseconds(Int(clamping: wait.wholeMilliseconds))) == .success else {
            throw PostgresError(.timedOut, "every database session of the push receiver stayed busy for \(wait)")
        }
        defer { slots.signal() }
        let session: PostgresConnection
        if let existing = free.withLock({ $0.popLast() }) {
            if !existing.isConnected { try existing.reconnect() }
            session = existing
        } else {
            session = try PostgresConnection.connect(url, preparedStatements: preparedStatements, timeouts: timeouts)
        }
        defer { if session.isConnected { free.withLock { $0.append(session) } } }
        return try body(session)
    }
}
