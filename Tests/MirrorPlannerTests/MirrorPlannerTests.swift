import Foundation
import Testing

@testable import MirrorPlanner

@Suite struct MirrorPlannerTests {
    let planner = Sample.planner

    @Test func aTimedEventIsMirroredOnceIntoEveryOtherCalendarAndThenNothingIsWritten() {
        let source = Sample.timed("dentist01", in: Sample.a, from: 24)
        let writes = planner.plan(calendars: [Sample.a, Sample.b, Sample.c], events: [source])
        #expect(writes.map(\.action) == [.insert, .insert])
        #expect(Set(writes.map(\.target)) == [Sample.b, Sample.c])
        let mirror = writes[0].mirror!
        #expect(mirror.summary == "Busy" && mirror.recurrence == nil)
        #expect(mirror.start?.sameTime(as: source.start!) == true && mirror.end?.sameTime(as: source.end!) == true)
        #expect(mirror.start?.timeZone == nil, "a single event is its instants")
        var simulator = PlannerSimulator(events: [source])
        simulator.apply(writes)
        #expect(
            planner.plan(calendars: [Sample.a, Sample.b, Sample.c], events: simulator.events).isEmpty,
            "converged: no write, and no mirror of a mirror")
    }

    @Test func allDayEventsKeepTheirDates() {
        let holiday = PlannedEvent(
            accountID: 1, calendarID: Sample.a.calendarID, id: "holiday01", start: EventTime(date: "2026-11-24"),
            end: EventTime(date: "2026-11-25"))
        let writes = planner.plan(calendars: [Sample.a, Sample.b], events: [holiday])
        #expect(writes.count == 1)
        #expect(writes[0].mirror?.start == EventTime(date: "2026-11-24") && writes[0].mirror?.end == EventTime(date: "2026-11-25"))
    }

    @Test(arguments: [
        PlannedEvent(accountID: 1, calendarID: "ada@example.com", id: "declined1", start: Sample.at(5), end: Sample.at(6), selfDeclined: true),
        PlannedEvent(
            accountID: 1, calendarID: "ada@example.com", id: "free00001", start: Sample.at(5), end: Sample.at(6), transparency: "transparent"),
        PlannedEvent(accountID: 1, calendarID: "ada@example.com", id: "cancel001", status: "cancelled", start: Sample.at(5), end: Sample.at(6)),
        PlannedEvent(
            accountID: 1, calendarID: "ada@example.com", id: "where0001", start: Sample.at(5), end: Sample.at(6), eventType: "workingLocation"),
        PlannedEvent(accountID: 1, calendarID: "ada@example.com", id: "past00001", start: Sample.at(-72), end: Sample.at(-71)),
        PlannedEvent(accountID: 1, calendarID: "ada@example.com", id: "far000001", start: Sample.at(24 * 120), end: Sample.at(24 * 120 + 1)),
        PlannedEvent(
            accountID: 1, calendarID: "ada@example.com", id: "ended0001", start: Sample.at(-24 * 60), end: Sample.at(-24 * 60 + 1),
            recurrence: ["RRULE:FREQ=WEEKLY;UNTIL=20261001T000000Z"]),
    ])
    func eventsThatAreNotSourcesAreNeverMirrored(event: PlannedEvent) {
        #expect(planner.plan(calendars: [Sample.a, Sample.b], events: [event]).isEmpty)
    }

    @Test func aMirrorIsNeverMirroredAndAnOrphanIsDeleted() {
        let stray = PlannedEvent(
            accountID: 1, calendarID: Sample.a.calendarID, id: "mirror001", etag: "\"7\"", start: Sample.at(5),
            end: Sample.at(6), isMirror: true)
        let writes = planner.plan(calendars: [Sample.a, Sample.b], events: [stray])
        #expect(writes == [MirrorWrite(action: .delete, target: Sample.a, eventID: "mirror001", ifMatch: "\"7\"")])
    }

    @Test func outOfOfficeAndFocusTimeAreSources() {
        let events = ["outOfOffice", "focusTime"].enumerated().map { index, type in
            PlannedEvent(
                accountID: 1, calendarID: Sample.a.calendarID, id: "typed\(index)00", start: Sample.at(5), end: Sample.at(6), eventType: type)
        }
        #expect(planner.plan(calendars: [Sample.a, Sample.b], events: events).count == 2)
    }

    @Test func aSeriesWithAMovedAndACancelledOccurrenceIsReflectedInTheMirrorSeries() {
        var series = Sample.timed("standup01", in: Sample.a, from: 24, hours: 0.25)
        series.recurrence = ["RRULE:FREQ=WEEKLY;COUNT=10"]
        let moved = PlannedEvent(
            accountID: 1, calendarID: Sample.a.calendarID, id: "standup01_20261202T090000Z", start: Sample.at(24 * 8 + 2),
            end: Sample.at(24 * 8 + 2.25), recurringEventID: "standup01", originalStart: Sample.at(24 * 8))
        let cancelled = PlannedEvent(
            accountID: 1, calendarID: Sample.a.calendarID, id: "standup01_20261209T090000Z", status: "cancelled",
            recurringEventID: "standup01", originalStart: Sample.at(24 * 15))
        let writes = planner.plan(calendars: [Sample.a, Sample.b], events: [series, moved, cancelled])
        #expect(writes.map(\.action) == [.insert, .patch, .delete])
        let mirrorSeries = writes[0].eventID
        #expect(writes[0].mirror?.recurrence == ["RRULE:FREQ=WEEKLY;COUNT=10"])
        #expect(writes[0].mirror?.start?.timeZone == "Europe/Berlin", "a series keeps its zone")
        #expect(writes[1].eventID == mirrorSeries + "_20261202T090000Z" && writes[1].mirror?.recurringEventID == mirrorSeries)
        #expect(writes[2].eventID == mirrorSeries + "_20261209T090000Z")
        var simulator = PlannerSimulator(events: [series, moved, cancelled])
        simulator.apply(writes)
        #expect(planner.plan(calendars: [Sample.a, Sample.b], events: simulator.events).isEmpty)
    }

    @Test func aSourceThatStopsQualifyingLosesItsMirrors() {
        var source = Sample.timed("meeting01", in: Sample.a, from: 10)
        var simulator = PlannerSimulator(events: [source])
        simulator.apply(planner.plan(calendars: [Sample.a, Sample.b], events: simulator.events))
        source.transparency = "transparent"
        simulator.events[0] = source
        let writes = planner.plan(calendars: [Sample.a, Sample.b], events: simulator.events)
        #expect(writes.map(\.action) == [.delete])
        #expect(writes[0].ifMatch != nil, "deletes are conditional on the mirror's etag")
    }

    @Test func aMirrorEditedOrDeletedByHandIsPutBack() {
        let source = Sample.timed("meeting01", in: Sample.a, from: 10)
        var simulator = PlannerSimulator(events: [source])
        simulator.apply(planner.plan(calendars: [Sample.a, Sample.b], events: simulator.events))
        let mirrorIndex = simulator.events.firstIndex { $0.isMirror }!
        simulator.events[mirrorIndex].summary = "Renamed by hand"
        simulator.events[mirrorIndex].start = Sample.at(30)
        var writes = planner.plan(calendars: [Sample.a, Sample.b], events: simulator.events)
        #expect(writes.map(\.action) == [.patch] && writes[0].ifMatch == simulator.events[mirrorIndex].etag)
        simulator.apply(writes)
        simulator.events[mirrorIndex].status = "cancelled"
        writes = planner.plan(calendars: [Sample.a, Sample.b], events: simulator.events)
        #expect(writes.map(\.action) == [.restore])
        simulator.apply(writes)
        #expect(planner.plan(calendars: [Sample.a, Sample.b], events: simulator.events).isEmpty)
    }

    @Test func anExcludedCalendarLosesItsMirrorsInBothDirections() {
        let inA = Sample.timed("fromAaaaa", in: Sample.a, from: 10)
        let inC = Sample.timed("fromCcccc", in: Sample.c, from: 12)
        var simulator = PlannerSimulator(events: [inA, inC])
        simulator.apply(planner.plan(calendars: [Sample.a, Sample.b, Sample.c], events: simulator.events))
        #expect(simulator.events.filter(\.isMirror).count == 4)
        let writes = planner.plan(calendars: [Sample.a, Sample.b], retired: [Sample.c], events: simulator.events)
        #expect(writes.allSatisfy { $0.action == .delete })
        #expect(writes.count == 3, "the mirror of A's event in C, and the mirrors of C's event in A and B")
        simulator.apply(writes)
        #expect(simulator.events.filter { $0.isMirror && !$0.isCancelled }.map(\.calendarID) == [Sample.b.calendarID])
        #expect(!simulator.events.contains { !$0.isMirror && $0.isCancelled }, "no user event touched")
    }

    @Test func mirrorIDsAreDeterministicBase32HexAndDifferPerGroup() {
        let first = MirrorID.make(group: "owner-1", sourceCalendar: "a", sourceEvent: "e1", targetCalendar: "b")
        #expect(first == MirrorID.make(group: "owner-1", sourceCalendar: "a", sourceEvent: "e1", targetCalendar: "b"))
        #expect(first.count == 26 && first.allSatisfy { "0123456789abcdefghijklmnopqrstuv".contains($0) })
        #expect(first != MirrorID.make(group: "owner-2", sourceCalendar: "a", sourceEvent: "e1", targetCalendar: "b"))
        #expect(first != MirrorID.make(group: "owner-1", sourceCalendar: "a", sourceEvent: "e1", targetCalendar: "c"))
    }

    @Test func aCalendarSharedByTwoAccountsOfTheGroupIsOneCalendar() {
        let shared = PlannedCalendar(accountID: 2, calendarID: Sample.a.calendarID)
        let writes = planner.plan(calendars: [Sample.a, shared, Sample.b], events: [Sample.timed("meeting01", in: Sample.a, from: 10)])
        #expect(writes.map(\.target) == [Sample.b], "never a mirror into the source's own calendar")
    }

    @Test func windowEdgesFollowSyncMD() {
        let rules = SourceRules(now: Sample.now, mirrorDays: 90)
        let endedYesterdayMorning = PlannedEvent(accountID: 1, calendarID: "a", id: "x", start: Sample.at(-30), end: Sample.at(-25))
        let endingWithinTheDay = PlannedEvent(accountID: 1, calendarID: "a", id: "y", start: Sample.at(-30), end: Sample.at(-20))
        let startsIn89Days = PlannedEvent(accountID: 1, calendarID: "a", id: "z", start: Sample.at(24 * 89), end: Sample.at(24 * 89 + 1))
        #expect(!rules.inWindow(endedYesterdayMorning))
        #expect(rules.inWindow(endingWithinTheDay))
        #expect(rules.inWindow(startsIn89Days))
        #expect(SourceRules.until(["RRULE:FREQ=DAILY;UNTIL=20261231"]) != nil)
        #expect(SourceRules.until(["EXDATE:20261201T090000Z", "RRULE:FREQ=DAILY;COUNT=3"]) == nil)
    }

    @Test func anEventMovingIntoAndOutOfTheWindowGainsAndLosesItsMirror() {
        var source = Sample.timed("trip00001", in: Sample.a, from: 24 * 100)
        var simulator = PlannerSimulator(events: [source])
        #expect(planner.plan(calendars: [Sample.a, Sample.b], events: simulator.events).isEmpty, "beyond mirror_days: not yet")
        source.start = Sample.at(24 * 10)
        source.end = Sample.at(24 * 10 + 2)
        simulator.events[0] = source
        var writes = planner.plan(calendars: [Sample.a, Sample.b], events: simulator.events)
        #expect(writes.map(\.action) == [.insert])
        simulator.apply(writes)
        source.start = Sample.at(24 * 200)
        source.end = Sample.at(24 * 200 + 2)
        simulator.events[0] = source
        writes = planner.plan(calendars: [Sample.a, Sample.b], events: simulator.events)
        #expect(writes.map(\.action) == [.delete], "a source that stopped qualifying takes its mirror with it")
    }

    @Test func theSameInstantInAnotherZoneOrOffsetIsNoChange() {
        // The source says 09:00 in New York; the mirror Google keeps may say 14:00Z: one instant.
        let newYork = EventTime(instant: Sample.now.addingTimeInterval(86_400), timeZone: "America/New_York")
        let source = PlannedEvent(
            accountID: 1, calendarID: Sample.a.calendarID, id: "call00001", start: newYork,
            end: EventTime(instant: newYork.instant!.addingTimeInterval(3600), timeZone: "America/New_York"))
        var simulator = PlannerSimulator(events: [source])
        simulator.apply(planner.plan(calendars: [Sample.a, Sample.b], events: simulator.events))
        let mirror = simulator.events.firstIndex(where: \.isMirror)!
        simulator.events[mirror].start?.timeZone = "UTC"
        simulator.events[mirror].end?.timeZone = "Asia/Tokyo"
        #expect(planner.plan(calendars: [Sample.a, Sample.b], events: simulator.events).isEmpty)
        simulator.events[mirror].start?.instant = newYork.instant!.addingTimeInterval(60)
        #expect(planner.plan(calendars: [Sample.a, Sample.b], events: simulator.events).map(\.action) == [.patch], "a minute off is a change")
    }
}

/// Planning is CPU work a job's timeout must be able to stop.
@Suite struct PlanningStopsTests {
    struct Stopped: Error {}

    @Test func aCheckpointThatThrowsEndsThePlanningWithNothingPlanned() {
        let events = (0..<50).map { Sample.timed("event\(1000 + $0)", in: Sample.a, from: Double(24 + $0)) }
        var checks = 0
        #expect(throws: Stopped.self) {
            _ = try Sample.planner.plan(calendars: [Sample.a, Sample.b], events: events) { () throws(Stopped) in
                checks += 1
                if checks == 10 { throw Stopped() }
            }
        }
        #expect(checks == 10, "asked before each source event, and stopped at the tenth")
        var asked = 0
        let all = Sample.planner.plan(calendars: [Sample.a, Sample.b], events: events) { () throws(Never) in asked += 1 }
        #expect(all.count == 50 && asked == 50 + 2, "once per source event and once per target calendar's clean-up")
    }

    @Test func aTitleBuiltToBacktrackIsJudgedWithinTheBound() throws {
        var policy = MirrorPolicy()
        policy.set(MirrorLink(skipTitle: try MirrorLink.compile("(a+)+$")), from: Sample.a.calendarID, to: Sample.b.calendarID)
        let planner = MirrorPlanner(group: Sample.planner.group, rules: Sample.planner.rules, policy: policy)
        var stalled = Sample.timed("stall0001", in: Sample.a, from: 24)
        stalled.summary = String(repeating: "a", count: 300) + "!"
        var skipped = Sample.timed("skip00001", in: Sample.a, from: 30)
        skipped.summary = String(repeating: "a", count: 300)
        let writes = planner.plan(calendars: [Sample.a, Sample.b], events: [stalled, skipped])
        #expect(writes.map(\.eventID).count == 1 && writes.first?.mirror?.source.hasSuffix("stall0001") == true)
    }
}
