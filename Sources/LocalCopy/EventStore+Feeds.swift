public import Foundation
public import Postgres

/// The events an iCalendar feed shows: every participating calendar of an owner's accounts
/// (owned, listed, not excluded), or one calendar. Calworker's own busy blocks never.
public struct FeedSource: Sendable {
    /// The owner's accounts.
    public var accountIDs: [Int64]
    /// One calendar instead of all of them.
    public var calendar: (accountID: Int64, calendarID: String)?

    public init(accountIDs: [Int64], calendar: (accountID: Int64, calendarID: String)? = nil) {
        self.accountIDs = accountIDs
        self.calendar = calendar
    }

    /// `$1` to `$3` of the feed statements.
    public var parameters: [any PostgresEncodable] { [accountIDs, calendar?.accountID, calendar?.calendarID] }
}

extension EventStore {
    /// The events in a feed's scope (`FeedSource.parameters`).
    static let feedScope = """
        FROM calworker.events e
        JOIN calworker.calendars c ON c.account_id = e.account_id AND c.calendar_id = e.calendar_id
        WHERE NOT e.is_mirror AND e.account_id = ANY($1::bigint[]) AND NOT c.deleted
          AND CASE WHEN $2::bigint IS NULL THEN c.access_role = 'owner' AND NOT c.excluded
                   ELSE e.account_id = $2 AND e.calendar_id = $3 END
        """

    /// The statement a rendering reads its rows through: series key, account, calendar and the
    /// provider's payload, series together, a series' first event first. Public for the
    /// benchmark's floor: reading these rows and nothing more.
    public static let feedRows = """
        SELECT coalesce(e.ical_uid, coalesce(e.recurring_event_id, e.event_id)) AS series, e.account_id, e.calendar_id, e.raw::text
        \(feedScope)
        ORDER BY 1, 2, 3, e.recurring_event_id IS NOT NULL, e.event_id
        """

    /// Opens a cursor over `feedRows` (inside the caller's transaction).
    public func openFeedCursor(named name: FeedCursorName, _ source: FeedSource, on db: PostgresConnection) throws {
        try db.execute("DECLARE \(name.rawValue) NO SCROLL CURSOR FOR " + Self.feedRows, source.parameters)
    }

    /// What the feed's events look like, cheaply: their count and newest writes. Equal
    /// fingerprints, equal events.
    public func feedFingerprint(_ source: FeedSource, on db: PostgresConnection) throws -> String {
        let row = try db.query(
            "SELECT count(*), coalesce(max(e.synced_at)::text, '-'), coalesce(max(e.updated)::text, '-') \(Self.feedScope)",
            source.parameters)[0]
        return (0..<3).map { row.text($0) ?? "" }.joined(separator: "|")
    }

    /// The earliest start and the latest end of the feed's events (nil: none, or a time
    /// PostgreSQL holds but a Date cannot, such as infinity).
    public func feedSpan(_ source: FeedSource, on db: PostgresConnection) throws -> (earliest: Date?, latest: Date?) {
        let row = try db.query(
            """
            SELECT least(min(e.start_time), min(e.start_date)::timestamptz), greatest(max(e.end_time), max(e.end_date)::timestamptz)
            \(Self.feedScope)
            """, source.parameters)[0]
        return (((try? row.decodeOptional(Date.self, at: 0)) ?? nil), ((try? row.decodeOptional(Date.self, at: 1)) ?? nil))
    }
}

/// A cursor name: an identifier, so it is one of these, never text from outside.
public enum FeedCursorName: String, Sendable {
    case feedRows = "feed_rows"
}
