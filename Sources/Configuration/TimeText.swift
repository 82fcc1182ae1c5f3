public import Foundation

/// Times an operator types (`--until`, `--at`, a console filter): ISO 8601 with a zone (`Z` or
/// `+01:00`), with or without fractional seconds, between 1970 and the end of 9999. Outside
/// that no time calworker keeps can lie, and such a value once reached PostgreSQL and read as
/// an outage; here it is simply not a time.
public enum TimeText {
    /// 1970-01-01T00:00:00Z ... 9999-12-31T23:59:59Z.
    public static let range = Date(timeIntervalSince1970: 0)...Date(timeIntervalSince1970: 253_402_300_799)

    public static func parse(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        var date = formatter.date(from: text)
        if date == nil {
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            date = formatter.date(from: text)
        }
        guard let date, range.contains(date) else { return nil }
        return date
    }
}
