import Basics
import CLibPQ
import Foundation

extension PostgresConnection {
    /// One request and its answer on a non-blocking session: `send` queues it (a `PQsend*`
    /// call), then the output is flushed and every result collected, each wait bounded by
    /// `limit`. Returns the rows of the last result, or throws the first error the server
    /// sent. libpq's blocking calls wait without end, which hung every command against a
    /// server that accepted the connection and never answered.
    static func exchange(
        _ handle: OpaquePointer, limit: Duration?,
        send: (OpaquePointer) -> Int32
    ) throws(PostgresError) -> PostgresRows {
        let deadline = limit.map { ContinuousClock.now + $0 }
        guard send(handle) == 1 else { throw connectionError(handle, fallback: "could not send the statement") }
        var kept: OpaquePointer?
        do throws(PostgresError) {
            try flush(handle, deadline: deadline, limit: limit)
            while true {
                while PQisBusy(handle) == 1 {
                    _ = try wait(handle, events: Int16(POLLIN), deadline: deadline, limit: limit)
                    guard PQconsumeInput(handle) == 1 else { throw connectionError(handle, fallback: "the connection broke") }
                }
                guard let result = PQgetResult(handle) else { break }
                // The first error wins; otherwise the last result is the answer.
                if let previous = kept, !isSuccess(previous) {
                    PQclear(result)
                } else {
                    if let previous = kept { PQclear(previous) }
                    kept = result
                }
            }
        } catch {
            if let kept { PQclear(kept) }
            throw error
        }
        return try consume(kept, handle: handle)
    }

    static func isSuccess(_ result: OpaquePointer) -> Bool {
        let status = PQresultStatus(result)
        return status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY
    }

    /// Sends what libpq has queued, reading meanwhile so a server that answers while we send
    /// cannot deadlock us (libpq's documented pattern for non-blocking mode).
    private static func flush(_ handle: OpaquePointer, deadline: ContinuousClock.Instant?, limit: Duration?) throws(PostgresError) {
        while true {
            let pending = PQflush(handle)
            if pending == 0 { return }
            if pending < 0 { throw connectionError(handle, fallback: "could not send the statement") }
            let ready = try wait(handle, events: Int16(POLLIN | POLLOUT), deadline: deadline, limit: limit)
            if ready & Int16(POLLIN) != 0, PQconsumeInput(handle) == 0 {
                throw connectionError(handle, fallback: "the connection broke")
            }
        }
    }

    /// Waits until the socket is ready for `events`; throws `.timedOut` at the deadline.
    private static func wait(
        _ handle: OpaquePointer, events: Int16, deadline: ContinuousClock.Instant?,
        limit: Duration?
    ) throws(PostgresError) -> Int16 {
        let socket = PQsocket(handle)
        guard socket >= 0 else { throw PostgresError(.connectionLost, "the connection has no socket") }
        while true {
            var slice: Int32 = 1000
            if let deadline {
                let left = deadline - ContinuousClock.now
                guard left > .zero else {
                    let seconds = limit.map { String(format: "%.0f", Double($0.components.seconds)) } ?? "?"
                    throw PostgresError(
                        .timedOut, "PostgreSQL did not answer within \(seconds)s; the session was closed",
                        hint: "check the server (load, locks, network); the statement limit is CALWORKER_DATABASE_STATEMENT_TIMEOUT")
                }
                slice = Int32(clamping: max(1, min(1000, left.wholeMilliseconds)))
            }
            var entry = pollfd(fd: socket, events: events, revents: 0)
            let ready = poll(&entry, 1, slice)
            if ready > 0 { return entry.revents }
            if ready < 0 && errno != EINTR {
                throw PostgresError(.connectionLost, "waiting for PostgreSQL failed: \(String(cString: strerror(errno)))")
            }
        }
    }
}
