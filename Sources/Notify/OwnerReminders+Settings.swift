import Accounts
public import Foundation
import LocalCopy
public import Postgres

extension OwnerReminders {
    /// One owner's reminder settings as an operator sees and changes them (`notify settings`).
    public struct Settings: Sendable, Encodable {
        public var owner: String
        /// Where e-mails go; the owner's first account's address, marked "(default)", when unset.
        public var email: String
        public var webhook: String
        public var channel: String
        public var leadMinutes: Int
        public var timeZone: String
        /// `HH:MM-HH:MM`, or empty.
        public var quiet: String
        public var allDayAt: String
    }

    /// What `save` changes; nil keeps the stored value (or the default for a new owner).
    public struct Change: Sendable {
        public var email: String?
        public var webhookURL: String?
        public var channel: String?
        public var leadMinutes: Int?
        public var timeZone: String?
        /// `HH:MM`, both or neither.
        public var quietStart: String?
        public var quietEnd: String?
        public var clearQuiet = false
        public var allDayAt: String?

        public init() {}
    }

    /// Every owner with an account, with their settings or the defaults.
    public static func settings(on db: PostgresConnection) throws -> [Settings] {
        let owners = try AccountStore(cipher: nil).owners(includingDisabled: true, on: db)
        return try db.query(
            """
            SELECT a.owner, coalesce(s.email, a.email || ' (default)'), coalesce(s.webhook_url, ''), coalesce(s.channel, 'email'),
                   coalesce(s.lead_minutes, 30), coalesce(s.time_zone, 'UTC'),
                   coalesce(to_char(s.quiet_start, 'HH24:MI') || '-' || to_char(s.quiet_end, 'HH24:MI'), ''),
                   coalesce(to_char(s.all_day_at, 'HH24:MI'), '08:00')
              FROM unnest($1::text[], $2::text[]) AS a(owner, email) LEFT JOIN calworker.notification_settings s ON s.owner = a.owner
             ORDER BY a.owner
            """, [owners.map(\.owner), owners.map(\.email)]
        ).map { row in
            Settings(
                owner: try row.decode(at: 0), email: try row.decode(at: 1), webhook: try row.decode(at: 2), channel: try row.decode(at: 3),
                leadMinutes: try row.decode(at: 4), timeZone: try row.decode(at: 5), quiet: try row.decode(at: 6), allDayAt: try row.decode(at: 7))
        }
    }

    /// The owner's time zone, when they set one (reminders, quiet hours and mirror policies'
    /// working hours all read it).
    public static func timeZone(owner: String, on db: PostgresConnection) throws -> TimeZone? {
        try db.query("SELECT time_zone FROM calworker.notification_settings WHERE owner = $1", [owner]).first?
            .decodeOptional(String.self, at: 0).flatMap(TimeZone.init(identifier:))
    }

    /// Stores an owner's changed settings (the table checks the values' ranges).
    public static func save(owner: String, _ change: Change, on db: PostgresConnection) throws {
        try db.execute(
            """
            INSERT INTO calworker.notification_settings (owner, email, webhook_url, channel, lead_minutes, time_zone, quiet_start, quiet_end, all_day_at)
            VALUES ($1, $2, $3, coalesce($4, 'email'), coalesce($5, 30), coalesce($6, 'UTC'), $7::time, $8::time, coalesce($9::time, '08:00'))
            ON CONFLICT (owner) DO UPDATE SET
                email = coalesce($2, notification_settings.email), webhook_url = coalesce($3, notification_settings.webhook_url),
                channel = coalesce($4, notification_settings.channel), lead_minutes = coalesce($5, notification_settings.lead_minutes),
                time_zone = coalesce($6, notification_settings.time_zone),
                quiet_start = CASE WHEN $10 THEN NULL ELSE coalesce($7::time, notification_settings.quiet_start) END,
                quiet_end = CASE WHEN $10 THEN NULL ELSE coalesce($8::time, notification_settings.quiet_end) END,
                all_day_at = coalesce($9::time, notification_settings.all_day_at)
            """,
            [
                owner, change.email, change.webhookURL, change.channel, change.leadMinutes, change.timeZone,
                change.quietStart, change.quietEnd, change.allDayAt, change.clearQuiet,
            ])
    }

    /// The owners an event of the local copy belongs to (at most two: enough to tell the id is
    /// ambiguous), busy blocks left out.
    public static func owners(ofEvent eventID: String, account: Int64?, on db: PostgresConnection) throws -> [String] {
        let ids = try EventStore().accountIDs(holdingEvent: eventID, account: account, on: db)
        let accounts = try AccountStore(cipher: nil).accounts(ids: ids, on: db)
        return ids.compactMap { accounts[$0]?.owner }
    }
}
