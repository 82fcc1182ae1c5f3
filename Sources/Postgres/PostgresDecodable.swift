public import Foundation

/// A Swift type a result column (text format) decodes into.
public protocol PostgresDecodable {
    init?(postgresText text: String)
}

extension String: PostgresDecodable { public init?(postgresText text: String) { self = text } }
extension Int: PostgresDecodable { public init?(postgresText text: String) { self.init(text) } }
extension Int64: PostgresDecodable { public init?(postgresText text: String) { self.init(text) } }
extension Int32: PostgresDecodable { public init?(postgresText text: String) { self.init(text) } }
extension Double: PostgresDecodable { public init?(postgresText text: String) { self.init(text) } }

extension Bool: PostgresDecodable {
    public init?(postgresText text: String) {
        switch text {
        case "t", "true": self = true
        case "f", "false": self = false
        default: return nil
        }
    }
}

extension Date: PostgresDecodable {
    public init?(postgresText text: String) {
        guard let date = PostgresTimestamp.parse(text) else { return nil }
        self = date
    }
}

extension Array: PostgresDecodable where Element: PostgresDecodable {
    /// One-dimensional arrays only, which is all calworker stores.
    public init?(postgresText text: String) {
        guard let items = PostgresArrayParser.parse(text) else { return nil }
        var result: [Element] = []
        result.reserveCapacity(items.count)
        for item in items {
            guard let item, let value = Element(postgresText: item) else { return nil }
            result.append(value)
        }
        self = result
    }
}

enum PostgresArrayParser {
    /// Splits `{a,"b c",NULL}` into its elements, unescaping quoted ones.
    static func parse(_ text: String) -> [String?]? {
        let scalars = Array(text.unicodeScalars)
        guard scalars.first == "{", scalars.last == "}" else { return nil }
        var items: [String?] = []
        var index = 1
        let end = scalars.count - 1
        if index == end { return [] }
        while index <= end {
            var item = ""
            var quoted = false
            if scalars[index] == "\"" {
                quoted = true
                index += 1
                while index < end, scalars[index] != "\"" {
                    if scalars[index] == "\\" { index += 1 }
                    item.unicodeScalars.append(scalars[index])
                    index += 1
                }
                index += 1
            } else {
                while index < end, scalars[index] != "," {
                    item.unicodeScalars.append(scalars[index])
                    index += 1
                }
            }
            items.append(!quoted && item == "NULL" ? nil : item)
            index += 1
        }
        return items
    }
}
