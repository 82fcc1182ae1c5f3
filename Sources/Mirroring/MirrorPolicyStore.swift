import Accounts
public import Basics
import Foundation
import LocalCopy
public import MirrorPlanner
public import Postgres

/// An owner's mirror policies (`calworker.mirror_links`), read into the planner's terms and
/// changed one link at a time.
public enum MirrorPolicyStore {
    /// One stored link, as operators see it.
    public struct StoredLink: Sendable, Equatable, Encodable {
        public var sourceCalendar: String
        public var targetCalendar: String
        public var enabled: Bool
        public var detail: String
        public var skipAllDay: Bool
        public var skipTentative: Bool
        /// `09:00-17:00`, nil when the link mirrors at any hour.
        public var workingHours: String?
        public var skipTitle: String?

        public init(
            sourceCalendar: String, targetCalendar: String, enabled: Bool = true, detail: String = "busy", skipAllDay: Bool = false,
            skipTentative: Bool = false, workingHours: String? = nil, skipTitle: String? = nil
        ) {
            self.sourceCalendar = sourceCalendar
            self.targetCalendar = targetCalendar
            self.enabled = enabled
            self.detail = detail
            self.skipAllDay = skipAllDay
            self.skipTentative = skipTentative
            self.workingHours = workingHours
            self.skipTitle = skipTitle
        }
    }

    /// Why a link cannot be stored as asked.
    public struct Refusal: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    public static func links(owner: String, on db: PostgresConnection) throws -> [StoredLink] {
        try db.query(
            """
            SELECT source_calendar, target_calendar, enabled, detail, skip_all_day, skip_tentative, work_start, work_end, skip_title
              FROM calworker.mirror_links WHERE owner = $1 ORDER BY source_calendar, target_calendar
            """, [owner]
        ).map { row throws(PostgresError) in
            let start: Int? = try row.decodeOptional(at: 6)
            let end: Int? = try row.decodeOptional(at: 7)
            return StoredLink(
                sourceCalendar: try row.decode(at: 0), targetCalendar: try row.decode(at: 1), enabled: try row.decode(at: 2),
                detail: try row.decode(at: 3), skipAllDay: try row.decode(at: 4), skipTentative: try row.decode(at: 5),
                workingHours: start.flatMap { start in end.map { Self.text(start) + "-" + Self.text($0) } },
                skipTitle: try row.decodeOptional(at: 8))
        }
    }

    static func text(_ minutes: Int) -> String { String(format: "%02d:%02d", minutes / 60, minutes % 60) }

    /// The owner's policy for the planner, with `changes` over the stored links (a dry run of
    /// a change). A stored value the planner cannot use (a pattern another program wrote that
    /// does not compile) leaves that filter off rather than stopping every sync of the group.
    public static func policy(
        owner: String, replacing changes: [StoredLink] = [], timeZones: OwnerTimeZones, on db: PostgresConnection
    ) throws -> MirrorPolicy {
        let zone = try timeZones.zone(owner: owner, on: db)
        var policy = MirrorPolicy()
        for stored in try links(owner: owner, on: db) + changes {
            policy.set(try link(stored, zone: zone), from: stored.sourceCalendar, to: stored.targetCalendar)
        }
        return policy
    }

    /// A stored link as the planner's; throws only for what `save` refuses.
    static func link(_ stored: StoredLink, zone: TimeZone) throws(Refusal) -> MirrorLink {
        guard let detail = MirrorLink.Detail(rawValue: stored.detail) else { throw Refusal(description: "detail is busy, title or title_location") }
        let hours = stored.workingHours.flatMap(MirrorLink.WorkingHours.minutes).map {
            MirrorLink.WorkingHours(start: $0.start, end: $0.end, zone: zone)
        }
        return MirrorLink(
            enabled: stored.enabled, detail: detail, skipAllDay: stored.skipAllDay, skipTentative: stored.skipTentative,
            workingHours: hours, skipTitle: stored.skipTitle.flatMap(MirrorLink.pattern))
    }

    /// Checks a link as an operator gave it: calendars of the owner, a known detail, working
    /// hours as HH:MM-HH:MM, a title pattern that compiles.
    public static func validate(_ link: StoredLink, owner: String, on db: PostgresConnection) throws {
        guard link.sourceCalendar != link.targetCalendar else { throw Refusal(description: "a calendar does not mirror into itself") }
        let accounts = try AccountStore(cipher: nil).ids(owner: owner, on: db)
        let owned = Set(try EventStore().ownedCalendars(accountIDs: accounts, on: db).map(\.calendarID))
        for calendar in [link.sourceCalendar, link.targetCalendar] where !owned.contains(calendar) {
            throw Refusal(description: "'\(calendar)' is not a calendar \(owner) owns; see calworker calendars list --account N")
        }
        if let hours = link.workingHours, MirrorLink.WorkingHours.minutes(hours) == nil {
            throw Refusal(description: "working hours are HH:MM-HH:MM with the start first, like 09:00-17:30; got '\(hours)'")
        }
        if let pattern = link.skipTitle {
            do {
                _ = try MirrorLink.compile(pattern)
            } catch {
                throw Refusal(description: "the title pattern '\(pattern)' cannot be used: \(error)")
            }
        }
        _ = try Self.link(link, zone: TimeZone(identifier: "UTC")!)
    }

    /// Stores the link (replacing the pair's), after `validate`.
    public static func save(_ link: StoredLink, owner: String, on db: PostgresConnection) throws {
        try validate(link, owner: owner, on: db)
        let hours = link.workingHours.flatMap(MirrorLink.WorkingHours.minutes)
        try db.execute(
            """
            INSERT INTO calworker.mirror_links (owner, source_calendar, target_calendar, enabled, detail, skip_all_day, skip_tentative,
                                                work_start, work_end, skip_title)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
            ON CONFLICT (owner, source_calendar, target_calendar) DO UPDATE SET
                enabled = EXCLUDED.enabled, detail = EXCLUDED.detail, skip_all_day = EXCLUDED.skip_all_day,
                skip_tentative = EXCLUDED.skip_tentative, work_start = EXCLUDED.work_start, work_end = EXCLUDED.work_end,
                skip_title = EXCLUDED.skip_title, updated_at = now()
            """,
            [
                owner, link.sourceCalendar, link.targetCalendar, link.enabled, link.detail, link.skipAllDay, link.skipTentative,
                hours?.start, hours?.end, link.skipTitle,
            ])
    }

    /// The link for a pair as stored, or the default one.
    public static func stored(owner: String, from source: String, to target: String, on db: PostgresConnection) throws -> StoredLink {
        try links(owner: owner, on: db).first { $0.sourceCalendar == source && $0.targetCalendar == target }
            ?? StoredLink(sourceCalendar: source, targetCalendar: target)
    }
}

extension MirrorPolicyStore.Refusal: CalworkerError {
    public var errorCode: String { "refused" }
    public var message: String { description }
    /// Refused for what was asked: the same request is refused again.
    public var isRetryable: Bool { false }
}
