import Foundation
public import MirrorPlanner
public import Postgres

/// The local copy as the mirror step and the push upkeep read it: the calendars of a group's
/// accounts and their events in the planner's terms.
extension EventStore {
    /// An owned, listed calendar of the group: excluded by an operator or not, complete (a
    /// listing of it finished and no full resync is under way) or not.
    public struct GroupCalendar: Sendable, Equatable {
        public var accountID: Int64
        public var calendarID: String
        public var excluded: Bool
        public var complete: Bool
    }

    /// The owned calendars of these accounts that are still in their lists, primary first.
    public func ownedCalendars(accountIDs: [Int64], on db: PostgresConnection) throws -> [GroupCalendar] {
        try db.query(
            """
            SELECT account_id, calendar_id, excluded, sync_token IS NOT NULL FROM calworker.calendars
             WHERE account_id = ANY($1::bigint[]) AND access_role = 'owner' AND NOT deleted
             ORDER BY account_id, is_primary DESC, calendar_id
            """, [accountIDs]
        ).map {
            GroupCalendar(
                accountID: try $0.decode(at: 0), calendarID: try $0.decode(at: 1), excluded: try $0.decode(at: 2), complete: try $0.decode(at: 3))
        }
    }

    /// Every event (tombstones included) of these accounts' owned, listed calendars, as the
    /// planner reads them.
    public func plannedEvents(accountIDs: [Int64], on db: PostgresConnection) throws -> [PlannedEvent] {
        try db.query(
            """
            SELECT e.account_id, e.calendar_id, e.event_id, e.etag, e.status, e.summary,
                   e.start_date::text, e.start_time, e.start_time_zone, e.end_date::text, e.end_time, e.end_time_zone,
                   e.recurrence, e.recurring_event_id,
                   e.original_start_date::text, e.original_start_time, e.original_start_time_zone,
                   e.transparency, e.visibility, e.event_type, e.is_mirror,
                   coalesce(e.self_response = 'declined', false), e.reminders_use_default, e.mirror_source, e.location, e.self_response
              FROM calworker.events e
              JOIN calworker.calendars c ON c.account_id = e.account_id AND c.calendar_id = e.calendar_id
             WHERE e.account_id = ANY($1::bigint[]) AND c.access_role = 'owner' AND NOT c.deleted
            """, [accountIDs]
        ).map(Self.plannedEvent)
    }

    static func plannedEvent(_ row: PostgresRow) throws -> PlannedEvent {
        func time(_ date: Int, _ instant: Int, _ zone: Int) throws -> EventTime? {
            let day: String? = try row.decodeOptional(at: date)
            let moment: Date? = try row.decodeOptional(at: instant)
            guard day != nil || moment != nil else { return nil }
            return EventTime(date: day, instant: moment, timeZone: try row.decodeOptional(at: zone))
        }
        let recurrence: [String]? = try row.decodeOptional(at: 12)
        return PlannedEvent(
            accountID: try row.decode(at: 0), calendarID: try row.decode(at: 1), id: try row.decode(at: 2),
            etag: try row.decodeOptional(at: 3), status: try row.decode(at: 4), summary: try row.decodeOptional(at: 5),
            start: try time(6, 7, 8), end: try time(9, 10, 11), recurrence: recurrence,
            recurringEventID: try row.decodeOptional(at: 13), originalStart: try time(14, 15, 16),
            transparency: try row.decodeOptional(at: 17), visibility: try row.decodeOptional(at: 18),
            eventType: try row.decodeOptional(at: 19) ?? "default", isMirror: try row.decode(at: 20),
            selfDeclined: try row.decode(at: 21), remindersUseDefault: try row.decodeOptional(at: 22),
            mirrorSource: try row.decodeOptional(at: 23), location: try row.decodeOptional(at: 24),
            selfResponse: try row.decodeOptional(at: 25))
    }

    /// Records a deleted mirror in the local copy (its row a tombstone); returns how many rows
    /// it changed (none: the copy never had it).
    @discardableResult
    public func markCancelled(accountID: Int64, calendarID: String, eventID: String, on db: PostgresConnection) throws -> Int {
        try db.execute(
            """
            UPDATE calworker.events SET status = 'cancelled', raw = raw || '{"status": "cancelled"}', synced_at = now()
             WHERE account_id = $1 AND calendar_id = $2 AND event_id = $3
            """, [accountID, calendarID, eventID])
    }

    /// Forgets the account's calendars and their events (a reset; the next sync starts afresh).
    public func forget(accountID: Int64, on db: PostgresConnection) throws {
        try db.execute("DELETE FROM calworker.calendars WHERE account_id = $1", [accountID])
    }

    /// The calendars each of these accounts syncs (listed, not excluded), by account.
    public func syncedCalendars(accountIDs: [Int64], on db: PostgresConnection) throws -> [Int64: [String]] {
        var calendars: [Int64: [String]] = [:]
        for row in try db.query(
            "SELECT account_id, calendar_id FROM calworker.calendars WHERE account_id = ANY($1::bigint[]) AND NOT deleted AND NOT excluded",
            [accountIDs])
        {
            calendars[try row.decode(Int64.self, at: 0), default: []].append(try row.decode(String.self, at: 1))
        }
        return calendars
    }
}
