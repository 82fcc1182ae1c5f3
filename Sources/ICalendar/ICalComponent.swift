/// One component (`VCALENDAR`, `VEVENT`, `VTIMEZONE`, `STANDARD`, ...) as written: its
/// properties in order and the components inside it.
public struct ICalComponent: Sendable, Equatable {
    public var name: String
    public var properties: [ICalProperty] = []
    public var components: [ICalComponent] = []

    public init(name: String, properties: [ICalProperty] = [], components: [ICalComponent] = []) {
        self.name = name
        self.properties = properties
        self.components = components
    }

    /// The first property of that name.
    public func property(_ name: String) -> ICalProperty? { properties.first { $0.name == name } }

    /// Every property of that name, in order.
    public func properties(_ name: String) -> [ICalProperty] { properties.filter { $0.name == name } }

    /// The components of that name, at any depth below this one.
    public func all(_ name: String) -> [ICalComponent] {
        components.flatMap { ($0.name == name ? [$0] : []) + $0.all(name) }
    }
}

/// `TZID=Europe/Berlin`, `MEMBER="a","b"`: a parameter and its values, unquoted.
public struct ICalParameter: Sendable, Equatable {
    public var name: String
    public var values: [String]
}

/// One property: name, parameters and the value as written (escapes and all).
public struct ICalProperty: Sendable, Equatable {
    public var name: String
    public var parameters: [ICalParameter]
    public var value: String

    public init(name: String, parameters: [ICalParameter] = [], value: String) {
        self.name = name
        self.parameters = parameters
        self.value = value
    }

    /// The first value of a parameter (`TZID`, `VALUE`, `PARTSTAT`).
    public func parameter(_ name: String) -> String? { parameters.first { $0.name == name }?.values.first }

    /// The value as TEXT: `\\n` a line break, `\\,` `\\;` `\\\\` the characters themselves.
    public var text: String {
        guard value.contains("\\") else { return value }
        var out = ""
        var escaped = false
        for character in value {
            if escaped {
                switch character {
                case "n", "N": out.append("\n")
                default: out.append(character)
                }
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else {
                out.append(character)
            }
        }
        return out
    }
}
