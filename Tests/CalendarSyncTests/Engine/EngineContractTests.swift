import Foundation
import Jobs
import Postgres
import Testing
import Worker

/// The sync engine's contract (docs/sync.md), checked the same way against every provider:
/// Google through its emulator, and a service kept in memory that speaks only the engine's
/// neutral terms. Each test states what the calendars look like after syncs; a provider that
/// passes them all can stand in for Google.
@Suite struct EngineContractTests {
    enum Service: String, CaseIterable, CustomTestStringConvertible {
        case google, memory
        var testDescription: String { rawValue }

        func harness() throws -> any CalendarHarness {
            switch self {
            case .google: try GoogleHarness()
            case .memory: try InMemoryHarness()
            }
        }
    }

    static let personal = "ada@example.com"
    static let work = "ada.work@example.com"
    /// The day after the pinned now, 09:00 UTC: inside the mirror window.
    static let tomorrow = EngineHarness.now.addingTimeInterval(33 * 3600)

    /// Two accounts of one owner, both copied, so the group's mirror step has complete copies.
    func group(_ service: Service) throws -> (harness: any CalendarHarness, personal: Int64, work: Int64) {
        let harness = try service.harness()
        let personal = try harness.connect(email: Self.personal)
        let work = try harness.connect(email: Self.work)
        return (harness, personal, work)
    }

    /// The local copy of a calendar: id -> status, as the engine stored it.
    func local(_ harness: any CalendarHarness, _ calendar: String) throws -> [String: String] {
        var copy: [String: String] = [:]
        for row in try harness.db.query("SELECT event_id, status FROM calworker.events WHERE calendar_id = $1", [calendar]) {
            copy[try row.decode(at: 0)] = try row.decode(at: 1)
        }
        return copy
    }

    @Test(arguments: Service.allCases)
    func aFirstSyncCopiesEveryEventAndMirrorsItIntoTheOtherCalendar(service: Service) throws {
        let (harness, personal, work) = try group(service)
        for index in 0..<5 {
            try harness.add(
                Self.personal, id: "ev00\(index)", summary: "Dentist \(index)", start: Self.tomorrow.addingTimeInterval(Double(index) * 86_400),
                hours: 1)
        }
        _ = try harness.sync(work)
        let figures = try harness.sync(personal)

        #expect(figures["events_fetched"] == 5)
        #expect(figures["mirrors_inserted"] == 5, "\(figures)")
        let copy = try local(harness, Self.personal)
        #expect(copy.count == 5 && copy.values.allSatisfy { $0 == "confirmed" })
        let mirrors = harness.live(Self.work)
        #expect(mirrors.count == 5 && mirrors.allSatisfy(\.isMirror))
        #expect(Set(mirrors.map(\.summary)) == ["Busy"], "a busy block shows no title by default")
        #expect(Set(mirrors.compactMap(\.start)) == Set(harness.live(Self.personal).compactMap(\.start)))
        #expect(harness.live(Self.personal).filter(\.isMirror).isEmpty, "nothing mirrors back into the source")
    }

    @Test(arguments: Service.allCases)
    func aMovedEventMovesItsBusyBlockAndADeletedOneTakesItAway(service: Service) throws {
        let (harness, personal, work) = try group(service)
        try harness.add(Self.personal, id: "evmove", summary: "Moves", start: Self.tomorrow, hours: 1)
        try harness.add(Self.personal, id: "evgone", summary: "Goes", start: Self.tomorrow.addingTimeInterval(7200), hours: 1)
        _ = try harness.sync(work)
        _ = try harness.sync(personal)
        #expect(harness.live(Self.work).count == 2)

        let later = Self.tomorrow.addingTimeInterval(86_400 + 3600)
        try harness.move(Self.personal, id: "evmove", start: later, hours: 2)
        try harness.remove(Self.personal, id: "evgone")
        let figures = try harness.sync(personal)

        #expect(figures["full_syncs"] == 0, "incremental")
        #expect(figures["mirrors_patched"] == 1 && figures["mirrors_deleted"] == 1, "\(figures)")
        #expect(harness.live(Self.work).map(\.start) == [later])
        #expect(try local(harness, Self.personal)["evgone"] == "cancelled", "a deleted event stays as a tombstone")
    }

    @Test(arguments: Service.allCases)
    func anExpiredCursorMeansAFullListingThatReconcilesTheCopy(service: Service) throws {
        let (harness, personal, work) = try group(service)
        for index in 0..<3 {
            try harness.add(
                Self.personal, id: "ev10\(index)", summary: "E\(index)", start: Self.tomorrow.addingTimeInterval(Double(index) * 3600), hours: 1)
        }
        _ = try harness.sync(work)
        _ = try harness.sync(personal)
        try harness.remove(Self.personal, id: "ev101")
        try harness.expireCursors()

        let figures = try harness.sync(personal)

        #expect(figures["full_syncs"] == 1, "\(figures)")
        #expect(try local(harness, Self.personal) == ["ev100": "confirmed", "ev101": "cancelled", "ev102": "confirmed"])
        #expect(harness.live(Self.work).count == 2, "the deleted event's busy block went with it")
    }

    @Test(arguments: Service.allCases)
    func aBusyBlockEditedBehindTheEnginesBackIsBroughtBackOnTheNextChange(service: Service) throws {
        let (harness, personal, work) = try group(service)
        try harness.add(Self.personal, id: "evsrc", summary: "Source", start: Self.tomorrow, hours: 1)
        _ = try harness.sync(work)
        _ = try harness.sync(personal)
        let mirror = try #require(harness.live(Self.work).first)
        // Someone edits the busy block after the engine last saw it: its etag is stale locally.
        try harness.retitle(Self.work, id: mirror.id, summary: "Edited by hand")
        try harness.move(Self.personal, id: "evsrc", start: Self.tomorrow.addingTimeInterval(3600), hours: 1)

        let figures = try harness.sync(personal)

        #expect(figures["mirror_conflicts_resolved"] == 1, "the stale etag's write failed its precondition: \(figures)")
        let after = try #require(harness.live(Self.work).first)
        #expect(after.summary == "Busy" && after.start == Self.tomorrow.addingTimeInterval(3600))
    }

    @Test(arguments: Service.allCases)
    func anUnchangedAccountCostsOneCallForItsListAndOneForItsCalendar(service: Service) throws {
        let (harness, personal, work) = try group(service)
        try harness.add(Self.personal, id: "evone", summary: "One", start: Self.tomorrow, hours: 1)
        _ = try harness.sync(work)
        _ = try harness.sync(personal)

        let figures = try harness.sync(personal)

        let calls = figures.values.filter { $0.key.hasPrefix("api_") }.map(\.value).reduce(0, +)
        #expect(calls == 2, "\(figures)")
        #expect(figures["mirrors_planned"] == 0)
    }

    /// During a rolling upgrade a newer worker may connect an account at a service this one
    /// does not speak: the group's other busy blocks are still written, and those into that
    /// account's calendars are left for a worker that speaks it, counted.
    @Test func writesIntoAnAccountAtAnUnknownServiceAreSkippedAndTheRestAreMade() throws {
        let harness = try InMemoryHarness()
        let personal = try harness.connect(email: Self.personal)
        let work = try harness.connect(email: Self.work)
        let third = try harness.connect(email: "ada.club@example.com")
        _ = try harness.sync(work)
        _ = try harness.sync(third)
        _ = try harness.sync(personal)
        try harness.db.execute("UPDATE calworker.accounts SET provider = 'exchange' WHERE id = $1", [work])
        try harness.add(Self.personal, id: "evnew", summary: "New", start: Self.tomorrow, hours: 1)

        let figures = try harness.sync(personal)

        #expect(figures["mirror_writes_skipped_unknown_provider"] == 1, "\(figures)")
        #expect(figures["mirrors_inserted"] == 1, "the club calendar got its busy block")
        #expect(harness.live("ada.club@example.com").count == 1 && harness.live(Self.work).isEmpty)
    }
}
