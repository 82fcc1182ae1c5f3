import Basics
import CLibPQ
import Foundation
import Synchronization

/// A NOTIFY received on a LISTEN channel.
public struct PostgresNotification: Sendable, Equatable {
    public var channel: String
    public var payload: String
    public var senderPID: Int32
}

extension PostgresConnection {
    /// Starts listening on `channel` (an identifier, quoted here; not a parameter because
    /// LISTEN takes none). Only letters, digits and `_` are accepted.
    public func listen(_ channel: String) throws(PostgresError) {
        guard !channel.isEmpty, channel.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
            throw PostgresError(.usage, "invalid channel name \(channel)")
        }
        try execute("LISTEN \"\(channel)\"")
    }

    /// Waits up to `timeout` for notifications and returns those received (possibly none).
    /// Throws `.connectionLost` when the server goes away while waiting.
    public func waitForNotifications(timeout: Duration) throws(PostgresError) -> [PostgresNotification] {
        let outcome: Result<[PostgresNotification], PostgresError> = state.withLock { state in
            guard let handle = state.handle else {
                return .failure(PostgresError(.connectionLost, "the connection is closed"))
            }
            var received = Self.drainNotifications(handle)
            if !received.isEmpty { return .success(received) }
            let socket = PQsocket(handle)
            guard socket >= 0 else { return .failure(PostgresError(.connectionLost, "connection has no socket")) }
            var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
            // Clamped: a caller's timeout beyond poll's Int32 range waits as long as poll can.
            let milliseconds = Int32(clamping: max(0, timeout.wholeMilliseconds))
            let ready = poll(&descriptor, 1, milliseconds)
            if ready > 0 {
                if PQconsumeInput(handle) == 0 || PQstatus(handle) != CONNECTION_OK {
                    return .failure(PostgresError(.connectionLost, Self.lastMessage(handle)))
                }
                received = Self.drainNotifications(handle)
            }
            return .success(received)
        }
        return try outcome.get()
    }

    static func drainNotifications(_ handle: OpaquePointer) -> [PostgresNotification] {
        _ = PQconsumeInput(handle)
        var received: [PostgresNotification] = []
        while let notify = PQnotifies(handle) {
            defer { PQfreemem(notify) }
            received.append(
                PostgresNotification(
                    channel: String(cString: notify.pointee.relname),
                    payload: String(cString: notify.pointee.extra),
                    senderPID: notify.pointee.be_pid))
        }
        return received
    }
}
