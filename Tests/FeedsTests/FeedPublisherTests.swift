import Basics
import Feeds
import Foundation
import Postgres
import TestSupport
import Testing

/// Publishing feeds to a file target: what each shows, and that an unchanged feed is neither
/// rendered nor rewritten.
@Suite struct FeedPublisherTests {
    func events(_ lines: [String]?) -> [String] { (lines ?? []).filter { $0.hasPrefix("SUMMARY:") } }

    @Test func anOwnersFeedMergesTheirCalendarsOnceEachAndNeverShowsBusyBlocks() throws {
        let fixture = try FeedsFixture()
        try fixture.event("dentist", summary: "Dentist")
        try fixture.event("review", calendar: "team@group.calendar.google.com", summary: "Review")
        // An invitation seen from both calendars: the same iCalUID twice.
        try fixture.event("offsite", summary: "Offsite")
        try fixture.event("offsite", calendar: "team@group.calendar.google.com", summary: "Offsite")
        try fixture.event("mirror1", summary: "Busy (mirrored by calworker)", mirror: true)
        let feed = try FeedStore().create(owner: "user-1", calendar: nil, detail: "full", attendees: false, name: nil, on: fixture.db)
        #expect(try fixture.publisher.publish(feed, on: fixture.db) == .written)
        #expect(events(fixture.published(feed)).sorted() == ["SUMMARY:Dentist", "SUMMARY:Offsite", "SUMMARY:Review"])
        #expect(try FeedStore().feed(id: feed.id, on: fixture.db)?.events == 3)

        let team = try FeedStore().create(
            owner: "user-1", calendar: (fixture.accountID, "team@group.calendar.google.com"), detail: "busy",
            attendees: false, name: "Team", on: fixture.db)
        #expect(try fixture.publisher.publish(team, on: fixture.db) == .written)
        #expect(events(fixture.published(team)) == ["SUMMARY:Busy", "SUMMARY:Busy"], "one calendar, busy detail: its two events, no titles")
        #expect(fixture.published(team)?.contains("X-WR-CALNAME:Team") == true)

        // A calendar taken out of mirroring leaves the owner's feed.
        try fixture.db.execute("UPDATE calworker.calendars SET excluded = true WHERE calendar_id = 'team@group.calendar.google.com'")
        #expect(try fixture.publisher.publish(feed, on: fixture.db) == .written)
        #expect(events(fixture.published(feed)).sorted() == ["SUMMARY:Dentist", "SUMMARY:Offsite"])
    }

    @Test func aStoppedJobStopsTheRenderingAndPublishesNothing() throws {
        let fixture = try FeedsFixture()
        try fixture.event("dentist", summary: "Dentist")
        let feed = try FeedStore().create(owner: "user-1", calendar: nil, detail: "busy", attendees: false, name: nil, on: fixture.db)
        let stopped = FeedPublisher(
            stores: fixture.publisher.stores, target: fixture.publisher.target, spoolDirectory: fixture.root, shouldStop: { true })
        #expect(throws: StopRequested.self) { try stopped.publish(feed, on: fixture.db) }
        #expect(fixture.published(feed) == nil, "nothing was written")
        #expect(try fixture.publisher.publish(feed, on: fixture.db) == .written, "the next export renders it")
    }

    @Test func anUnchangedFeedIsNotRenderedAndTheSameBytesAreNotRewritten() throws {
        let fixture = try FeedsFixture()
        try fixture.event("dentist", summary: "Dentist")
        let feed = try FeedStore().create(owner: "user-1", calendar: nil, detail: "busy", attendees: false, name: nil, on: fixture.db)
        #expect(try fixture.publisher.publish(feed, on: fixture.db) == .written)
        let first = try #require(fixture.modified(feed))
        #expect(try fixture.publisher.publish(feed, on: fixture.db) == .skipped, "nothing changed: not even rendered")
        Thread.sleep(forTimeInterval: 1.1)
        // The sync wrote the event again (a new title, which a busy feed does not show): rendered, same bytes, not written.
        try fixture.event("dentist", summary: "Dentist (moved room)")
        #expect(try fixture.publisher.publish(feed, on: fixture.db) == .unchanged)
        #expect(fixture.modified(feed) == first, "the object was not rewritten, so its ETag stays")
        // A new event changes the bytes.
        try fixture.event("standup", summary: "Standup", start: "2026-12-08T09:00:00+01:00", end: "2026-12-08T09:15:00+01:00")
        #expect(try fixture.publisher.publish(feed, on: fixture.db) == .written)
        #expect(events(fixture.published(feed)).count == 2)
        #expect(try fixture.publisher.publish(feed, force: true, on: fixture.db) == .unchanged, "forced: rendered, but the same")
    }

    @Test func aRotatedFeedsOldAddressDiesAndAStaleRenderingDoesNotRevive() throws {
        let fixture = try FeedsFixture()
        try fixture.event("dentist", summary: "Dentist")
        let store = FeedStore()
        let feed = try store.create(owner: "user-1", calendar: nil, detail: "full", attendees: false, name: nil, on: fixture.db)
        #expect(try fixture.publisher.publish(feed, on: fixture.db) == .written)
        let rotated = try #require(try store.rotate(id: feed.id, on: fixture.db))
        #expect(rotated.token != feed.token && rotated.token.count == 43)
        #expect(rotated.token.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
        try fixture.publisher.remove(token: feed.token)
        #expect(fixture.published(feed) == nil)
        // A job that read the feed before the rotation publishes it now: it must not come back.
        #expect(try fixture.publisher.publish(feed, on: fixture.db) == .superseded)
        #expect(fixture.published(feed) == nil)
        #expect(try fixture.publisher.publish(rotated, on: fixture.db) == .written)
        #expect(events(fixture.published(rotated)) == ["SUMMARY:Dentist"])
    }

    @Test func objectsNoFeedHoldsAreRemovedOnceTheyAreOld() throws {
        let fixture = try FeedsFixture()
        let feed = try FeedStore().create(owner: "user-1", calendar: nil, detail: "busy", attendees: false, name: nil, on: fixture.db)
        #expect(try fixture.publisher.publish(feed, on: fixture.db) == .written)
        let folder = fixture.root + "/feeds/"
        for name in ["gone-with-its-calendar.ics", "being-made-now.ics", "notes.txt"] {
            _ = FileManager.default.createFile(atPath: folder + name, contents: Data("x".utf8))
        }
        let hourAgo = Date().addingTimeInterval(-3600)
        for name in ["gone-with-its-calendar.ics", "notes.txt", feed.objectName] {
            try FileManager.default.setAttributes([.modificationDate: hourAgo], ofItemAtPath: folder + name)
        }
        #expect(try fixture.publisher.removeOrphans(on: fixture.db) == 1)
        let left = Set(try FileManager.default.contentsOfDirectory(atPath: folder))
        #expect(left == ["being-made-now.ics", "notes.txt", feed.objectName])
    }

    @Test func feedsAreRefusedForWhatIsNotTheOwners() throws {
        let fixture = try FeedsFixture()
        let store = FeedStore()
        let attempts: [(String, (Int64, String)?, String, Bool)] = [
            ("nobody", nil, "busy", false), ("user-1", (fixture.accountID, "someone-elses@example.com"), "busy", false),
            ("user-1", (999, "ada@example.com"), "busy", false), ("user-1", nil, "everything", false), ("user-1", nil, "busy", true),
            ("", nil, "busy", false),
        ]
        for (owner, calendar, detail, attendees) in attempts {
            #expect(throws: FeedStore.Refusal.self, "\(owner) \(String(describing: calendar)) \(detail)") {
                try store.create(
                    owner: owner, calendar: calendar.map { (account: $0.0, id: $0.1) }, detail: detail, attendees: attendees, name: nil,
                    on: fixture.db)
            }
        }
        #expect(try store.list(on: fixture.db).isEmpty)
        // A calendar deleted with its account takes its feed along (its object goes with the next sweep).
        let feed = try store.create(
            owner: "user-1", calendar: (fixture.accountID, "ada@example.com"), detail: "busy", attendees: false, name: nil,
            on: fixture.db)
        try fixture.db.execute("DELETE FROM calworker.accounts WHERE id = $1", [fixture.accountID])
        #expect(try store.feed(id: feed.id, on: fixture.db) == nil)
    }

    @Test func aStoreThatFailsNamesTheFeedButNeverItsToken() throws {
        let fixture = try FeedsFixture()
        try fixture.event("dentist", summary: "Dentist")
        let feed = try FeedStore().create(owner: "user-1", calendar: nil, detail: "busy", attendees: false, name: nil, on: fixture.db)
        // The target folder is a file: every write into it fails, naming the object's path.
        try FileManager.default.removeItem(atPath: fixture.root + "/feeds")
        _ = FileManager.default.createFile(atPath: fixture.root + "/feeds", contents: Data("not a folder".utf8))
        let error = #expect(throws: FeedError.self) { try fixture.publisher.publish(feed, on: fixture.db) }
        #expect(error.map { !$0.description.contains(feed.token) } == true, "\(String(describing: error))")
        let recorded = try #require(try FeedStore().feed(id: feed.id, on: fixture.db)?.lastError)
        #expect(!recorded.contains(feed.token) && recorded.contains("<token>.ics"), "the object named, its token masked: \(recorded)")
    }
}
