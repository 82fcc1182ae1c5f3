public import Basics

/// Reads iCalendar text (RFC 5545) into components and properties: lines unfolded, parameters
/// split (quoted values may hold `;`, `:` and `,`), `BEGIN`/`END` nested. Values stay as
/// written; `ICalProperty` reads them as text, dates and times. Everything a server sends is
/// bounded (`Limits`): a hostile calendar object is an error, never a stall or a crash.
public enum ICalParser {
    public struct Limits: Sendable {
        /// The most bytes of one calendar object. Default 8 MiB (a long series with inline
        /// attachments stays well below).
        public var maxBytes = 8 << 20
        /// The deepest nesting of components (VCALENDAR > VEVENT > VALARM is 3).
        public var maxDepth = 8
        /// The most properties and components together.
        public var maxItems = 200_000

        public init() {}
    }

    /// The components at the top level (normally one VCALENDAR).
    public static func parse(_ text: String, limits: Limits = Limits()) throws(ICalParseError) -> [ICalComponent] {
        try parse(Array(text.utf8), limits: limits)
    }

    public static func parse(_ bytes: [UInt8], limits: Limits = Limits()) throws(ICalParseError) -> [ICalComponent] {
        guard bytes.count <= limits.maxBytes else {
            throw ICalParseError(line: 0, "the calendar object is \(bytes.count) bytes, more than the \(limits.maxBytes) allowed")
        }
        var stack: [ICalComponent] = []
        var top: [ICalComponent] = []
        var items = 0
        for (number, line) in unfolded(bytes) {
            guard !line.isEmpty else { continue }
            items += 1
            guard items <= limits.maxItems else { throw ICalParseError(line: number, "more than \(limits.maxItems) lines") }
            let property = try contentLine(line, number: number)
            switch property.name {
            case "BEGIN":
                let name = property.value.uppercased()
                guard isName(name) else { throw ICalParseError(line: number, "BEGIN:\(clipped(property.value)) is not a component name") }
                guard stack.count < limits.maxDepth else { throw ICalParseError(line: number, "components nested deeper than \(limits.maxDepth)") }
                stack.append(ICalComponent(name: name))
            case "END":
                let name = property.value.uppercased()
                guard let open = stack.popLast() else { throw ICalParseError(line: number, "END:\(clipped(name)) without a BEGIN") }
                guard open.name == name else { throw ICalParseError(line: number, "END:\(clipped(name)) closes BEGIN:\(open.name)") }
                if stack.isEmpty { top.append(open) } else { stack[stack.count - 1].components.append(open) }
            default:
                guard !stack.isEmpty else { throw ICalParseError(line: number, "\(clipped(property.name)) outside any component") }
                stack[stack.count - 1].properties.append(property)
            }
        }
        if let open = stack.last { throw ICalParseError(line: 0, "BEGIN:\(open.name) is never ended") }
        return top
    }

    /// Logical lines with the number of their first physical line: CRLF or LF ends a line; a
    /// line starting with a space or tab continues the one before (RFC 5545 §3.1).
    static func unfolded(_ bytes: [UInt8]) -> [(Int, [UInt8])] {
        var lines: [(Int, [UInt8])] = []
        var number = 0
        for physical in bytes.split(separator: 0x0A, omittingEmptySubsequences: false) {
            number += 1
            var line = physical
            if line.last == 0x0D { line = line.dropLast() }
            if let first = line.first, first == 0x20 || first == 0x09, !lines.isEmpty {
                lines[lines.count - 1].1 += line.dropFirst()
            } else {
                lines.append((number, Array(line)))
            }
        }
        return lines
    }

    /// `NAME;PARAM=a,"b;c":value`.
    static func contentLine(_ line: [UInt8], number: Int) throws(ICalParseError) -> ICalProperty {
        var index = 0
        func readName() -> String {
            let start = index
            while index < line.count, isNameByte(line[index]) { index += 1 }
            return String(decoding: line[start..<index], as: UTF8.self).uppercased()
        }
        let name = readName()
        guard !name.isEmpty else { throw ICalParseError(line: number, "'\(clipped(String(decoding: line, as: UTF8.self)))' is not NAME:value") }
        var parameters: [ICalParameter] = []
        while index < line.count, line[index] == UInt8(ascii: ";") {
            index += 1
            let parameter = readName()
            guard !parameter.isEmpty, index < line.count, line[index] == UInt8(ascii: "=") else {
                throw ICalParseError(line: number, "a parameter of \(name) is not NAME=value")
            }
            index += 1
            var values: [String] = []
            repeat {
                if index < line.count, line[index] == UInt8(ascii: ",") { index += 1 }
                if index < line.count, line[index] == UInt8(ascii: "\"") {
                    index += 1
                    let start = index
                    while index < line.count, line[index] != UInt8(ascii: "\"") { index += 1 }
                    guard index < line.count else { throw ICalParseError(line: number, "a quoted value of \(name);\(parameter) is never closed") }
                    values.append(caretDecoded(String(decoding: line[start..<index], as: UTF8.self)))
                    index += 1
                } else {
                    let start = index
                    while index < line.count, ![UInt8(ascii: ";"), UInt8(ascii: ":"), UInt8(ascii: ","), UInt8(ascii: "\"")].contains(line[index]) {
                        index += 1
                    }
                    values.append(caretDecoded(String(decoding: line[start..<index], as: UTF8.self)))
                }
            } while index < line.count && line[index] == UInt8(ascii: ",")
            parameters.append(ICalParameter(name: parameter, values: values))
        }
        guard index < line.count, line[index] == UInt8(ascii: ":") else {
            throw ICalParseError(line: number, "\(clipped(name)) has no ':' before its value")
        }
        return ICalProperty(name: name, parameters: parameters, value: String(decoding: line[(index + 1)...], as: UTF8.self))
    }

    static func isNameByte(_ byte: UInt8) -> Bool {
        (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39) || byte == 0x2D
    }

    static func isName(_ text: String) -> Bool { !text.isEmpty && text.utf8.allSatisfy(isNameByte) }

    /// RFC 6868: `^n` a line break, `^'` a double quote, `^^` a caret.
    static func caretDecoded(_ text: String) -> String {
        guard text.contains("^") else { return text }
        var out = ""
        var pending = false
        for character in text {
            if pending {
                switch character {
                case "n": out.append("\n")
                case "'": out.append("\"")
                case "^": out.append("^")
                default:
                    out.append("^")
                    out.append(character)
                }
                pending = false
            } else if character == "^" {
                pending = true
            } else {
                out.append(character)
            }
        }
        if pending { out.append("^") }
        return out
    }

    static func clipped(_ text: String) -> String { text.count <= 64 ? text : String(text.prefix(64)) + "…" }
}

/// A calendar object that cannot be read, with the line (0: the object as a whole).
public struct ICalParseError: Error, CustomStringConvertible, Sendable, Equatable {
    public var line: Int
    public var message: String

    public init(line: Int, _ message: String) {
        self.line = line
        self.message = message
    }

    public var description: String { line > 0 ? "line \(line): \(message)" : message }
}

extension ICalParseError: CalworkerError {
    public var errorCode: String { "invalid_icalendar" }
    /// The same bytes will not read better; the object is reported, not retried alone.
    public var isRetryable: Bool { false }
}
