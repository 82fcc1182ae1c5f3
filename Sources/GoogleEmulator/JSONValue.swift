import Foundation

/// A JSON value that can live inside the emulator's `Mutex`-protected state.
///
/// `[String: Any]` is not `Sendable`; events are kept as this enum instead, so the state is
/// plainly `Sendable` and copies are cheap (copy on write). Integers and doubles stay apart so `"minutes": 10` is written back as `10`, not `10.0`.
enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// Converts a `[String: Any]` of the public Swift interface (or what `JSONSerialization`
    /// produced); nil for anything that is not JSON.
    init?(any value: Any) {
        // Swift collections and strings are tested first: testing a Swift dictionary against
        // an Objective-C class (`is NSNull`, `as NSNumber`) bridges the whole subtree first.
        switch value {
        case let object as [String: Any]:
            var fields: [String: JSONValue] = [:]
            fields.reserveCapacity(object.count)
            for (key, item) in object {
                guard let converted = JSONValue(any: item) else { return nil }
                fields[key] = converted
            }
            self = .object(fields)
        case let array as [Any]:
            var items: [JSONValue] = []
            items.reserveCapacity(array.count)
            for item in array {
                guard let converted = JSONValue(any: item) else { return nil }
                items.append(converted)
            }
            self = .array(items)
        case let string as String: self = .string(string)
        case let number as NSNumber:
            // JSONSerialization gives booleans as NSNumber with objCType "c"; Swift `Bool`,
            // `Int` and `Double` values bridge to NSNumber the same way.
            let type = String(cString: number.objCType)
            if type == "c" || type == "B" {
                self = .bool(number.boolValue)
            } else if type == "d" || type == "f" {
                self = .double(number.doubleValue)
            } else {
                self = .int(number.int64Value)
            }
        case is NSNull: self = .null
        default:
            return nil
        }
    }

    /// Parses a JSON document (any top-level value).
    static func parse(_ bytes: some Sequence<UInt8>) -> JSONValue? {
        JSONCoding.parse(Array(bytes))
    }

    /// The value as `JSONSerialization` objects.
    var any: Any {
        switch self {
        case .null: NSNull()
        case .bool(let value): value
        case .int(let value): value
        case .double(let value): value
        case .string(let value): value
        case .array(let items): items.map(\.any)
        case .object(let fields): fields.mapValues(\.any)
        }
    }

    /// Compact JSON with sorted keys, so equal values give equal bytes (tests, dumps, etags).
    func serialized() -> [UInt8] {
        var out: [UInt8] = []
        JSONCoding.write(self, into: &out)
        return out
    }

    var string: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    var object: [String: JSONValue]? {
        if case .object(let value) = self { return value }
        return nil
    }

    var array: [JSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    var bool: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    var int: Int64? {
        switch self {
        case .int(let value): value
        case .double(let value) where value == value.rounded(): Int64(exactly: value)
        default: nil
        }
    }

    var double: Double? {
        switch self {
        case .int(let value): Double(value)
        case .double(let value): value
        default: nil
        }
    }

    subscript(key: String) -> JSONValue? {
        object?[key]
    }
}

extension Dictionary where Key == String, Value == JSONValue {
    /// The object as `[String: Any]`, for the public Swift interface.
    var anyObject: [String: Any] { mapValues(\.any) }
}
