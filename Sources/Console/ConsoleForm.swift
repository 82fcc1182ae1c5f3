import Foundation

/// Query strings and `application/x-www-form-urlencoded` bodies as name/value pairs, and the
/// request's cookies: the only ways a browser talks to the console.
public struct ConsoleForm: Sendable, Equatable {
    public private(set) var pairs: [(String, String)]

    public init(_ encoded: String) {
        pairs = encoded.split(separator: "&", omittingEmptySubsequences: true).prefix(200).map { item in
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (Self.decode(String(parts[0])), parts.count > 1 ? Self.decode(String(parts[1])) : "")
        }
    }

    public static func == (a: ConsoleForm, b: ConsoleForm) -> Bool { a.pairs.map(\.0) == b.pairs.map(\.0) && a.pairs.map(\.1) == b.pairs.map(\.1) }

    /// The first value of `name`, nil when absent or empty (an empty filter field is no filter).
    public subscript(_ name: String) -> String? {
        guard let value = pairs.first(where: { $0.0 == name })?.1, !value.isEmpty else { return nil }
        return value
    }

    /// `+` as a space, `%XX` as its byte; a malformed escape stays as it was, and bytes that
    /// are not UTF-8 become U+FFFD.
    static func decode(_ text: String) -> String {
        var bytes: [UInt8] = []
        var input = Array(text.utf8)[...]
        while let byte = input.popFirst() {
            if byte == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%"), input.count >= 2,
                let value = UInt8(String(decoding: input.prefix(2), as: UTF8.self), radix: 16)
            {
                bytes.append(value)
                input = input.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The value of cookie `name` in a `Cookie` header.
    public static func cookie(_ name: String, in header: String?) -> String? {
        guard let header else { return nil }
        for part in header.split(separator: ";") {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if pair.count == 2, pair[0] == name { return pair[1] }
        }
        return nil
    }
}
