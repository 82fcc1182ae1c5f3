import Foundation

/// How values read on the console's pages.
enum ConsoleFormat {
    /// `2026-12-03 20:15:07Z`; empty for none.
    static func time(_ date: Date?) -> String {
        guard let date else { return "" }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate, .withTime, .withColonSeparatorInTime, .withSpaceBetweenDateAndTime]
        return formatter.string(from: date) + "Z"
    }

    /// `850 ms`, `12.4 s`, `3 min`, `5 h`.
    static func seconds(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "" }
        switch value {
        case ..<1: return "\(Int((value * 1000).rounded())) ms"
        case ..<60: return String(format: "%.1f s", value)
        case ..<7200: return "\(Int(value / 60)) min"
        default: return "\(Int(value / 3600)) h"
        }
    }

    /// Long text cut to `limit` characters, for tables (the job page shows it whole).
    static func clip(_ text: String?, _ limit: Int = 120) -> String {
        guard let text else { return "" }
        return text.count <= limit ? text : String(text.prefix(limit)) + "…"
    }
}

extension ConsoleFormat {
    /// `512 B`, `3.2 MB`, `1.4 GB` (powers of 1,000, as `du --si`).
    static func bytes(_ count: Int64) -> String {
        let value = Double(count)
        switch value {
        case ..<1000: return "\(count) B"
        case ..<1e6: return String(format: "%.1f kB", value / 1e3)
        case ..<1e9: return String(format: "%.1f MB", value / 1e6)
        default: return String(format: "%.1f GB", value / 1e9)
        }
    }
}
