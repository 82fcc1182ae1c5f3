public import Basics
import Foundation

/// Durations as people write them: `500ms`, `30s`, `10m`, `1h30m`, `2d`.
///
/// Every duration calworker reads from outside (flags, environment, job args, job files) goes
/// through here, so this is where out-of-range values stop: the arithmetic is checked, and
/// nothing longer than `maximum` is accepted. Before, `99999999999999999999d` overflowed and
/// the process died (SIGILL) in whichever worker claimed the job.
public enum DurationText {
    /// The longest duration accepted anywhere: 100 years. Long enough for any retention, short
    /// enough that a date that far ahead, or the duration in nanoseconds, never overflows.
    public static let maximum: Duration = .seconds(100 * 365 * 86_400)

    /// Why a text is not an acceptable duration, worded for an operator.
    public struct Problem: Error, CustomStringConvertible, Sendable, Equatable {
        public var description: String
    }

    /// The duration, or nil when the text is not one or lies outside 0...`maximum`.
    public static func parse(_ text: String) -> Duration? {
        try? parse(text, in: .zero...maximum)
    }

    /// The duration, which must lie in `range` (itself within 0...`maximum`); the error says
    /// what was wrong and what is allowed.
    public static func parse(_ text: String, in range: ClosedRange<Duration>) throws(Problem) -> Duration {
        let allowed = "from \(describe(range.lowerBound)) to \(describe(min(range.upperBound, maximum)))"
        guard let seconds = seconds(in: text) else {
            throw Problem(description: "'\(clipped(text))' is not a duration like 500ms, 30s, 10m, 1h30m or 2d")
        }
        guard seconds <= maximum.seconds else {
            throw Problem(description: "'\(clipped(text))' is too long: a duration here is \(allowed)")
        }
        let value = Duration.milliseconds(Int64((seconds * 1000).rounded()))
        guard range.contains(value) else {
            throw Problem(description: "'\(clipped(text))' is out of range: a duration here is \(allowed)")
        }
        return value
    }

    /// The text's value in seconds (possibly above `maximum`, never infinite), or nil when it
    /// is not a duration.
    static func seconds(in text: String) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, trimmed.utf8.count <= 64 else { return nil }
        var parts: [(number: String, unit: String)] = []
        var digits = ""
        var unit = ""
        for character in trimmed {
            if character.isASCII && (character.isNumber || character == ".") {
                if !unit.isEmpty {
                    parts.append((digits, unit))
                    digits = ""
                    unit = ""
                }
                digits.append(character)
            } else if character.isASCII && character.isLetter {
                unit.append(character)
            } else {
                return nil
            }
        }
        parts.append((digits, unit))
        var total = 0.0
        for (number, unit) in parts {
            guard !number.isEmpty, let value = Double(number), value.isFinite, value >= 0 else { return nil }
            let scale: Double
            switch unit {
            case "ms": scale = 0.001
            case "s", "": scale = 1
            case "m", "min": scale = 60
            case "h": scale = 3600
            case "d": scale = 86_400
            default: return nil
            }
            // Saturates instead of overflowing: anything past the maximum is refused anyway.
            total = min(total + value * scale, maximum.seconds * 2)
        }
        return total
    }

    /// A duration as short exact text: `500ms`, `30s`, `1m30s`, `1h`, `7d`.
    public static func describe(_ duration: Duration) -> String {
        let millis = duration.wholeMilliseconds
        if millis < 1000 { return "\(millis)ms" }
        var seconds = millis / 1000
        var text = ""
        for (unit, size) in [("d", Int64(86_400)), ("h", 3600), ("m", 60), ("s", 1)] where seconds >= size {
            text += "\(seconds / size)\(unit)"
            seconds %= size
        }
        return text
    }

    /// A compact human form: `850ms`, `12.3s`, `4m05s`, `3h02m`, `2d04h`; `-` for a value that
    /// is not a number (a row with an infinite timestamp, say).
    public static func format(seconds: Double) -> String {
        guard seconds.isFinite else { return "-" }
        if seconds < 0 { return "-" + format(seconds: -seconds) }
        if seconds < 1 { return "\(Int((seconds * 1000).rounded()))ms" }
        if seconds < 60 { return String(format: "%.1fs", seconds) }
        let whole = Int(min(seconds, 1e15))
        if whole < 3600 { return String(format: "%dm%02ds", whole / 60, whole % 60) }
        if whole < 86_400 { return String(format: "%dh%02dm", whole / 3600, (whole % 3600) / 60) }
        return String(format: "%dd%02dh", whole / 86_400, (whole % 86_400) / 3600)
    }

    /// Operators' typos can be megabytes long; an error message quotes the start.
    static func clipped(_ text: String) -> String {
        text.count <= 40 ? text : String(text.prefix(40)) + "…"
    }
}

extension DurationText.Problem: CalworkerError {
    public var errorCode: String { "invalid_duration" }
    public var message: String { description }
    public var isRetryable: Bool { false }
}
