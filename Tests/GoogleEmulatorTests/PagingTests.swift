import Foundation
import GoogleEmulator
import HTTPClient
import Testing

/// Paging as Google documents it: page sizes capped at 2500, pages that may be short or empty,
/// `nextSyncToken` only on the last page, and pages that stay consistent while events change.
@Suite struct PagingTests {
    static func events(_ count: Int) -> [[String: Any]] {
        (0..<count).map { EmulatorFixture.timedEvent(summary: "event \($0)", day: 1 + $0 % 28, hour: $0 % 24) }
    }

    /// Every page but the last has a `nextPageToken` and no `nextSyncToken`; the last the reverse.
    static func expectTokensOnlyWhereDue(_ pages: [[String: Any]]) {
        for (index, page) in pages.enumerated() {
            let last = index == pages.count - 1
            #expect((page["nextPageToken"] != nil) == !last, "page \(index)")
            #expect((page["nextSyncToken"] != nil) == last, "page \(index)")
        }
    }

    @Test func pagesAreCappedAt2500AndTheSyncTokenComesLast() throws {
        let fixture = try EmulatorFixture(events: Self.events(3000))
        defer { fixture.stop() }
        let pages = try fixture.listAll("maxResults=5000")
        #expect(pages.map { ($0["items"] as? [Any])?.count ?? -1 } == [2500, 500])
        Self.expectTokensOnlyWhereDue(pages)
        #expect(Set(EmulatorFixture.ids(EmulatorFixture.items(pages))).count == 3000)
    }

    @Test func theDefaultPageIs250() throws {
        let fixture = try EmulatorFixture(events: Self.events(300))
        defer { fixture.stop() }
        let pages = try fixture.listAll()
        #expect(pages.map { ($0["items"] as? [Any])?.count ?? -1 } == [250, 50])
        Self.expectTokensOnlyWhereDue(pages)
        let page = pages[0]
        #expect(page["kind"] as? String == "calendar#events")
        #expect(page["timeZone"] as? String == "Europe/Berlin")
        #expect(page["accessRole"] as? String == "owner")
        #expect(page["summary"] as? String == "A")
    }

    @Test func shortAndEmptyPagesStillDeliverEveryEventOnce() throws {
        let fixture = try EmulatorFixture(events: Self.events(60), options: EmulatorOptions(shortPages: true, shortPagesSeed: 7))
        defer { fixture.stop() }
        let pages = try fixture.listAll("maxResults=10")
        let sizes = pages.map { ($0["items"] as? [Any])?.count ?? -1 }
        #expect(sizes.allSatisfy { (0...10).contains($0) })
        #expect(sizes.dropLast().contains { $0 < 10 }, "\(sizes)")
        #expect(zip(sizes, pages).contains { $0 == 0 && $1["nextPageToken"] != nil }, "no empty page with a nextPageToken: \(sizes)")
        Self.expectTokensOnlyWhereDue(pages)
        let ids = EmulatorFixture.ids(EmulatorFixture.items(pages))
        #expect(ids.count == 60)
        #expect(Set(ids).count == 60)
    }

    @Test func pagesKeepTheirSnapshotWhileEventsChange() throws {
        let fixture = try EmulatorFixture(events: Self.events(10))
        defer { fixture.stop() }
        let calendarID = EmulatorFixture.email
        let original = fixture.emulator.events(calendarID: calendarID).compactMap { $0["id"] as? String }
        let first = try EmulatorFixture.json(fixture.api("\(EmulatorFixture.calendarPath)/events", query: "maxResults=3"))
        let seen = EmulatorFixture.ids(first["items"] as? [[String: Any]] ?? [])
        #expect(seen == Array(original.prefix(3)))
        // While the client pages: one seen event is deleted, one unseen changed, one added.
        try fixture.emulator.deleteEvent(calendarID: calendarID, eventID: seen[0])
        try fixture.emulator.patchEvent(calendarID: calendarID, eventID: original[7], ["summary": "moved"])
        let added = try fixture.emulator.createEvent(calendarID: calendarID, EmulatorFixture.timedEvent(summary: "new"))
        var pages = [first]
        var token = first["nextPageToken"] as? String
        while let pageToken = token {
            let page = try EmulatorFixture.json(fixture.api("\(EmulatorFixture.calendarPath)/events", query: "maxResults=3&pageToken=\(pageToken)"))
            pages.append(page)
            token = page["nextPageToken"] as? String
        }
        // Every event of the snapshot exactly once; the new one waits for the next sync.
        #expect(EmulatorFixture.ids(EmulatorFixture.items(pages)).sorted() == original.sorted())
        let syncToken = try #require(pages.last?["nextSyncToken"] as? String)
        let changes = try EmulatorFixture.json(fixture.api("\(EmulatorFixture.calendarPath)/events", query: "syncToken=\(syncToken)"))
        let changed = (changes["items"] as? [[String: Any]] ?? [])
        #expect(Set(EmulatorFixture.ids(changed)) == [seen[0], original[7], added["id"] as! String])
        #expect(changed.first { $0["id"] as? String == seen[0] }?["status"] as? String == "cancelled")
    }

    @Test func aBadPageTokenOrPageSizeIsRefused() throws {
        let fixture = try EmulatorFixture(events: Self.events(5))
        defer { fixture.stop() }
        let garbage = try fixture.api("\(EmulatorFixture.calendarPath)/events", query: "pageToken=garbage")
        #expect(garbage.status == 400)
        #expect(EmulatorFixture.reason(garbage) == "invalid")
        #expect(try fixture.api("\(EmulatorFixture.calendarPath)/events", query: "maxResults=0").status == 400)
        // A page token only continues the query that made it.
        let first = try EmulatorFixture.json(fixture.api("\(EmulatorFixture.calendarPath)/events", query: "maxResults=2"))
        let token = try #require(first["nextPageToken"] as? String)
        #expect(try fixture.api("\(EmulatorFixture.calendarPath)/events", query: "maxResults=2&showDeleted=true&pageToken=\(token)").status == 400)
    }

    @Test func theCalendarListPagesToo() throws {
        let fixture = try EmulatorFixture()
        defer { fixture.stop() }
        for index in 1...4 { try fixture.emulator.addCalendar(account: EmulatorFixture.email, id: "c\(index)@group.calendar.google.com") }
        let pages = try fixture.listAll("maxResults=2", path: "users/me/calendarList")
        #expect(pages.count == 3)
        Self.expectTokensOnlyWhereDue(pages)
        let items = EmulatorFixture.items(pages)
        #expect(items.count == 5)
        #expect(items.filter { $0["primary"] as? Bool == true }.map { $0["id"] as? String } == [EmulatorFixture.email])
        #expect(items.allSatisfy { $0["primary"] == nil || $0["id"] as? String == EmulatorFixture.email })
        #expect(pages[0]["kind"] as? String == "calendar#calendarList")
    }
}
