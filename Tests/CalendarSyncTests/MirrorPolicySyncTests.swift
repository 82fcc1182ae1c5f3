import Accounts
import CalendarSync
import Foundation
import GoogleEmulator
import Jobs
import MirrorPlanner
import Mirroring
import Postgres
import TestSupport
import Testing
import Worker

/// Mirror policies against the emulator: each filter and detail, one-way links, a dry run that
/// changes nothing, and a policy changed back and forth converging with no duplicate and no
/// user event touched.
@Suite struct MirrorPolicySyncTests {
    static let personal = SyncFixture.email
    static let work = MirrorSyncTests.work
    static let team = "team@group.calendar.google.com"

    /// The user's own events everywhere (not calworker's), by calendar and id: what must never change.
    static func userEvents(_ emulator: GoogleEmulator) -> [String: String] {
        var found: [String: String] = [:]
        for calendar in MirrorSyncTests.calendars {
            for event in emulator.events(calendarID: calendar) where !isMirrorEvent(event) {
                found["\(calendar)/\(event["id"] as? String ?? "?")"] = "\(event["etag"] ?? "-") \(event["status"] ?? "-")"
            }
        }
        return found
    }

    /// Live mirrors in `calendar` by the source they mirror: (summary, location).
    static func mirrors(_ emulator: GoogleEmulator, in calendar: String) -> [String: (String?, String?)] {
        var found: [String: (String?, String?)] = [:]
        for event in emulator.events(calendarID: calendar) where isLiveMirror(event) {
            let source = ((event["extendedProperties"] as? [String: Any])?["private"] as? [String: Any])?["calworkerSource"] as? String ?? "?"
            #expect(found[source] == nil, "one mirror of \(source) in \(calendar)")
            found[source] = (event["summary"] as? String, event["location"] as? String)
            #expect(
                event["visibility"] as? String == "private" && event["description"] == nil && ((event["attendees"] as? [Any])?.isEmpty ?? true),
                "a mirror is private and carries no description or attendees")
        }
        return found
    }

    @Test func policiesFiltersAndADryRunAgainstTheEmulator() throws {
        let (fixture, second) = try MirrorSyncTests.twoAccounts()
        let emulator = fixture.emulator
        let berlin: [String: String] = ["timeZone": "Europe/Berlin"]
        func at(_ time: String) -> [String: String] { berlin.merging(["dateTime": time]) { $1 } }
        let personalEvents: [[String: Any]] = [
            [
                "id": "planning01", "summary": "Planning", "location": "Room 4", "description": "secret agenda",
                "start": at("2026-11-23T10:00:00+01:00"), "end": at("2026-11-23T11:00:00+01:00"),
            ],  // Monday, working hours
            ["id": "hike000001", "summary": "Hike", "start": at("2026-11-28T10:00:00+01:00"), "end": at("2026-11-28T15:00:00+01:00")],  // Saturday
            ["id": "lunch00001", "summary": "Team Lunch", "start": at("2026-11-24T12:00:00+01:00"), "end": at("2026-11-24T13:00:00+01:00")],
            [
                "id": "maybe00001", "summary": "Maybe", "start": at("2026-11-25T10:00:00+01:00"), "end": at("2026-11-25T11:00:00+01:00"),
                "attendees": [
                    ["email": Self.personal, "self": true, "responseStatus": "tentative"], ["email": "boss@example.com", "organizer": true],
                ],
            ],
            ["id": "holiday001", "summary": "Holiday", "start": ["date": "2026-11-26"], "end": ["date": "2026-11-27"]],
        ]
        for event in personalEvents { _ = try emulator.createEvent(calendarID: Self.personal, event) }
        _ = try emulator.createEvent(
            calendarID: Self.work,
            [
                "id": "oneonone01", "summary": "1:1", "start": at("2026-11-24T09:00:00+01:00"),
                "end": at("2026-11-24T09:30:00+01:00"),
            ])
        func syncAll() throws { for id in [fixture.accountID, second, fixture.accountID] { _ = try fixture.syncUntilSuccess(accountID: id) } }
        try syncAll()
        #expect(MirrorSyncTests.check(emulator, calendars: MirrorSyncTests.calendars) == [], "the default: everything, busy only")
        let users = Self.userEvents(emulator)

        // Personal into work: title and location, weekdays 09:00-17:00, no all-day, no tentative, no lunches.
        // Work into personal: nothing. Personal into team: untouched (the default).
        try MirrorPolicyStore.save(
            .init(
                sourceCalendar: Self.personal, targetCalendar: Self.work, detail: "title_location", skipAllDay: true,
                skipTentative: true, workingHours: "09:00-17:00", skipTitle: "lunch"), owner: "owner-1", on: fixture.db)
        try MirrorPolicyStore.save(.init(sourceCalendar: Self.work, targetCalendar: Self.personal, enabled: false), owner: "owner-1", on: fixture.db)

        // A dry run of going back to the defaults: it plans writes, and writes nothing.
        let before = emulator.stateJSON()
        let planned = try GroupMirroring(
            accountID: fixture.accountID, providers: fixture.environment.syncEngine(metrics: fixture.metrics).providers,
            timeZones: fixture.environment.syncEngine(metrics: fixture.metrics).timeZones, store: AccountStore(cipher: nil),
            db: fixture.db, metrics: fixture.metrics, shouldAbort: { false }, now: SyncFixture.now
        )
        .plan(policy: MirrorPolicy())
        #expect(planned.isEmpty, "nothing synced under the new policy yet: going back to the defaults changes nothing")
        let proposed = try GroupMirroring(
            accountID: fixture.accountID, providers: fixture.environment.syncEngine(metrics: fixture.metrics).providers,
            timeZones: fixture.environment.syncEngine(metrics: fixture.metrics).timeZones, store: AccountStore(cipher: nil),
            db: fixture.db, metrics: fixture.metrics, shouldAbort: { false }, now: SyncFixture.now
        ).plan()
        #expect(
            proposed.contains { $0.action == .delete } && proposed.contains { $0.action == .patch },
            "the stored policy's writes: \(proposed.map(\.action))")
        #expect(emulator.stateJSON() == before, "planning wrote nothing")

        try syncAll()
        let intoWork = Self.mirrors(emulator, in: Self.work).filter { $0.key.hasPrefix(Self.personal + "/") }
        #expect(
            Set(intoWork.keys) == ["\(Self.personal)/planning01"],
            "only the weekday, working-hours, accepted, non-lunch, timed event: \(intoWork.keys)")
        #expect(intoWork["\(Self.personal)/planning01"].map { [$0.0, $0.1] } == ["Planning", "Room 4"])
        #expect(Self.mirrors(emulator, in: Self.personal).isEmpty, "work blocks nothing in personal; the team calendar has no sources")
        #expect(Self.mirrors(emulator, in: Self.team).count == personalEvents.count + 1, "personal and work into team: unchanged, busy")
        #expect(Self.mirrors(emulator, in: Self.team).values.allSatisfy { $0.0 == "Busy" && $0.1 == nil })
        #expect(Self.userEvents(emulator) == users, "no user event touched")

        // Back to the defaults, and again to the policy, and back: converged each time, no duplicate.
        for step in 0..<3 {
            let restrictive = step == 1
            try MirrorPolicyStore.save(
                restrictive
                    ? .init(sourceCalendar: Self.personal, targetCalendar: Self.work, detail: "title", skipAllDay: true)
                    : .init(sourceCalendar: Self.personal, targetCalendar: Self.work), owner: "owner-1", on: fixture.db)
            try MirrorPolicyStore.save(
                .init(sourceCalendar: Self.work, targetCalendar: Self.personal, enabled: true), owner: "owner-1", on: fixture.db)
            try syncAll()
            let problems = MirrorSyncTests.check(emulator, calendars: MirrorSyncTests.calendars)
            if restrictive {
                #expect(
                    problems.allSatisfy { $0.contains("\(Self.personal)/") && $0.contains("in \(Self.work)") },
                    "only personal→work differs: \(problems)")
                #expect(Self.mirrors(emulator, in: Self.work)["\(Self.personal)/holiday001"] == nil)
                #expect(Self.mirrors(emulator, in: Self.work)["\(Self.personal)/hike000001"].map { $0.0 } == "Hike")
            } else {
                #expect(problems == [], "step \(step): back to the defaults, converged")
            }
            #expect(Self.userEvents(emulator) == users, "step \(step): no user event touched")
            _ = Self.mirrors(emulator, in: Self.work)  // checks one mirror per source
        }
        // Converged: another round writes nothing.
        for id in [fixture.accountID, second] {
            #expect(try fixture.syncUntilSuccess(accountID: id)["mirrors_planned"] == 0)
        }
    }
}
