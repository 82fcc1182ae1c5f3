import Basics
import Foundation
import Synchronization

/// Where log records go. `Logger` is the concrete type code uses; handlers decide the format.
public protocol LogHandler: Sendable {
    func log(level: LogLevel, message: String, metadata: [String: String])
}

/// One JSON object per line on stderr: `ts`, `level`, `msg`, then the metadata keys
/// (`job_id`, `kind`, `attempt`, ...), which is what log shippers parse without configuration.
public struct JSONLinesLogHandler: LogHandler {
    public init() {}

    public func log(level: LogLevel, message: String, metadata: [String: String]) {
        var object: [String: String] = metadata
        object["ts"] = LogTimestamp.now()
        object["level"] = level.description
        object["msg"] = message
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else { return }
        // JSON escapes C0 controls itself; C1 and direction controls are escaped here too, as
        // JSON escapes, so the line reads the same to a parser and shows safely in a terminal.
        let line = TerminalText.escaped(String(decoding: data, as: UTF8.self), style: .json)
        StandardError.write(Data((line + "\n").utf8))
    }
}

/// `ts level msg key=value ...` for people reading a terminal.
public struct TextLogHandler: LogHandler {
    public init() {}

    public func log(level: LogLevel, message: String, metadata: [String: String]) {
        var line = "\(LogTimestamp.now()) \(level.description.uppercased()) \(Self.printable(message))"
        for key in metadata.keys.sorted() { line += " \(key)=\(Self.printable(metadata[key]!))" }
        StandardError.write(Data((line + "\n").utf8))
    }
}

extension TextLogHandler {
    /// One line, with control and direction characters escaped: a value an upstream sent
    /// (terminal escape codes, a newline forging a second record, a U+202E reversing the rest of
    /// the line) is shown, not acted on.
    static func printable(_ text: String) -> String {
        TerminalText.escaped(text, keepingLineBreaks: false)
    }
}

/// Keeps records in memory so tests can read what was logged.
public final class InMemoryLogHandler: LogHandler {
    public struct Record: Sendable {
        public var level: LogLevel
        public var message: String
        public var metadata: [String: String]
    }

    private let storage = Mutex<[Record]>([])
    public init() {}

    public func log(level: LogLevel, message: String, metadata: [String: String]) {
        storage.withLock { $0.append(Record(level: level, message: message, metadata: metadata)) }
    }

    public var records: [Record] { storage.withLock { $0 } }
}

/// Discards everything (benchmarks, `--quiet`).
public struct NullLogHandler: LogHandler {
    public init() {}
    public func log(level: LogLevel, message: String, metadata: [String: String]) {}
}

enum StandardError {
    static let lock = Mutex(())
    static func write(_ data: Data) {
        lock.withLock { _ in FileHandle.standardError.write(data) }
    }
}

/// RFC 3339 UTC timestamps with milliseconds, without a shared `DateFormatter`.
enum LogTimestamp {
    static func now() -> String {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        var seconds = time_t(spec.tv_sec)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
            parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday,
            parts.tm_hour, parts.tm_min, parts.tm_sec, Int(spec.tv_nsec / 1_000_000))
    }
}
