import Foundation

/// Durations as people write them: `500ms`, `30s`, `10m`, `1h30m`, `2d`.
public enum DurationText {
    public static func parse(_ text: String) -> Duration? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { return nil }
        var total: Duration = .zero
        var digits = ""
        var unit = ""
        var parts: [(String, String)] = []
        for character in trimmed {
            if character.isNumber || character == "." {
                if !unit.isEmpty { parts.append((digits, unit)); digits = ""; unit = "" }
                digits.append(character)
            } else if character.isLetter {
                unit.append(character)
            } else {
                return nil
            }
        }
        parts.append((digits, unit))
        for (number, unit) in parts {
            guard let value = Double(number), value >= 0 else { return nil }
            let seconds: Double
            switch unit {
            case "ms": seconds = value / 1000
            case "s", "": seconds = value
            case "m", "min": seconds = value * 60
            case "h": seconds = value * 3600
            case "d": seconds = value * 86_400
            default: return nil
            }
            total += .milliseconds(Int64((seconds * 1000).rounded()))
        }
        return total
    }

    /// A compact human form: `850ms`, `12.3s`, `4m05s`, `3h02m`, `2d04h`.
    public static func format(seconds: Double) -> String {
        if seconds < 1 { return "\(Int((seconds * 1000).rounded()))ms" }
        if seconds < 60 { return String(format: "%.1fs", seconds) }
        let whole = Int(seconds)
        if whole < 3600 { return String(format: "%dm%02ds", whole / 60, whole % 60) }
        if whole < 86_400 { return String(format: "%dh%02dm", whole / 3600, (whole % 3600) / 60) }
        return String(format: "%dd%02dh", whole / 86_400, (whole % 86_400) / 3600)
    }
}
