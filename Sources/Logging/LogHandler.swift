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
        StandardError.write(data + Data([0x0A]))
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
    /// One line, with control characters escaped: a value an upstream sent (terminal escape
    /// codes, a newline forging a second record) is shown, not acted on.
    static func printable(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }) else { return text }
        var output = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) {
                output.append(contentsOf: "\\u{\(String(scalar.value, radix: 16, uppercase: true))}".unicodeScalars)
            } else {
                output.append(scalar)
            }
        }
        return String(output)
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
