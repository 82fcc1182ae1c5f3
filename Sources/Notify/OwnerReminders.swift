import Accounts
public import Foundation
import LocalCopy
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

    /// Every owner with an account that is not disabled, with their settings or the defaults
    /// (e-mail to their first account).
    public static func owners(on db: PostgresConnection) throws -> [Owner] {
        let owners = try AccountStore(cipher: nil).owners(on: db)
        return try db.query(
            """
            SELECT a.owner, coalesce(s.email, a.email), s.webhook_url, coalesce(s.channel, 'email'), coalesce(s.lead_minutes, 30),
                   coalesce(s.time_zone, 'UTC'), (extract(epoch FROM s.quiet_start) / 60)::int, (extract(epoch FROM s.quiet_end) / 60)::int,
                   coalesce((extract(epoch FROM s.all_day_at) / 60)::int, 480)
              FROM unnest($1::text[], $2::text[]) AS a(owner, email) LEFT JOIN calworker.notification_settings s ON s.owner = a.owner
             ORDER BY a.owner
            """, [owners.map(\.owner), owners.map(\.email)]
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
        let accounts = try AccountStore(cipher: nil).ids(owner: owner, enabledOnly: true, on: db)
        return try EventStore().upcomingEvents(accountIDs: accounts, from: from, to: to, on: db).map { event in
            ReminderEvent(
                calendarID: event.calendarID, eventID: event.eventID, iCalUID: event.iCalUID, summary: event.summary, status: event.status,
                start: ReminderTime(date: event.startDate, instant: event.startTime, timeZone: event.startTimeZone),
                recurrence: event.recurrence, recurringEventID: event.recurringEventID,
                originalStart: ReminderTime(date: event.originalStartDate, instant: event.originalStartTime), selfDeclined: event.selfDeclined)
        }
    }
}
