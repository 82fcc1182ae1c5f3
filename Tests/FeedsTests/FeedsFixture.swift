import Accounts
import Feeds
import Foundation
import Media
import Metrics
import Postgres
import TestSupport

/// A database with one owner's account and two calendars of theirs, events written straight
/// into the local copy as a sync stores them, and a file feeds target under a media root.
final class FeedsFixture {
    let database: TestDatabase
    let db: PostgresConnection
    let root: String
    let accountID: Int64
    let publisher: FeedPublisher

    init() throws {
        database = try TestDatabase.make()
        db = try database.connect()
        root = FileManager.default.temporaryDirectory.appendingPathComponent("cw-feeds-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root + "/feeds", withIntermediateDirectories: true)
        accountID = try SeededOwner.add(owner: "user-1", calendars: ["ada@example.com", "team@group.calendar.google.com"], on: db)
        publisher = FeedPublisher(
            stores: MediaStores(settings: MediaSettings(mediaRoot: root), metrics: MetricsRegistry()),
            target: try FeedPublisher.target("file://\(root)/feeds/", mediaRoot: root), spoolDirectory: root)
    }

    deinit {
        database.drop()
        try? FileManager.default.removeItem(atPath: root)
    }

    /// An event as Google sends it, stored the way the sync stores it.
    func event(
        _ id: String, calendar: String = "ada@example.com", summary: String = "Meeting", start: String = "2026-12-07T09:00:00+01:00",
        end: String = "2026-12-07T10:00:00+01:00", extra: [String: Any] = [:], mirror: Bool = false
    ) throws {
        var raw: [String: Any] = [
            "id": id, "iCalUID": id + "@google.com", "status": "confirmed", "summary": summary,
            "start": ["dateTime": start, "timeZone": "Europe/Berlin"], "end": ["dateTime": end, "timeZone": "Europe/Berlin"],
            "updated": "2026-12-01T10:00:00.000Z",
        ]
        for (key, value) in extra { raw[key] = value }
        let json = String(decoding: try JSONSerialization.data(withJSONObject: raw), as: UTF8.self)
        try db.execute(
            """
            INSERT INTO calworker.events (account_id, calendar_id, event_id, status, summary, start_time, end_time, recurring_event_id,
                                          updated, is_mirror, raw)
            VALUES ($1, $2, $3, $4, $5, $6::timestamptz, $7::timestamptz, $8, '2026-12-01T10:00:00Z', $9, $10::jsonb)
            ON CONFLICT (account_id, calendar_id, event_id) DO UPDATE SET summary = EXCLUDED.summary, raw = EXCLUDED.raw, synced_at = now(),
                   status = EXCLUDED.status
            """,
            [
                accountID, calendar, id, raw["status"] as? String ?? "confirmed", summary, start, end, raw["recurringEventId"] as? String,
                mirror, json,
            ])
    }

    /// The published feed's unfolded lines, nil when there is no object.
    func published(_ feed: Feed) -> [String]? {
        guard let data = FileManager.default.contents(atPath: root + "/feeds/" + feed.objectName) else { return nil }
        return String(decoding: data, as: UTF8.self).replacing("\r\n ", with: "").components(separatedBy: "\r\n")
    }

    func modified(_ feed: Feed) -> Date? {
        (try? FileManager.default.attributesOfItem(atPath: root + "/feeds/" + feed.objectName))?[.modificationDate] as? Date
    }
}
