public import Foundation
import ICalendar
public import Postgres

/// Reads a feed's events from the local copy and writes them with `FeedWriter`: through a
/// cursor, 500 rows at a time, a series at a time, so neither the rows nor the feed are ever
/// held whole. An owner's feed takes every calendar that takes part in mirroring; an event
/// in two of them (an invitation seen from both) is written once, from the first.
/// calworker's own busy blocks are never in a feed.
public struct FeedRenderer {
    public struct Result: Sendable, Equatable {
        public var events: Int
        public var bytes: Int
    }

    public static let batch = 500

    /// The events in the feed's scope (`$1` owner, `$2` account, `$3` calendar).
    static let scope = """
        FROM calworker.events e
        JOIN calworker.calendars c ON c.account_id = e.account_id AND c.calendar_id = e.calendar_id
        JOIN calworker.accounts a ON a.id = e.account_id
        WHERE NOT e.is_mirror AND a.owner = $1 AND NOT c.deleted
          AND CASE WHEN $2::bigint IS NULL THEN c.access_role = 'owner' AND NOT c.excluded
                   ELSE e.account_id = $2 AND e.calendar_id = $3 END
        """

    public static func parameters(_ feed: Feed) -> [any PostgresEncodable] { [feed.owner, feed.accountID, feed.calendarID] }

    /// The statement a rendering reads its rows through (`$1` to `$3`: `parameters`), series
    /// together, a series' first event first. Public for the benchmark's floor: reading these
    /// rows and nothing more.
    public static let rows = """
        SELECT coalesce(e.raw->>'iCalUID', coalesce(e.recurring_event_id, e.event_id)) AS series, e.account_id, e.calendar_id, e.raw::text
        \(scope)
        ORDER BY 1, 2, 3, e.recurring_event_id IS NOT NULL, e.event_id
        """

    /// What the feed's content depends on, cheaply: its events' count and newest writes, its
    /// settings' last change and the owner's busy title. Equal fingerprints, equal feeds.
    /// Call inside the transaction the rendering reads in.
    public static func fingerprint(_ feed: Feed, on db: PostgresConnection) throws -> String {
        let row = try db.query(
            """
            SELECT count(*), coalesce(max(e.synced_at)::text, '-'), coalesce(max(e.updated)::text, '-'),
                   (SELECT changed_at::text FROM calworker.feeds WHERE id = $4),
                   coalesce((SELECT busy_title FROM calworker.owner_settings WHERE owner = $1), 'Busy')
            \(scope)
            """, parameters(feed) + [feed.id])[0]
        return (0..<5).map { row.text($0) ?? "" }.joined(separator: "|")
    }

    /// The span the feed's times fall in, for its `VTIMEZONE`s: from the first of January of its
    /// earliest start to the end of the year of its latest end or two years ahead, whichever is
    /// later (a series without an end goes on). Whole years, so the bytes of an unchanged feed
    /// do not change with the clock.
    static func range(_ feed: Feed, now: Date, on db: PostgresConnection) throws -> ClosedRange<Date> {
        let row = try db.query(
            """
            SELECT least(min(e.start_time), min(e.start_date)::timestamptz), greatest(max(e.end_time), max(e.end_date)::timestamptz)
            \(scope)
            """, parameters(feed))[0]
        // A time PostgreSQL holds but a Date cannot (infinity) counts as none.
        let earliest = ((try? row.decodeOptional(Date.self, at: 0)) ?? nil) ?? now
        let latest = ((try? row.decodeOptional(Date.self, at: 1)) ?? nil) ?? now
        func year(of date: Date) -> Int { CivilTime.date(days: Int((date.timeIntervalSince1970 / 86_400).rounded(.down))).year }
        func january(_ year: Int) -> Date { Date(timeIntervalSince1970: Double(CivilTime.days(year: year, month: 1, day: 1)) * 86_400) }
        let first = max(1, min(year(of: earliest), year(of: now)))
        let last = min(9999, max(year(of: latest), year(of: now) + 2))
        return january(first)...january(last + 1)
    }

    /// Writes the feed to `sink`. Runs its own read-only transaction, in which `fingerprint`
    /// is read first, so what is recorded is what was rendered.
    public static func render(
        _ feed: Feed, now: Date = Date(), on db: PostgresConnection,
        sink: @escaping ([UInt8]) throws -> Void
    ) throws -> (result: Result, fingerprint: String) {
        try db.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        do {
            let fingerprint = try fingerprint(feed, on: db)
            let busyTitle =
                try db.query("SELECT busy_title FROM calworker.owner_settings WHERE owner = $1", [feed.owner]).first?
                .decode(String.self, at: 0) ?? "Busy"
            let writer = FeedWriter(
                name: feed.name, detail: feed.feedDetail(busyTitle: busyTitle), range: try range(feed, now: now, on: db),
                sink: sink)
            try writer.begin()
            try db.execute("DECLARE feed_rows NO SCROLL CURSOR FOR " + rows, parameters(feed))
            var group: [FeedEvent] = []
            var groupKey: String?
            var groupSource: (Int64, String)?
            while true {
                let rows = try db.query("FETCH \(batch) FROM feed_rows")
                if rows.isEmpty { break }
                for row in rows {
                    let key: String = try row.decode(at: 0)
                    let source: (Int64, String) = (try row.decode(at: 1), try row.decode(at: 2))
                    if key != groupKey {
                        if !group.isEmpty { try writer.write(series: group) }
                        group.removeAll(keepingCapacity: true)
                        groupKey = key
                        groupSource = source
                    }
                    // The same event in a second calendar of the owner: written once, from the first.
                    guard groupSource.map({ $0 == source }) ?? false else { continue }
                    if let event = FeedEvent(googleJSON: Data(try row.decode(String.self, at: 3).utf8)) { group.append(event) }
                }
            }
            if !group.isEmpty { try writer.write(series: group) }
            try writer.finish()
            try db.execute("COMMIT")
            return (Result(events: writer.eventsWritten, bytes: writer.bytesWritten), fingerprint)
        } catch {
            if db.isConnected { _ = try? db.execute("ROLLBACK") }
            throw error
        }
    }
}
