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
    ///
    /// A session that sat in the pool may have died with its server (a restart, a failover, an
    /// idle timeout) without the client knowing: the first statement on it is what finds out.
    /// When a reused session fails that way, the pool drops every idle session and runs `body`
    /// once more on a fresh one, so a database that came back answers the very next request.
    /// (The failed run's transaction did not commit: the connection broke before it could.)
    public func with<T>(wait: Duration = .seconds(10), _ body: (PostgresConnection) throws -> T) throws -> T {
        guard slots.wait(timeout: .now() + .milliseconds(Int(clamping: wait.wholeMilliseconds))) == .success else {
            throw PostgresError(.timedOut, "every database session of \(purpose) stayed busy for \(wait)")
        }
        defer { slots.signal() }
        if let existing = free.withLock({ $0.popLast() }) {
            do {
                if !existing.isConnected { try existing.reconnect() }
                return try run(body, on: existing)
            } catch let error as PostgresError where error.isConnectionProblem && error.kind != .timedOut {
                existing.close()
                for stale in free.withLock({ sessions in
                    defer { sessions.removeAll() }
                    return sessions
                }) { stale.close() }
            }
        }
        let fresh = try PostgresConnection.connect(url, preparedStatements: preparedStatements, timeouts: timeouts)
        return try run(body, on: fresh)
    }

    /// Runs `body` and gives the session back to the pool if it still works.
    private func run<T>(_ body: (PostgresConnection) throws -> T, on session: PostgresConnection) throws -> T {
        defer { if session.isConnected { free.withLock { $0.append(session) } } }
        return try body(session)
    }
}
