public import Foundation

/// A Swift value that can be bound as a statement parameter.
///
/// Parameters travel in libpq's text format and the server infers their types from the
/// statement (add a cast such as `$1::bigint[]` where it cannot). Values are never spliced
/// into SQL text: this is the only way a value reaches a statement.
public protocol PostgresEncodable: Sendable {
    /// The parameter in PostgreSQL's text input format; `nil` binds SQL NULL.
    var postgresText: String? { get }
}

extension String: PostgresEncodable { public var postgresText: String? { self } }
extension Substring: PostgresEncodable { public var postgresText: String? { String(self) } }
extension Int: PostgresEncodable { public var postgresText: String? { String(self) } }
extension Int64: PostgresEncodable { public var postgresText: String? { String(self) } }
extension Int32: PostgresEncodable { public var postgresText: String? { String(self) } }
extension Double: PostgresEncodable { public var postgresText: String? { String(self) } }
extension Bool: PostgresEncodable { public var postgresText: String? { self ? "t" : "f" } }

extension Date: PostgresEncodable {
    public var postgresText: String? { PostgresTimestamp.format(self) }
}

extension Duration: PostgresEncodable {
    /// Bound as an `interval` in microseconds, e.g. `1500000 microseconds`.
    public var postgresText: String? {
        let (seconds, attoseconds) = components
        return "\(seconds * 1_000_000 + attoseconds / 1_000_000_000_000) microseconds"
    }
}

extension Optional: PostgresEncodable where Wrapped: PostgresEncodable {
    public var postgresText: String? { self?.postgresText }
}

/// An element of a PostgreSQL array parameter (`bigint[]`, `text[]`, ...).
public protocol PostgresArrayElement: PostgresEncodable {}
extension Int: PostgresArrayElement {}
extension Int64: PostgresArrayElement {}
extension Int32: PostgresArrayElement {}
extension Double: PostgresArrayElement {}
extension Bool: PostgresArrayElement {}
extension String: PostgresArrayElement {}
extension Date: PostgresArrayElement {}
extension Optional: PostgresArrayElement where Wrapped: PostgresArrayElement {}

extension Array: PostgresEncodable where Element: PostgresArrayElement {
    /// An array literal: every element double-quoted with `"` and `\` escaped, NULL bare.
    /// Built as bytes: the queue encodes eight such arrays per batch of finished jobs, and
    /// String appends made this the worker's costliest step.
    public var postgresText: String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count * 12 + 2)
        bytes.append(UInt8(ascii: "{"))
        var first = true
        for element in self {
            if !first { bytes.append(UInt8(ascii: ",")) }
            first = false
            guard let text = element.postgresText else {
                bytes.append(contentsOf: [0x4E, 0x55, 0x4C, 0x4C])  // NULL
                continue
            }
            bytes.append(UInt8(ascii: "\""))
            for byte in text.utf8 {
                if byte == 0x22 || byte == 0x5C { bytes.append(0x5C) }
                bytes.append(byte)
            }
            bytes.append(UInt8(ascii: "\""))
        }
        bytes.append(UInt8(ascii: "}"))
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// A JSON document bound as text; cast it in SQL (`$1::jsonb`).
public struct PostgresJSON: PostgresEncodable, PostgresArrayElement, Equatable {
    public var text: String
    public init(_ text: String) { self.text = text }
    public var postgresText: String? { text }
}
