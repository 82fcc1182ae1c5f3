public import Foundation
public import Postgres

/// An event of the local copy as reminders read it: when it starts, its series, and whether
/// the calendar's own user declined it.
public struct UpcomingEvent: Sendable {
    public var calendarID: String
    public var eventID: String
    public var iCalUID: String?
    public var summary: String?
    public var status: String
    public var startDate: String?
    public var startTime: Date?
    public var startTimeZone: String?
    public var recurrence: [String]?
    public var recurringEventID: String?
    public var originalStartDate: String?
    public var originalStartTime: Date?
    public var selfDeclined: Bool
}

extension EventStore {
    /// The events of these accounts' writable calendars that can be due between `from` and
    /// `to`: single events starting then, every series (expanded by the caller), and the
    /// exceptions of series around then. Busy blocks are left out.
    public func upcomingEvents(accountIDs: [Int64], from: Date, to: Date, on db: PostgresConnection) throws -> [UpcomingEvent] {
        try db.query(
            """
            SELECT e.calendar_id, e.event_id, e.ical_uid, e.summary, e.status, e.start_date::text, e.start_time, e.start_time_zone,
                   e.recurrence, e.recurring_event_id, e.original_start_date::text, e.original_start_time,
                   coalesce(e.self_response = 'declined', false)
              FROM calworker.events e
              JOIN calworker.calendars c ON c.account_id = e.account_id AND c.calendar_id = e.calendar_id
             WHERE e.account_id = ANY($1::bigint[]) AND NOT c.deleted AND c.access_role IN ('owner', 'writer') AND NOT e.is_mirror
               AND (e.start_time BETWEEN $2 AND $3
                    OR e.start_date BETWEEN ($2::timestamptz - interval '1 day')::date AND ($3::timestamptz + interval '1 day')::date
                    OR (e.recurrence IS NOT NULL AND e.recurring_event_id IS NULL)
                    OR (e.recurring_event_id IS NOT NULL
                        AND (e.original_start_time BETWEEN $2 AND $3
                             OR e.original_start_date BETWEEN ($2::timestamptz - interval '1 day')::date AND ($3::timestamptz + interval '1 day')::date)))
            """, [accountIDs, from, to]
        ).map { row in
            UpcomingEvent(
                calendarID: try row.decode(at: 0), eventID: try row.decode(at: 1), iCalUID: try row.decodeOptional(at: 2),
                summary: try row.decodeOptional(at: 3), status: try row.decode(at: 4), startDate: try row.decodeOptional(at: 5),
                startTime: try row.decodeOptional(at: 6), startTimeZone: try row.decodeOptional(at: 7), recurrence: try row.decodeOptional(at: 8),
                recurringEventID: try row.decodeOptional(at: 9), originalStartDate: try row.decodeOptional(at: 10),
                originalStartTime: try row.decodeOptional(at: 11), selfDeclined: try row.decode(at: 12))
        }
    }

    /// The accounts whose copy holds `eventID` (not a busy block), in id order, at most two:
    /// enough to tell an id is ambiguous.
    public func accountIDs(holdingEvent eventID: String, account: Int64?, on db: PostgresConnection) throws -> [Int64] {
        try db.query(
            """
            SELECT account_id FROM calworker.events
             WHERE event_id = $1 AND ($2::bigint IS NULL OR account_id = $2) AND NOT is_mirror
             ORDER BY account_id LIMIT 2
            """, [eventID, account]
        ).map { try $0.decode(Int64.self, at: 0) }
    }
}
