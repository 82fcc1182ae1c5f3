import CLibPQ

extension PostgresConnection {
    /// Runs `body` inside BEGIN/COMMIT; any error rolls back and is rethrown.
    ///
    /// Statements inside use the same connection, so the queue's `enqueue` can join the
    /// caller's transaction (transactional enqueue).
    @discardableResult
    public func transaction<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        try execute("BEGIN")
        do {
            let value = try body(self)
            try execute("COMMIT")
            return value
        } catch {
            if isConnected { _ = try? execute("ROLLBACK") }
            throw error
        }
    }
}

extension PostgresConnection {
    /// Runs several constant statements at once (simple query protocol, `PQexec`).
    ///
    /// Only for SQL written in this repository (migrations): it takes no parameters, and
    /// nothing from outside may ever be passed to it.
    public func executeScript(_ sql: StaticString) throws(PostgresError) {
        let text = sql.withUTF8Buffer { String(decoding: $0, as: UTF8.self) }
        _ = try withHandle { handle, _ throws(PostgresError) in
            try Self.exchange(handle, limit: timeouts.clientLimit) { handle in PQsendQuery(handle, text) }
        }
    }
}
