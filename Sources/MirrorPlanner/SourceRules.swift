public import Foundation

/// docs/sync.md's definition of a source event and of the window, as pure functions.
public struct SourceRules: Sendable {
    public static let mirroredTypes: Set<String> = ["default", "outOfOffice", "focusTime"]

    public var now: Date
    /// How far ahead mirrors reach (per owner; default 90 days).
    public var mirrorDays: Int

    public init(now: Date, mirrorDays: Int = 90) {
        self.now = now
        self.mirrorDays = mirrorDays
    }

    var windowStart: Date { now.addingTimeInterval(-86_400) }
    var windowEnd: Date { now.addingTimeInterval(Double(mirrorDays) * 86_400) }

    /// Not a mirror, not cancelled, not transparent, a mirrored type, not declined by the
    /// calendar's own user.
    public func isSourceKind(_ event: PlannedEvent) -> Bool {
        !event.isMirror && !event.isCancelled && event.transparency != "transparent"
            && Self.mirroredTypes.contains(event.eventType) && !event.selfDeclined
    }

    /// A single event counts when it ends after now − 1 day and starts before now +
    /// `mirrorDays`. A series counts when one of its occurrences may fall in that window:
    /// it starts before the window ends and its `UNTIL` (if any) is after the window starts.
    /// (A `COUNT`-bounded series is treated as possibly in the window: mirroring a series that
    /// has ended costs a harmless block in the past, missing one would lose busy time.)
    public func inWindow(_ event: PlannedEvent) -> Bool {
        guard let start = event.start?.point else { return false }
        if let recurrence = event.recurrence, !recurrence.isEmpty {
            guard start < windowEnd else { return false }
            if let until = Self.until(recurrence) { return until > windowStart }
            return true
        }
        guard let end = event.end?.point else { return false }
        return end > windowStart && start < windowEnd
    }

    public func qualifies(_ event: PlannedEvent) -> Bool { isSourceKind(event) && inWindow(event) }

    /// The latest `UNTIL=` of the series' RRULE lines (`20261231`, `20261231T235959Z`).
    static func until(_ recurrence: [String]) -> Date? {
        var latest: Date?
        for line in recurrence where line.uppercased().hasPrefix("RRULE:") {
            for part in line.dropFirst(6).split(separator: ";") {
                let pair = part.split(separator: "=", maxSplits: 1)
                guard pair.count == 2, pair[0].uppercased() == "UNTIL" else { continue }
                let text = String(pair[1])
                let digits = text.filter(\.isNumber)
                guard digits.count >= 8 else { continue }
                var components = DateComponents()
                components.year = Int(digits.prefix(4))
                components.month = Int(digits.dropFirst(4).prefix(2))
                components.day = Int(digits.dropFirst(6).prefix(2))
                if digits.count >= 14 {
                    components.hour = Int(digits.dropFirst(8).prefix(2))
                    components.minute = Int(digits.dropFirst(10).prefix(2))
                    components.second = Int(digits.dropFirst(12).prefix(2))
                } else {
                    components.hour = 23
                    components.minute = 59
                    components.second = 59
                }
                var calendar = Calendar(identifier: .gregorian)
                calendar.timeZone = TimeZone(identifier: "UTC")!
                if let date = calendar.date(from: components) { latest = max(latest ?? date, date) }
            }
        }
        return latest
    }
}
