import Basics
import Foundation
import Redaction
import Synchronization

/// Where a command writes: the real stdout/stderr, or buffers in tests.
public final class Output: Sendable {
    private let capturing: Bool
    private let captured = Mutex((out: "", err: ""))

    /// Writes straight to the process's stdout and stderr.
    public static func standard() -> Output { Output(capturing: false) }
    /// Keeps everything in memory (`standardOutput`, `standardError`).
    public static func capturing() -> Output { Output(capturing: true) }

    private init(capturing: Bool) { self.capturing = capturing }

    /// Writes a line to stdout. Everything printed passes `printable` first: values in the
    /// database and servers' answers reach the terminal through here. `json` says the text is
    /// JSON, whose escapes must stay JSON (`\u202e`) for scripts to parse it.
    public func out(_ text: String, json: Bool = false) {
        let line = Self.printable(text, style: json ? .json : .plain) + "\n"
        if capturing { captured.withLock { $0.out += line } } else { FileHandle.standardOutput.write(Data(line.utf8)) }
    }

    public func err(_ text: String) {
        let line = Self.printable(text) + "\n"
        if capturing { captured.withLock { $0.err += line } } else { FileHandle.standardError.write(Data(line.utf8)) }
    }

    /// Text safe to print: without secrets, and with the characters that act on a terminal or
    /// on the text around them (control characters other than newline and tab, direction
    /// overrides) shown as escapes instead of sent raw (`TerminalText`).
    static func printable(_ text: String, style: TerminalText.Style = .plain) -> String {
        TerminalText.escaped(Redactor.clean(text), style: style)
    }

    public var standardOutput: String { captured.withLock { $0.out } }
    public var standardError: String { captured.withLock { $0.err } }
}

/// A plain text table: a header row, aligned columns, two spaces between them.
struct Table {
    var headers: [String]
    var rows: [[String]] = []

    mutating func add(_ row: [String]) { rows.append(row) }

    /// The widest a cell is shown: a value another program stored (a kind of five megabytes)
    /// must not pad every row of the table to its width.
    static let widestCell = 120

    func render() -> String {
        let rows = self.rows.map { $0.map { Self.clip($0) } }
        var widths = headers.map(\.count)
        for row in rows {
            for (index, cell) in row.enumerated() where index < widths.count {
                widths[index] = max(widths[index], cell.count)
            }
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                index == cells.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }
        return ([line(headers)] + rows.map(line)).joined(separator: "\n")
    }

    static func clip(_ cell: String) -> String {
        let single = cell.contains("\n") ? cell.replacingOccurrences(of: "\n", with: " ") : cell
        return single.count <= widestCell ? single : String(single.prefix(widestCell - 1)) + "…"
    }
}

enum JSONOutput {
    /// Pretty, key-sorted JSON with ISO 8601 dates: stable for scripts and diffs.
    /// One value as one line of JSON (`runs export`'s JSON lines), in `--json`'s shape.
    static func encodeLine<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Formatting.timestamp(date))
        }
        encoder.keyEncodingStrategy = .convertToSnakeCase
        guard let data = try? encoder.encode(value) else { return "null" }
        return embeddingStoredJSON(data, pretty: false)
    }

    static func encode<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Formatting.timestamp(date))
        }
        encoder.keyEncodingStrategy = .convertToSnakeCase
        guard let data = try? encoder.encode(value) else { return "null" }
        return embeddingStoredJSON(data)
    }

    /// Fields the database keeps as JSON text (a job's `args`, a run's `figures`).
    static let storedJSONFields: Set<String> = ["args", "figures"]

    /// Puts stored JSON back as JSON: without this, `runs --json` printed `"figures": "{\"n\": 1}"`,
    /// a string a script had to parse a second time. Done on the encoded tree, not through
    /// the encoder, so the snake-case key strategy never renames the keys inside.
    static func embeddingStoredJSON(_ data: Data, pretty: Bool = true) -> String {
        func embed(_ value: Any) -> Any {
            switch value {
            case let object as [String: Any]:
                var result: [String: Any] = [:]
                for (key, item) in object {
                    if storedJSONFields.contains(key), let text = item as? String,
                        let parsed = try? JSONSerialization.jsonObject(with: Data(text.utf8)),
                        parsed is [String: Any] || parsed is [Any]
                    {
                        result[key] = parsed
                    } else {
                        result[key] = embed(item)
                    }
                }
                return result
            case let array as [Any]:
                return array.map(embed)
            default:
                return value
            }
        }
        guard let tree = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]),
            let output = try? JSONSerialization.data(
                withJSONObject: embed(tree),
                options: pretty
                    ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes, .fragmentsAllowed]
                    : [.sortedKeys, .withoutEscapingSlashes, .fragmentsAllowed])
        else { return String(decoding: data, as: UTF8.self) }
        return String(decoding: output, as: UTF8.self)
    }
}

enum Formatting {
    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }

    /// Short local-independent form for tables: `2026-11-21 23:19:11`.
    static func shortTimestamp(_ date: Date?) -> String {
        guard let date else { return "-" }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate, .withTime, .withColonSeparatorInTime, .withSpaceBetweenDateAndTime]
        return formatter.string(from: date)
    }

    /// 1536 → "1.5 KiB".
    static func bytes(_ count: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(count)
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(count) B" : String(format: "%.1f %@", value, units[unit])
    }

    static func truncate(_ text: String?, _ length: Int) -> String {
        guard let text, !text.isEmpty else { return "-" }
        let single = text.replacingOccurrences(of: "\n", with: " ")
        return single.count <= length ? single : String(single.prefix(length - 1)) + "…"
    }
}
