import Foundation
import MirrorPlanner
import Mirroring
import Notify
import Postgres
import TestSupport
import Testing

/// Mirror policies as stored: what `save` refuses, and a row another program wrote that the
/// planner cannot use in full.
@Suite struct MirrorPolicyStoreTests {
    @Test func savingRefusesWhatThePlannerCouldNotUseAndReadingSurvivesABadRow() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let db = try database.connect()
        _ = try SeededOwner.add(owner: "o", calendars: ["a@example.com", "b@example.com"], on: db)
        typealias Link = MirrorPolicyStore.StoredLink
        for bad in [
            Link(sourceCalendar: "a@example.com", targetCalendar: "a@example.com"),
            Link(sourceCalendar: "a@example.com", targetCalendar: "elsewhere@example.com"),
            Link(sourceCalendar: "a@example.com", targetCalendar: "b@example.com", detail: "everything"),
            Link(sourceCalendar: "a@example.com", targetCalendar: "b@example.com", workingHours: "25:00-26:00"),
            Link(sourceCalendar: "a@example.com", targetCalendar: "b@example.com", skipTitle: "(?<unclosed"),
            Link(sourceCalendar: "a@example.com", targetCalendar: "b@example.com", skipTitle: String(repeating: "x", count: 201)),
        ] {
            #expect(throws: MirrorPolicyStore.Refusal.self, "\(bad)") { try MirrorPolicyStore.save(bad, owner: "o", on: db) }
        }
        #expect(try MirrorPolicyStore.links(owner: "o", on: db).isEmpty)

        // Another program wrote a pattern that does not compile and a zone nobody knows.
        try db.execute(
            """
            INSERT INTO calworker.mirror_links (owner, source_calendar, target_calendar, detail, skip_title, work_start, work_end)
            VALUES ('o', 'a@example.com', 'b@example.com', 'title', '([unclosed', 540, 1020)
            """)
        try db.execute("INSERT INTO calworker.notification_settings (owner, time_zone) VALUES ('o', 'Mars/Olympus')")
        let zones = OwnerTimeZones { owner, db in try OwnerReminders.timeZone(owner: owner, on: db) }
        let link = try MirrorPolicyStore.policy(owner: "o", timeZones: zones, on: db).link(from: "a@example.com", to: "b@example.com")
        #expect(link.detail == .title && link.skipTitle == nil, "the unusable filter is off, the rest holds")
        #expect(link.workingHours?.zone.secondsFromGMT(for: Date()) == 0, "an unknown zone is UTC")
        #expect(try MirrorPolicyStore.policy(owner: "o", timeZones: zones, on: db).link(from: "b@example.com", to: "a@example.com") == .default)
    }
}
