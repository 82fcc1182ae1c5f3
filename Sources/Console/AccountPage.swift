import Accounts
import Foundation
import Postgres

/// One account: what the accounts table says of it, and each of its calendars with its events
/// and the busy blocks calworker keeps in it.
enum AccountPage {
    struct Calendar {
        var id: String
        var summary: String?
        var accessRole: String
        var isPrimary: Bool
        var excluded: Bool
        var deleted: Bool
        var lastSyncedAt: Date?
        /// Live events the user or others made (not cancelled, not calworker's).
        var events: Int
        /// Live busy blocks calworker wrote into this calendar.
        var mirrors: Int
    }

    /// The account's calendars with their counts: one pass over the account's own events by
    /// their primary key, never the run history.
    static func calendars(of accountID: Int64, on db: PostgresConnection) throws -> [Calendar] {
        try db.query(
            """
            SELECT c.calendar_id, c.summary, c.access_role, c.is_primary, c.excluded, c.deleted, c.last_synced_at,
                   count(e.event_id) FILTER (WHERE e.status <> 'cancelled' AND NOT e.is_mirror),
                   count(e.event_id) FILTER (WHERE e.status <> 'cancelled' AND e.is_mirror)
              FROM calworker.calendars c
              LEFT JOIN calworker.events e ON e.account_id = c.account_id AND e.calendar_id = c.calendar_id
             WHERE c.account_id = $1
             GROUP BY c.account_id, c.calendar_id
             ORDER BY c.is_primary DESC, c.calendar_id
            """, [accountID]
        ).map { row in
            Calendar(
                id: try row.decode(at: 0), summary: try row.decodeOptional(at: 1), accessRole: try row.decode(at: 2),
                isPrimary: try row.decode(at: 3), excluded: try row.decode(at: 4), deleted: try row.decode(at: 5),
                lastSyncedAt: try row.decodeOptional(at: 6), events: try row.decode(at: 7), mirrors: try row.decode(at: 8))
        }
    }

    static func body(_ row: AccountsPage.Row, calendars: [Calendar], csrf: String, role: ConsoleRole, now: Date = Date()) -> HTML {
        let lines = calendars.map { calendar -> HTML in
            var notes: [String] = []
            if calendar.isPrimary { notes.append("primary") }
            if calendar.excluded { notes.append("excluded by an operator") }
            if calendar.deleted { notes.append("deleted in Google") }
            return """
                <tr><td>\(calendar.summary ?? calendar.id)<br><code>\(calendar.id)</code></td><td>\(calendar.accessRole)</td>
                <td>\(notes.joined(separator: ", "))</td><td>\(calendar.events)</td><td>\(calendar.mirrors)</td>
                <td>\(ConsoleFormat.time(calendar.lastSyncedAt))</td></tr>
                """
        }
        return """
            \(AccountsPage.table([row], csrf: csrf, role: role, now: now))
            <h2>Calendars</h2>
            <table><thead><tr><th>Calendar</th><th>Access</th><th></th><th>Events</th><th>Busy blocks from calworker</th>
            <th>Last synced</th></tr></thead><tbody>\(lines)</tbody></table>
            """
    }
}
