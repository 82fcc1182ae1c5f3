import Accounts
public import Foundation
import ICalendar
public import LocalCopy
import Mirroring
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

    /// The feed's events in the local copy's terms: the owner's accounts, or one calendar.
    public static func source(_ feed: Feed, on db: PostgresConnection) throws -> FeedSource {
        FeedSource(
            accountIDs: try AccountStore(cipher: nil).ids(owner: feed.owner, on: db),
            calendar: feed.accountID.flatMap { account in feed.calendarID.map { (account, $0) } })
    }

    /// What the feed's content depends on, cheaply: its events' count and newest writes, its
    /// settings' last change and the owner's busy title. Equal fingerprints, equal feeds.
    /// Call inside the transaction the rendering reads in.
    public static func fingerprint(_ feed: Feed, on db: PostgresConnection) throws -> String {
        try fingerprint(feed, source: try source(feed, on: db), on: db)
    }

    static func fingerprint(_ feed: Feed, source: FeedSource, on db: PostgresConnection) throws -> String {
        let events = try EventStore().feedFingerprint(source, on: db)
        let changed = try FeedStore().changedAt(id: feed.id, on: db) ?? ""
        return [events, changed, try MirrorSettings.load(owner: feed.owner, on: db).busyTitle].joined(separator: "|")
    }

    /// The span the feed's times fall in, for its `VTIMEZONE`s: from the first of January of its
    /// earliest start to the end of the year of its latest end or two years ahead, whichever is
    /// later (a series without an end goes on). Whole years, so the bytes of an unchanged feed
    /// do not change with the clock.
    static func range(_ source: FeedSource, now: Date, on db: PostgresConnection) throws -> ClosedRange<Date> {
        let span = try EventStore().feedSpan(source, on: db)
        let earliest = span.earliest ?? now
        let latest = span.latest ?? now
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
            // The owner's accounts, read once in the rendering's snapshot.
            let source = try source(feed, on: db)
            let fingerprint = try fingerprint(feed, source: source, on: db)
            let busyTitle = try MirrorSettings.load(owner: feed.owner, on: db).busyTitle
            let writer = FeedWriter(
                name: feed.name, detail: feed.feedDetail(busyTitle: busyTitle), range: try range(source, now: now, on: db),
                sink: sink)
            try writer.begin()
            try EventStore().openFeedCursor(named: .feedRows, source, on: db)
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
