/// The rows of a result, copied out of libpq's `PGresult` (which is freed before this exists),
/// so rows can outlive the call, cross threads and never dangle.
public struct PostgresRows: Sendable, Sequence {
    public let columns: [String]
    /// Row-major cells; `nil` is SQL NULL.
    let cells: [String?]
    /// Rows changed by an INSERT/UPDATE/DELETE (`PQcmdTuples`), 0 for other statements.
    public let affectedRows: Int

    init(columns: [String], cells: [String?], affectedRows: Int) {
        self.columns = columns
        self.cells = cells
        self.affectedRows = affectedRows
    }

    public var count: Int { columns.isEmpty ? 0 : cells.count / columns.count }
    public var isEmpty: Bool { count == 0 }
    public var first: PostgresRow? { isEmpty ? nil : self[0] }

    public subscript(index: Int) -> PostgresRow { PostgresRow(rows: self, index: index) }

    public func makeIterator() -> AnyIterator<PostgresRow> {
        var index = 0
        return AnyIterator {
            guard index < count else { return nil }
            defer { index += 1 }
            return self[index]
        }
    }
}

/// One row; decode cells by position or by column name.
public struct PostgresRow: Sendable {
    let rows: PostgresRows
    let index: Int

    public func text(_ column: Int) -> String? {
        rows.cells[index * rows.columns.count + column]
    }

    public func isNull(_ column: Int) -> Bool { text(column) == nil }

    /// Decodes a non-NULL column, throwing `.decoding` when it is NULL or malformed.
    public func decode<T: PostgresDecodable>(_ type: T.Type = T.self, at column: Int) throws(PostgresError) -> T {
        guard column < rows.columns.count else {
            throw PostgresError(.usage, "column \(column) does not exist (result has \(rows.columns.count))")
        }
        guard let text = text(column) else {
            throw PostgresError(.decoding, "column \(rows.columns[column]) is NULL, expected \(T.self)")
        }
        guard let value = T(postgresText: text) else {
            throw PostgresError(.decoding, "column \(rows.columns[column]) is not a valid \(T.self)")
        }
        return value
    }

    /// Decodes a nullable column: NULL gives `nil`, a malformed value throws.
    public func decodeOptional<T: PostgresDecodable>(_ type: T.Type = T.self, at column: Int) throws(PostgresError) -> T? {
        guard column < rows.columns.count, text(column) != nil else { return nil }
        return try decode(T.self, at: column)
    }

    public func decode<T: PostgresDecodable>(_ type: T.Type = T.self, _ name: String) throws(PostgresError) -> T {
        try decode(T.self, at: try position(of: name))
    }

    public func decodeOptional<T: PostgresDecodable>(_ type: T.Type = T.self, _ name: String) throws(PostgresError) -> T? {
        try decodeOptional(T.self, at: try position(of: name))
    }

    func position(of name: String) throws(PostgresError) -> Int {
        guard let position = rows.columns.firstIndex(of: name) else {
            throw PostgresError(.usage, "no column named \(name) in result (\(rows.columns.joined(separator: ", ")))")
        }
        return position
    }
}
