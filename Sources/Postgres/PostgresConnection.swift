import CLibPQ
import Foundation
import Synchronization

/// One libpq connection. Every call blocks the calling thread, so use it from a dedicated
/// thread (a worker slot, the CLI's main thread), never from Swift's cooperative pool.
///
/// The `PGconn` lives inside a `Mutex`: calls from different threads are serialized instead
/// of corrupting libpq's state, and the pointer never leaves this module. `PQfinish` runs in
/// exactly one place, `deinit` (or `close()`, which empties the slot first).
public final class PostgresConnection: Sendable {
    /// `@unchecked Sendable`: the raw `PGconn` pointer is only read or used while this
    /// class's mutex is held, so no two threads ever touch it at once.
    struct State: ~Copyable, @unchecked Sendable {
        var handle: OpaquePointer?
        /// Statement text -> server-side prepared statement name, valid for this session only.
        var prepared: [String: String] = [:]
        var reconnects = 0
    }

    let state: Mutex<State>
    /// The connection string (URI or `key=value` pairs); kept to reconnect.
    let conninfo: String
    /// How long connecting and each statement may take.
    public let timeouts: PostgresTimeouts
    /// Whether `prepared: true` may create named server-side statements. Off behind a
    /// transaction-mode pooler (PgBouncer before 1.21), where the next statement may reach
    /// another server session that never saw the PREPARE.
    public let usesPreparedStatements: Bool

    private init(handle: OpaquePointer, conninfo: String, timeouts: PostgresTimeouts, preparedStatements: Bool) {
        self.state = Mutex(State(handle: handle))
        self.conninfo = conninfo
        self.timeouts = timeouts
        self.usesPreparedStatements = preparedStatements
    }

    deinit {
        state.withLock { state in
            if let handle = state.handle { PQfinish(handle) }
            state.handle = nil
        }
    }

    /// Opens a connection from a URI (`postgresql://user@host/db`) or `key=value` conninfo.
    /// A failed attempt is freed here too (libpq allocates a `PGconn` even when it fails).
    ///
    /// - Parameter timeouts: how long connecting and each statement may take; the defaults
    ///   end every call against a server that stopped answering.
    public static func connect(
        _ conninfo: String, preparedStatements: Bool = true,
        timeouts: PostgresTimeouts = PostgresTimeouts()
    ) throws(PostgresError) -> PostgresConnection {
        PostgresConnection(
            handle: try open(conninfo, timeouts: timeouts), conninfo: conninfo,
            timeouts: timeouts, preparedStatements: preparedStatements)
    }

    static func open(_ conninfo: String, timeouts: PostgresTimeouts) throws(PostgresError) -> OpaquePointer {
        // expand_dbname = 1: the first "dbname" value is the whole conninfo (URI or key=value);
        // keywords after it override what it says. Both arrays end with NULL, as
        // PQconnectdbParams requires.
        let keywords: [String?] = ["dbname", "connect_timeout", nil]
        let values: [String?] = [conninfo, String(timeouts.connectSeconds), nil]
        let connection = withCStrings(keywords) { keywordPointers in
            withCStrings(values) { valuePointers in
                PQconnectdbParams(keywordPointers, valuePointers, 1)
            }
        }
        guard let handle = connection else {
            throw PostgresError(.connectionFailed, "could not allocate a libpq connection")
        }
        guard PQstatus(handle) == CONNECTION_OK else {
            let message = ConninfoSecrets.redact(lastMessage(handle), conninfo: conninfo)
            PQfinish(handle)
            throw PostgresError(
                .connectionFailed, "could not connect to PostgreSQL: \(message)",
                hint: "check CALWORKER_DATABASE_URL and that the server is running")
        }
        // NOTICEs ("relation already exists, skipping") would go to stderr unformatted and
        // interleave with our JSON logs; they carry nothing an operator needs.
        PQsetNoticeProcessor(handle, { _, _ in }, nil)
        // Calls send and then wait for the answer themselves, with a deadline (see `exchange`).
        guard PQsetnonblocking(handle, 1) == 0 else {
            let message = lastMessage(handle)
            PQfinish(handle)
            throw PostgresError(.connectionFailed, "could not set up the connection: \(message)")
        }
        if timeouts.setOnServer && (timeouts.statement != nil || timeouts.lock != nil) {
            do {
                _ = try exchange(handle, limit: timeouts.clientLimit) { handle in
                    withCStrings([PostgresTimeouts.setting(timeouts.statement), PostgresTimeouts.setting(timeouts.lock)]) { values in
                        PQsendQueryParams(
                            handle, "SELECT set_config('statement_timeout', $1, false), set_config('lock_timeout', $2, false)",
                            2, nil, values, nil, nil, 0)
                    }
                }
            } catch {
                PQfinish(handle)
                throw error
            }
        }
        return handle
    }

    static func lastMessage(_ handle: OpaquePointer) -> String {
        String(cString: PQerrorMessage(handle)).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// False once the server has gone away; `reconnect()` brings it back.
    public var isConnected: Bool {
        state.withLock { state in
            guard let handle = state.handle else { return false }
            return PQstatus(handle) == CONNECTION_OK
        }
    }

    /// How many times this connection was re-established (a metric for operators).
    public var reconnectCount: Int { state.withLock { $0.reconnects } }

    /// The server's process id for this session (useful to terminate it in tests and drills).
    public var backendPID: Int32 {
        state.withLock { state in state.handle.map { PQbackendPID($0) } ?? 0 }
    }

    /// Drops the old session and opens a new one with the same conninfo. Prepared statements
    /// and LISTEN registrations belong to the old session and are gone; callers re-LISTEN.
    public func reconnect() throws(PostgresError) {
        let fresh = try Self.open(conninfo, timeouts: timeouts)
        state.withLock { state in
            if let handle = state.handle { PQfinish(handle) }
            state.handle = fresh
            state.prepared = [:]
            state.reconnects += 1
        }
    }

    /// A new session to the same server with the same settings, for work that must not share
    /// this session's transactions (another thread's writes).
    ///
    /// - Parameter timeouts: the sibling's own limits; by default this connection's.
    public func openSibling(timeouts: PostgresTimeouts? = nil) throws(PostgresError) -> PostgresConnection {
        try Self.connect(conninfo, preparedStatements: usesPreparedStatements, timeouts: timeouts ?? self.timeouts)
    }

    /// What this session is actually connected with (host, port, user, database, password and
    /// the rest, defaults resolved by libpq), to hand PostgreSQL's own tools the same target.
    public func parameters() throws(PostgresError) -> PostgresConninfo {
        let options = state.withLock { state in state.handle.flatMap { PQconninfo($0) } }
        guard let options else { throw PostgresError(.connectionLost, "the session is closed") }
        defer { PQconninfoFree(options) }
        return PostgresConninfo(options: options)
    }

    /// Closes the session now rather than when the last reference goes.
    public func close() {
        state.withLock { state in
            if let handle = state.handle { PQfinish(handle) }
            state.handle = nil
        }
    }

    /// Runs one statement with bound parameters (`$1`, `$2`, ...) and returns its rows.
    ///
    /// - Parameter prepared: prepare the statement once per session and reuse the plan; for
    ///   the queue's hot statements. Off by default so ad-hoc statements leave no state.
    /// - Throws: `.timedOut` (and the session is closed) when no answer came within the
    ///   statement limit; the caller reconnects like after any lost connection.
    @discardableResult
    public func query(_ sql: String, _ parameters: [any PostgresEncodable] = [], prepared: Bool = false) throws(PostgresError) -> PostgresRows {
        let texts = parameters.map(\.postgresText)
        let limit = timeouts.clientLimit
        return try withHandle { handle, state throws(PostgresError) in
            if prepared && usesPreparedStatements {
                let name = try Self.preparedName(for: sql, parameterCount: texts.count, handle: handle, limit: limit, cache: &state.prepared)
                return try Self.exchange(handle, limit: limit) { handle in
                    Self.withCStrings(texts) { values in PQsendQueryPrepared(handle, name, Int32(texts.count), values, nil, nil, 0) }
                }
            }
            return try Self.exchange(handle, limit: limit) { handle in
                Self.withCStrings(texts) { values in PQsendQueryParams(handle, sql, Int32(texts.count), nil, values, nil, nil, 0) }
            }
        }
    }

    /// Runs `body` with the live handle under the lock. A call that timed out leaves the
    /// session mid-statement, unusable: it is closed here, so `isConnected` turns false and
    /// the caller's reconnect logic takes over.
    func withHandle<T>(_ body: (OpaquePointer, inout State) throws(PostgresError) -> T) throws(PostgresError) -> T {
        let outcome: Result<T, PostgresError> = state.withLock { state in
            guard let handle = state.handle else {
                return .failure(PostgresError(.connectionLost, "the connection is closed"))
            }
            do throws(PostgresError) {
                return .success(try body(handle, &state))
            } catch {
                if error.kind == .timedOut {
                    PQfinish(handle)
                    state.handle = nil
                    state.prepared = [:]
                }
                return .failure(error)
            }
        }
        return try outcome.get()
    }

    /// Runs a statement for its effect and returns the number of rows it changed.
    @discardableResult
    public func execute(_ sql: String, _ parameters: [any PostgresEncodable] = [], prepared: Bool = false) throws(PostgresError) -> Int {
        try query(sql, parameters, prepared: prepared).affectedRows
    }

    private static func preparedName(
        for sql: String, parameterCount: Int, handle: OpaquePointer, limit: Duration?,
        cache: inout [String: String]
    ) throws(PostgresError) -> String {
        if let name = cache[sql] { return name }
        let name = "cw_\(cache.count + 1)"
        _ = try exchange(handle, limit: limit) { handle in PQsendPrepare(handle, name, sql, Int32(parameterCount), nil) }
        cache[sql] = name
        return name
    }

    /// Hands libpq an array of C strings (NULL for SQL NULL) valid for the call only.
    static func withCStrings<R>(_ texts: [String?], _ body: (UnsafePointer<UnsafePointer<CChar>?>?) throws -> R) rethrows -> R {
        var pointers: [UnsafeMutablePointer<CChar>?] = texts.map { $0.map { strdup($0) } }
        defer { for pointer in pointers { free(pointer) } }
        return try pointers.withUnsafeMutableBufferPointer { buffer in
            try buffer.baseAddress!.withMemoryRebound(to: UnsafePointer<CChar>?.self, capacity: max(buffer.count, 1)) { base in
                try body(texts.isEmpty ? nil : UnsafePointer(base))
            }
        }
    }

    /// Turns a `PGresult` into rows or an error, and frees it: the one place `PQclear` runs.
    static func consume(_ result: OpaquePointer?, handle: OpaquePointer) throws(PostgresError) -> PostgresRows {
        guard let result else {
            throw connectionError(handle, fallback: "no result from server")
        }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            let columnCount = Int(PQnfields(result))
            let rowCount = Int(PQntuples(result))
            var columns: [String] = []
            columns.reserveCapacity(columnCount)
            for column in 0..<columnCount { columns.append(String(cString: PQfname(result, Int32(column)))) }
            var cells: [String?] = []
            cells.reserveCapacity(rowCount * columnCount)
            for row in 0..<rowCount {
                for column in 0..<columnCount {
                    if PQgetisnull(result, Int32(row), Int32(column)) == 1 {
                        cells.append(nil)
                    } else {
                        cells.append(String(cString: PQgetvalue(result, Int32(row), Int32(column))))
                    }
                }
            }
            let affected = Int(String(cString: PQcmdTuples(result))) ?? 0
            return PostgresRows(columns: columns, cells: cells, affectedRows: affected)
        default:
            throw serverError(result, handle: handle)
        }
    }

    /// libpq's one error translation: SQLSTATE, primary message, detail and hint.
    static func serverError(_ result: OpaquePointer, handle: OpaquePointer) -> PostgresError {
        func field(_ code: Int32) -> String? {
            guard let pointer = PQresultErrorField(result, code) else { return nil }
            return String(cString: pointer)
        }
        let sqlState = field(Int32(UInt8(ascii: "C")))
        let message =
            field(Int32(UInt8(ascii: "M")))
            ?? String(cString: PQresultErrorMessage(result)).trimmingCharacters(in: .whitespacesAndNewlines)
        let lost = PQstatus(handle) != CONNECTION_OK
        return PostgresError(
            lost ? .connectionLost : .server,
            message.isEmpty ? lastMessage(handle) : message,
            sqlState: sqlState,
            detail: field(Int32(UInt8(ascii: "D"))),
            hint: field(Int32(UInt8(ascii: "H"))))
    }

    static func connectionError(_ handle: OpaquePointer, fallback: String) -> PostgresError {
        let message = lastMessage(handle)
        let lost = PQstatus(handle) != CONNECTION_OK
        return PostgresError(lost ? .connectionLost : .server, message.isEmpty ? fallback : message)
    }
}
