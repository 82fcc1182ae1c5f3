public import Foundation
public import Patterns

/// What an owner decided about busy blocks between two of their calendars, one direction:
/// whether the source's events are mirrored into the target at all, how much of them shows,
/// and which are left out. No link stored means today's behaviour: mirrored, busy only,
/// nothing filtered but what docs/sync.md always leaves out (free, declined, cancelled events).
public struct MirrorLink: Sendable, Equatable {
    /// How much of the source a mirror shows. Mirrors are always private, without attendees,
    /// description or reminders, whatever the detail.
    public enum Detail: String, Sendable, Equatable, CaseIterable {
        /// The owner's busy title only.
        case busy
        /// The source's title.
        case title
        /// The source's title and location.
        case titleLocation = "title_location"
    }

    /// Working hours in the owner's zone: an event is mirrored when its start falls on a
    /// working day (Monday to Friday) at or after `start` and before `end` (minutes after
    /// midnight). A series is judged by its first occurrence, a moved occurrence by its own
    /// start; all-day events fall outside working hours.
    public struct WorkingHours: Sendable, Equatable {
        public var start: Int
        public var end: Int
        public var zone: TimeZone

        public init(start: Int, end: Int, zone: TimeZone) {
            self.start = start
            self.end = end
            self.zone = zone
        }

        /// `09:00-17:30` → minutes; nil unless a real range of one day with start before end.
        public static func minutes(_ text: String) -> (start: Int, end: Int)? {
            // Exactly HH:MM-HH:MM: digits where digits go, nothing else.
            let shape = Array("00:00-00:00".utf8)
            let bytes = Array(text.utf8)
            guard bytes.count == shape.count, zip(bytes, shape).allSatisfy({ $1 == UInt8(ascii: "0") ? (48...57).contains($0) : $0 == $1 }) else {
                return nil
            }
            let parts = text.split(separator: "-").map { $0.split(separator: ":").compactMap { Int($0) } }
            guard parts.count == 2, parts.allSatisfy({ $0.count == 2 && (0...24).contains($0[0]) && (0...59).contains($0[1]) }) else { return nil }
            let start = parts[0][0] * 60 + parts[0][1]
            let end = parts[1][0] * 60 + parts[1][1]
            guard start < end, end <= 24 * 60 else { return nil }
            return (start, end)
        }

        func admits(_ time: EventTime?) -> Bool {
            guard let instant = time?.instant, time?.date == nil else { return false }
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = zone
            let parts = calendar.dateComponents([.weekday, .hour, .minute], from: instant)
            guard let weekday = parts.weekday, (2...6).contains(weekday) else { return false }
            let minute = (parts.hour ?? 0) * 60 + (parts.minute ?? 0)
            return minute >= start && minute < end
        }
    }

    public var enabled: Bool
    public var detail: Detail
    public var skipAllDay: Bool
    /// Invitations the calendar's user has not accepted: answered tentative, or not at all.
    public var skipTentative: Bool
    public var workingHours: WorkingHours?
    /// A source whose title this pattern finds (case-insensitive) is not mirrored. Matched in
    /// time linear in the title's length (`LinearRegex`): the title is anyone's who can invite
    /// the owner.
    public var skipTitle: LinearRegex?

    public init(
        enabled: Bool = true, detail: Detail = .busy, skipAllDay: Bool = false, skipTentative: Bool = false,
        workingHours: WorkingHours? = nil, skipTitle: LinearRegex? = nil
    ) {
        self.enabled = enabled
        self.detail = detail
        self.skipAllDay = skipAllDay
        self.skipTentative = skipTentative
        self.workingHours = workingHours
        self.skipTitle = skipTitle
    }

    /// Today's behaviour.
    public static let `default` = MirrorLink()

    /// The longest title pattern accepted (a pattern is matched against every source).
    public static let maximumPatternLength = 200

    /// The pattern, compiled (matched case-insensitively); nil when it cannot be used (see
    /// `compile` for why).
    public static func pattern(_ text: String) -> LinearRegex? { try? compile(text) }

    /// The pattern, compiled, or why it cannot be used: too long, not RE2 syntax, or a
    /// construct that needs backtracking (backreferences, lookaround).
    public static func compile(_ text: String) throws(RegexError) -> LinearRegex {
        guard text.utf8.count <= maximumPatternLength else {
            throw RegexError("a title pattern is at most \(maximumPatternLength) bytes")
        }
        return try LinearRegex(text)
    }

    /// Whether this link mirrors `event` (a series' first event, a single event, or a moved
    /// occurrence), beyond docs/sync.md's own rules.
    public func admits(_ event: PlannedEvent) -> Bool {
        guard enabled else { return false }
        if skipAllDay && event.start?.date != nil { return false }
        if skipTentative && ["tentative", "needsAction"].contains(event.selfResponse ?? "") { return false }
        if let workingHours, !workingHours.admits(event.start) { return false }
        if let skipTitle, let title = event.summary, skipTitle.matches(title) { return false }
        return true
    }

    public static func == (lhs: MirrorLink, rhs: MirrorLink) -> Bool {
        lhs.enabled == rhs.enabled && lhs.detail == rhs.detail && lhs.skipAllDay == rhs.skipAllDay && lhs.skipTentative == rhs.skipTentative
            && lhs.workingHours == rhs.workingHours && lhs.skipTitle == rhs.skipTitle
    }
}

/// An owner's links, by source and target calendar; a pair without one gets `MirrorLink.default`.
public struct MirrorPolicy: Sendable, Equatable {
    public var links: [String: MirrorLink]

    public init(links: [String: MirrorLink] = [:]) { self.links = links }

    static func key(_ source: String, _ target: String) -> String { source + "\u{0}" + target }

    public func link(from source: String, to target: String) -> MirrorLink { links[Self.key(source, target)] ?? .default }

    public mutating func set(_ link: MirrorLink, from source: String, to target: String) { links[Self.key(source, target)] = link }
}
