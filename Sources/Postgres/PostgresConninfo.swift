import CLibPQ
import Foundation

/// A connection string taken apart by libpq itself (`PQconninfoParse`), URI or `key=value`
/// alike, so calworker can hand PostgreSQL's own tools (pg_dump, pg_restore) the same target
/// with another database name, and the password through the environment instead of the
/// command line, where `ps` would show it.
public struct PostgresConninfo: Sendable, Equatable {
    /// The parameters that have a value.
    public private(set) var parameters: [String: String]

    public init(_ text: String) throws(PostgresError) {
        var error: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(text, &error) else {
            let message = error.map { String(cString: $0) } ?? "out of memory"
            if let error { PQfreemem(error) }
            throw PostgresError(.usage, "not a PostgreSQL connection string: \(message.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        defer { PQconninfoFree(options) }
        self.init(options: options)
    }

    /// From libpq's option array (of a parse, or of a live connection's `PQconninfo`).
    init(options: UnsafeMutablePointer<PQconninfoOption>) {
        var parameters: [String: String] = [:]
        var option = options
        while let keyword = option.pointee.keyword {
            if let value = option.pointee.val, value.pointee != 0 { parameters[String(cString: keyword)] = String(cString: value) }
            option += 1
        }
        self.parameters = parameters
    }

    public subscript(key: String) -> String? {
        get { parameters[key] }
        set { parameters[key] = newValue }
    }

    /// The same target with another database.
    public func database(_ name: String) -> PostgresConninfo {
        var copy = self
        copy["dbname"] = name
        return copy
    }

    /// `key='value' ...` with libpq's quoting, sorted by key; without the password when asked
    /// (it then goes in `PGPASSWORD`).
    public func keyValueString(includingPassword: Bool = true) -> String {
        parameters.keys.sorted().compactMap { key -> String? in
            guard includingPassword || key != "password", let value = parameters[key] else { return nil }
            let escaped = value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'")
            return "\(key)='\(escaped)'"
        }.joined(separator: " ")
    }
}
