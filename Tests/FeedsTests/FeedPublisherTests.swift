import Basics
import Feeds
import Foundation
import Media
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
        try fixture.publisher.remove(token: feed.token, on: fixture.db)
        #expect(fixture.published(feed) == nil)
        // A job that read the feed before the rotation publishes it now: it must not come back.
        #expect(try fixture.publisher.publish(feed, on: fixture.db) == .superseded)
        #expect(fixture.published(feed) == nil)
        #expect(try fixture.publisher.publish(rotated, on: fixture.db) == .written)
        #expect(events(fixture.published(rotated)) == ["SUMMARY:Dentist"])
    }

    @Test func theSweepRemovesOnlyObjectsCalworkerWroteAndNoFeedHolds() throws {
        let fixture = try FeedsFixture()
        let kept = try FeedStore().create(owner: "user-1", calendar: nil, detail: "busy", attendees: false, name: nil, on: fixture.db)
        let gone = try FeedStore().create(owner: "user-1", calendar: nil, detail: "full", attendees: false, name: "Gone", on: fixture.db)
        #expect(try fixture.publisher.publish(kept, on: fixture.db) == .written)
        #expect(try fixture.publisher.publish(gone, on: fixture.db) == .written)
        let folder = fixture.root + "/feeds/"
        // What others keep in the same folder: old, named like feeds, in a subfolder too.
        try FileManager.default.createDirectory(atPath: folder + "archive", withIntermediateDirectories: true)
        let strays = ["archive/x.ics", "stray-\(String(repeating: "s", count: 40)).ics", "notes.txt"]
        for name in strays {
            _ = FileManager.default.createFile(atPath: folder + name, contents: Data("someone else's".utf8))
            try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-7200)], ofItemAtPath: folder + name)
        }
        // A feed that went with its calendar; a feed published under an earlier target; a record
        // another program wrote badly; and one written a moment ago by an export under way.
        try fixture.db.execute("DELETE FROM calworker.feeds WHERE id = $1", [gone.id])
        try FileManager.default.createDirectory(atPath: fixture.root + "/old", withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: fixture.root + "/old/" + kept.objectName, contents: Data("old".utf8))
        try fixture.db.execute(
            "INSERT INTO calworker.feed_objects (location, token) VALUES ($1, $2), ('not a location', $3)",
            ["file://\(fixture.root)/old/\(kept.objectName)", kept.token, String(repeating: "b", count: 43)])
        try fixture.db.execute("UPDATE calworker.feed_objects SET written_at = now() - interval '1 hour'")
        let fresh = String(repeating: "f", count: 43)
        _ = FileManager.default.createFile(atPath: folder + fresh + ".ics", contents: Data("new".utf8))
        try fixture.db.execute("INSERT INTO calworker.feed_objects (location, token) VALUES ($1, $2)", ["file://\(folder)\(fresh).ics", fresh])

        let sweep = try fixture.publisher.removeOrphans(on: fixture.db)
        #expect(sweep == FeedPublisher.Sweep(removed: 2, unreadable: 1), "the deleted feed's object and the earlier target's")
        let left = Set(try FileManager.default.subpathsOfDirectory(atPath: folder))
        #expect(left == Set(strays + ["archive", kept.objectName, fresh + ".ics"]), "nothing calworker did not write: \(left.sorted())")
        #expect(!FileManager.default.fileExists(atPath: fixture.root + "/old/" + kept.objectName))
        let records = try fixture.db.query("SELECT location FROM calworker.feed_objects ORDER BY location").map { try $0.decode(String.self, at: 0) }
        #expect(records.count == 3 && records.contains("not a location"), "\(records)")
    }

    @Test func theMediaRootItselfAsTargetLosesNothingToTheSweep() throws {
        let fixture = try FeedsFixture()
        let wide = FeedPublisher(
            stores: fixture.publisher.stores, target: try FeedPublisher.target("file://\(fixture.root)", mediaRoot: fixture.root),
            spoolDirectory: fixture.root)
        let photo = fixture.root + "/photos/IMG_0001.ics"
        try FileManager.default.createDirectory(atPath: fixture.root + "/photos", withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: photo, contents: Data("not ours".utf8))
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-86_400)], ofItemAtPath: photo)
        #expect(try wide.removeOrphans(on: fixture.db) == FeedPublisher.Sweep())
        #expect(FileManager.default.fileExists(atPath: photo))
    }

    @Test(arguments: [
        ("s3://My_Bucket/feeds/", "not an S3 bucket name"), ("https://cdn.example.com/feeds/", "read-only"),
        ("file:///etc/feeds/", "outside the media root"), ("feeds/", "not a media URL"),
    ])
    func anUnusableTargetIsRefusedWithTheReason(target: String, reason: String) throws {
        let fixture = try FeedsFixture()
        #expect(throws: MediaError.self) { try FeedPublisher.target(target, mediaRoot: fixture.root) }
        do {
            _ = try FeedPublisher.target(target, mediaRoot: fixture.root)
        } catch {
            #expect(error.message.contains(reason), "\(target): \(error)")
        }
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
