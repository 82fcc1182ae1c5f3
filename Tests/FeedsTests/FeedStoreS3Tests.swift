import Feeds
import Foundation
import Media
import Metrics
import Postgres
import TestSupport
import Testing

/// Feeds on a real S3 server (moto), and rows another program wrote badly.
@Suite struct FeedStoreS3Tests {
    @Test func aFeedOnS3IsWrittenOnceWhileItsBytesStayTheSame() throws {
        let fixture = try FeedsFixture()
        try fixture.event("dentist", summary: "Dentist")
        let moto = try MotoServer.shared()
        let bucket = try moto.createBucket()
        let stores = MediaStores(
            settings: MediaSettings(
                s3Endpoint: moto.endpoint, s3Region: moto.region, s3AccessKeyID: moto.accessKeyID,
                s3SecretAccessKey: moto.secretAccessKey), metrics: MetricsRegistry())
        let publisher = FeedPublisher(
            stores: stores, target: try FeedPublisher.target("s3://\(bucket)/feeds", mediaRoot: nil), spoolDirectory: fixture.root)
        let feed = try FeedStore().create(owner: "user-1", calendar: nil, detail: "full", attendees: false, name: nil, on: fixture.db)
        #expect(try publisher.publish(feed, on: fixture.db) == .written)
        let location = publisher.location(of: feed)
        let first = try #require(try stores.head(location))
        let body = String(decoding: try stores.get(location, maxBytes: 1 << 20), as: UTF8.self)
        #expect(body.hasPrefix("BEGIN:VCALENDAR\r\n") && body.contains("SUMMARY:Dentist\r\n"))
        Thread.sleep(forTimeInterval: 1.1)
        #expect(try publisher.publish(feed, force: true, on: fixture.db) == .unchanged)
        #expect(try stores.head(location) == first, "not rewritten: same ETag and modification time")
        try fixture.event("standup", summary: "Standup", start: "2026-12-08T09:00:00+01:00", end: "2026-12-08T09:15:00+01:00")
        #expect(try publisher.publish(feed, on: fixture.db) == .written)
        #expect(try stores.head(location)?.etag != first.etag)
        try publisher.remove(token: feed.token, on: fixture.db)
        #expect(try stores.head(location) == nil)
    }

    @Test func rowsAnotherProgramWroteBadlyAreLeftOutNotFatal() throws {
        let fixture = try FeedsFixture()
        try fixture.event("good00001", summary: "Good")
        let bad = [
            "'[]'", "'\"just a string\"'", #"'{"id": "nostart", "summary": "No start"}'"#,
            #"'{"id": "badtime", "start": {"dateTime": "2026-02-30T25:00:00Z"}, "summary": "Bad time"}'"#,
            #"'{"id": "badtypes", "start": {"date": 20261205}, "summary": ["x"], "recurrence": {"a": 1}}'"#,
            #"'{"id": "nulls", "iCalUID": null, "start": {"dateTime": "2026-12-09T09:00:00Z"}, "summary": null, "recurrence": [1, null, "RRULE:FREQ=DAILY;COUNT=2"]}'"#,
        ]
        for (index, raw) in bad.enumerated() {
            // The SQL is made here from constants; the values are this test's own.
            try fixture.db.execute(
                """
                INSERT INTO calworker.events (account_id, calendar_id, event_id, status, raw)
                VALUES ($1, 'ada@example.com', 'bad\(index)', 'confirmed', \(raw)::jsonb)
                """, [fixture.accountID])
        }
        let feed = try FeedStore().create(owner: "user-1", calendar: nil, detail: "full", attendees: false, name: nil, on: fixture.db)
        #expect(try fixture.publisher.publish(feed, on: fixture.db) == .written)
        let lines = fixture.published(feed) ?? []
        #expect(lines.filter { $0 == "BEGIN:VEVENT" }.count == 2, "the good event and the one whose nulls are only absent fields")
        #expect(lines.contains("SUMMARY:Good") && lines.contains("RRULE:FREQ=DAILY;COUNT=2"))
    }
}
