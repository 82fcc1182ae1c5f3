import Basics
import Dispatch
import Synchronization

/// A few database sessions shared by a server's handler threads (the push receiver, the
/// console): a request borrows one for its statements and gives it back. Sessions open on
/// first use and reopen after the server went away.
public final class ConnectionPool: Sendable {
    private let url: String
    private let preparedStatements: Bool
    private let timeouts: PostgresTimeouts
    private let free = Mutex<[PostgresConnection]>([])
    private let slots: DispatchSemaphore
    public let size: Int

    /// What the sessions serve, for the message when none is free.
    private let purpose: String

    public init(
        url: String, size: Int = 4, preparedStatements: Bool = true, timeouts: PostgresTimeouts = PostgresTimeouts(),
        purpose: String = "the push receiver"
    ) {
        self.purpose = purpose
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
            throw PostgresError(.timedOut, "every database session of \(purpose) stayed busy for \(wait)")
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
