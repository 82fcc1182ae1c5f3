public import Foundation
public import Postgres
public import Reminders

/// Reads what reminders need from the database: each owner's preferences (or the defaults),
/// and the events of their accounts that may be due around now.
public enum OwnerReminders {
    public struct Owner: Sendable {
        public var owner: String
        public var email: String?
        public var webhookURL: String?
        public var channel: String
        public var preferences: ReminderPreferences
    }

    public static func owners(on db: PostgresConnection) throws -> [Owner] {
        try db.query(
            """
            SELECT a.owner, coalesce(s.email, min(a.email)), s.webhook_url, coalesce(s.channel, 'email'), coalesce(s.lead_minutes, 30),
                   coalesce(s.time_zone, 'UTC'), (extract(epoch FROM s.quiet_start) / 60)::int, (extract(epoch FROM s.quiet_end) / 60)::int,
                   coalesce((extract(epoch FROM s.all_day_at) / 60)::int, 480)
              FROM calworker.accounts a LEFT JOIN calworker.notification_settings s ON s.owner = a.owner
             WHERE a.state <> 'disabled'
             GROUP BY a.owner, s.owner
             ORDER BY a.owner
            """
        ).map { row in
            let zone = TimeZone(identifier: try row.decode(String.self, at: 5)) ?? TimeZone(identifier: "UTC")!
            return Owner(
                owner: try row.decode(at: 0), email: try row.decodeOptional(at: 1), webhookURL: try row.decodeOptional(at: 2),
                channel: try row.decode(at: 3),
                preferences: ReminderPreferences(
                    leadMinutes: try row.decode(at: 4), timeZone: zone, quietStart: try row.decodeOptional(at: 6),
                    quietEnd: try row.decodeOptional(at: 7), allDayAt: try row.decode(at: 8)))
        }
    }

    /// The owner's events that can be due between `from` and `to`: single events starting then,
    /// every series (expanded by the planner), and the exceptions of series around then.
    public static func events(owner: String, from: Date, to: Date, on db: PostgresConnection) throws -> [ReminderEvent] {
        try db.query(
            """
            SELECT e.calendar_id, e.event_id, e.ical_uid, e.summary, e.status, e.start_date::text, e.start_time, e.start_time_zone,
                   e.recurrence, e.recurring_event_id, e.original_start_date::text, e.original_start_time,
                   coalesce(e.self_response = 'declined', false)
              FROM calworker.events e
              JOIN calworker.calendars c ON c.account_id = e.account_id AND c.calendar_id = e.calendar_id
              JOIN calworker.accounts a ON a.id = e.account_id
             WHERE a.owner = $1 AND a.state <> 'disabled' AND NOT c.deleted AND c.access_role IN ('owner', 'writer') AND NOT e.is_mirror
               AND (e.start_time BETWEEN $2 AND $3
                    OR e.start_date BETWEEN ($2::timestamptz - interval '1 day')::date AND ($3::timestamptz + interval '1 day')::date
                    OR (e.recurrence IS NOT NULL AND e.recurring_event_id IS NULL)
                    OR (e.recurring_event_id IS NOT NULL
                        AND (e.original_start_time BETWEEN $2 AND $3
                             OR e.original_start_date BETWEEN ($2::timestamptz - interval '1 day')::date AND ($3::timestamptz + interval '1 day')::date)))
            """, [owner, from, to]
        ).map { row in
            ReminderEvent(
                calendarID: try row.decode(at: 0), eventID: try row.decode(at: 1), iCalUID: try row.decodeOptional(at: 2),
                summary: try row.decodeOptional(at: 3), status: try row.decode(at: 4),
                start: ReminderTime(
                    date: try row.decodeOptional(at: 5), instant: try row.decodeOptional(at: 6), timeZone: try row.decodeOptional(at: 7)),
                recurrence: try row.decodeOptional(at: 8), recurringEventID: try row.decodeOptional(at: 9),
                originalStart: ReminderTime(date: try row.decodeOptional(at: 10), instant: try row.decodeOptional(at: 11)),
                selfDeclined: try row.decode(at: 12))
        }
    }
}
