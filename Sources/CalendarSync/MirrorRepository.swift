import Foundation
import MirrorPlanner
import Postgres

/// Reads a sync group's calendars and local copy into the planner's terms.
struct MirrorRepository {
    /// An account of the group, with what the executor needs to write as it.
    struct GroupAccount {
        var id: Int64
        var state: String
        /// The service its calendars are at.
        var provider: String
    }

    struct Group {
        var owner: String
        var accounts: [GroupAccount]
        var participating: [PlannedCalendar]
        var retired: [PlannedCalendar]
        var events: [PlannedEvent]
        /// Participating calendars whose local copy is not complete (never fully listed, or a
        /// full resync under way). Planning over them would take missing sources for deleted
        /// ones and delete their mirrors: the mirror step waits until they are complete.
        var incomplete: [String]
    }

    /// The owner of `accountID` and everything the planner needs about the owner's group.
    /// Accounts needing re-auth stay in: their calendars are still sources (their local copy
    /// is the last known state) and their mirrors must stay as they are.
    static func load(accountID: Int64, on db: PostgresConnection) throws -> Group? {
        guard let owner: String = try db.query("SELECT owner FROM calworker.accounts WHERE id = $1", [accountID]).first?.decode(at: 0) else {
            return nil
        }
        let accounts = try db.query(
            """
            SELECT id, state, provider FROM calworker.accounts WHERE owner = $1 AND state <> 'disabled' ORDER BY id
            """, [owner]
        ).map { GroupAccount(id: try $0.decode(at: 0), state: try $0.decode(at: 1), provider: try $0.decode(at: 2)) }
        let ids = accounts.map(\.id)
        var participating: [PlannedCalendar] = []
        var retired: [PlannedCalendar] = []
        var incomplete: [String] = []
        for row in try db.query(
            """
            SELECT account_id, calendar_id, excluded, sync_token IS NOT NULL FROM calworker.calendars
             WHERE account_id = ANY($1::bigint[]) AND access_role = 'owner' AND NOT deleted
             ORDER BY account_id, is_primary DESC, calendar_id
            """, [ids])
        {
            let calendar = PlannedCalendar(accountID: try row.decode(at: 0), calendarID: try row.decode(at: 1))
            if try row.decode(Bool.self, at: 2) {
                retired.append(calendar)
            } else {
                participating.append(calendar)
                if !(try row.decode(Bool.self, at: 3)) { incomplete.append(calendar.calendarID) }
            }
        }
        let events = try db.query(
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
            """, [ids]
        ).map(decodeEvent)
        return Group(
            owner: owner, accounts: accounts, participating: participating, retired: retired, events: events,
            incomplete: incomplete)
    }

    static func decodeEvent(_ row: PostgresRow) throws -> PlannedEvent {
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
}
