import Foundation
import Testing

@testable import MirrorPlanner

/// Mirror policies in the planner: direction, detail and filters per link, each converging,
/// and changes back and forth touching only mirrors.
@Suite struct MirrorPolicyTests {
    static func instant(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    static func event(
        _ id: String, in calendar: PlannedCalendar, summary: String = "Team lunch", start: String, hours: Double = 1,
        location: String? = nil, selfResponse: String? = nil
    ) -> PlannedEvent {
        let begin = instant(start)
        return PlannedEvent(
            accountID: calendar.accountID, calendarID: calendar.calendarID, id: id, etag: "\"1\"", summary: summary,
            start: EventTime(instant: begin, timeZone: "Europe/Berlin"),
            end: EventTime(instant: begin.addingTimeInterval(hours * 3600), timeZone: "Europe/Berlin"),
            location: location, selfResponse: selfResponse)
    }

    static func planner(_ policy: MirrorPolicy) -> MirrorPlanner {
        MirrorPlanner(group: "owner-1", rules: SourceRules(now: Sample.now), policy: policy)
    }

    /// Plans, applies, and checks a second plan is empty; returns the writes and the result.
    static func converge(_ policy: MirrorPolicy, _ events: [PlannedEvent], calendars: [PlannedCalendar] = [Sample.a, Sample.b])
        -> (writes: [MirrorWrite], events: [PlannedEvent])
    {
        let planner = planner(policy)
        let writes = planner.plan(calendars: calendars, events: events)
        var simulator = PlannerSimulator(events: events)
        simulator.apply(writes)
        #expect(planner.plan(calendars: calendars, events: simulator.events).isEmpty, "converged")
        return (writes, simulator.events)
    }

    static func liveMirrors(_ events: [PlannedEvent], in calendar: PlannedCalendar) -> [PlannedEvent] {
        events.filter { $0.calendarID == calendar.calendarID && $0.isMirror && !$0.isCancelled }
    }

    @Test func oneWayAndNone() {
        let ours = Self.event("personal1", in: Sample.a, start: "2026-11-23T09:00:00Z")
        let theirs = Self.event("work00001", in: Sample.b, start: "2026-11-24T09:00:00Z")
        var oneWay = MirrorPolicy()
        oneWay.set(MirrorLink(enabled: false), from: Sample.b.calendarID, to: Sample.a.calendarID)
        let result = Self.converge(oneWay, [ours, theirs])
        #expect(Self.liveMirrors(result.events, in: Sample.b).map(\.mirrorSource) == ["\(Sample.a.calendarID)/personal1"])
        #expect(Self.liveMirrors(result.events, in: Sample.a).isEmpty, "work does not block personal time")
        var none = oneWay
        none.set(MirrorLink(enabled: false), from: Sample.a.calendarID, to: Sample.b.calendarID)
        #expect(Self.planner(none).plan(calendars: [Sample.a, Sample.b], events: [ours, theirs]).isEmpty)
    }

    @Test func detailShowsTheTitleOrTheTitleAndLocationAndNeverMore() {
        let source = Self.event("meeting01", in: Sample.a, summary: "Board meeting", start: "2026-11-23T09:00:00Z", location: "Room 4")
        for (detail, summary, location) in [
            (MirrorLink.Detail.busy, "Busy", nil), (.title, "Board meeting", nil), (.titleLocation, "Board meeting", "Room 4"),
        ] {
            var policy = MirrorPolicy()
            policy.set(MirrorLink(detail: detail), from: Sample.a.calendarID, to: Sample.b.calendarID)
            let mirror = Self.converge(policy, [source]).writes.first?.mirror
            #expect(mirror?.summary == summary && mirror?.location == location, "\(detail)")
        }
        // An untitled source shows the busy title.
        var untitled = source
        untitled.summary = nil
        var policy = MirrorPolicy()
        policy.set(MirrorLink(detail: .title), from: Sample.a.calendarID, to: Sample.b.calendarID)
        #expect(Self.converge(policy, [untitled]).writes.first?.mirror?.summary == "Busy")
    }

    @Test func filtersLeaveOutWhatTheyName() {
        let berlin = TimeZone(identifier: "Europe/Berlin")!
        let events = [
            Self.event("monday010", in: Sample.a, summary: "Planning", start: "2026-11-23T09:00:00Z"),  // Monday 10:00 in Berlin
            Self.event("saturday1", in: Sample.a, summary: "Hike", start: "2026-11-21T09:00:00Z"),  // Saturday 10:00
            Self.event("evening01", in: Sample.a, summary: "Dinner", start: "2026-11-23T17:00:00Z"),  // Monday 18:00
            Self.event("lunch0001", in: Sample.a, summary: "Team LUNCH", start: "2026-11-24T11:00:00Z"),
            Self.event("maybe0001", in: Sample.a, summary: "Maybe", start: "2026-11-25T09:00:00Z", selfResponse: "tentative"),
            Self.event("unanswer1", in: Sample.a, summary: "Unanswered", start: "2026-11-25T10:00:00Z", selfResponse: "needsAction"),
            Self.event("accepted1", in: Sample.a, summary: "Accepted", start: "2026-11-25T12:00:00Z", selfResponse: "accepted"),
            PlannedEvent(
                accountID: 1, calendarID: Sample.a.calendarID, id: "allday001", summary: "Conference", start: EventTime(date: "2026-11-26"),
                end: EventTime(date: "2026-11-27")),
        ]
        func mirrored(_ link: MirrorLink) -> Set<String> {
            var policy = MirrorPolicy()
            policy.set(link, from: Sample.a.calendarID, to: Sample.b.calendarID)
            return Set(
                Self.liveMirrors(Self.converge(policy, events).events, in: Sample.b).compactMap { $0.mirrorSource?.components(separatedBy: "/").last }
            )
        }
        let all: Set = ["monday010", "saturday1", "evening01", "lunch0001", "maybe0001", "unanswer1", "accepted1", "allday001"]
        #expect(mirrored(MirrorLink()) == all)
        #expect(mirrored(MirrorLink(skipAllDay: true)) == all.subtracting(["allday001"]))
        #expect(mirrored(MirrorLink(skipTentative: true)) == all.subtracting(["maybe0001", "unanswer1"]))
        #expect(
            mirrored(MirrorLink(workingHours: .init(start: 9 * 60, end: 17 * 60, zone: berlin)))
                == ["monday010", "lunch0001", "maybe0001", "unanswer1", "accepted1"], "weekdays 09:00-17:00 in Berlin; all-day is outside")
        #expect(mirrored(MirrorLink(skipTitle: MirrorLink.pattern("lunch|^hike$"))) == all.subtracting(["lunch0001", "saturday1"]))
    }

    @Test func aMovedOccurrenceOutsideWorkingHoursIsCancelledInTheMirrorSeries() {
        var series = Self.event("standup01", in: Sample.a, summary: "Standup", start: "2026-11-23T08:30:00Z", hours: 0.25)
        series.recurrence = ["RRULE:FREQ=DAILY;COUNT=5"]
        var moved = Self.event("standup01_20261124T083000Z", in: Sample.a, summary: "Standup", start: "2026-11-24T19:00:00Z", hours: 0.25)
        moved.recurringEventID = "standup01"
        moved.originalStart = EventTime(instant: Self.instant("2026-11-24T08:30:00Z"), timeZone: "Europe/Berlin")
        var policy = MirrorPolicy()
        policy.set(
            MirrorLink(workingHours: .init(start: 8 * 60, end: 18 * 60, zone: TimeZone(identifier: "Europe/Berlin")!)),
            from: Sample.a.calendarID, to: Sample.b.calendarID)
        let result = Self.converge(policy, [series, moved])
        #expect(result.writes.map(\.action) == [.insert, .delete], "the series, and its moved occurrence cancelled in the mirror: \(result.writes)")
    }

    @Test func changingAPolicyBackAndForthTouchesOnlyMirrorsAndLeavesNoDuplicates() {
        let sources = [
            Self.event("personal1", in: Sample.a, summary: "Dentist", start: "2026-11-23T09:00:00Z", location: "Main St"),
            Self.event("work00001", in: Sample.b, summary: "1:1", start: "2026-11-24T09:00:00Z"),
        ]
        let sourceIDs = Set(sources.map(\.id))
        var events = sources
        var policies: [MirrorPolicy] = [MirrorPolicy()]
        var titled = MirrorPolicy()
        titled.set(MirrorLink(detail: .titleLocation), from: Sample.a.calendarID, to: Sample.b.calendarID)
        var off = MirrorPolicy()
        off.set(MirrorLink(enabled: false), from: Sample.a.calendarID, to: Sample.b.calendarID)
        off.set(MirrorLink(enabled: false), from: Sample.b.calendarID, to: Sample.a.calendarID)
        policies += [titled, off, MirrorPolicy(), titled, MirrorPolicy()]
        for (step, policy) in policies.enumerated() {
            let result = Self.converge(policy, events)
            #expect(result.writes.allSatisfy { !sourceIDs.contains($0.eventID) }, "step \(step): only mirrors are written")
            events = result.events
            for calendar in [Sample.a, Sample.b] {
                let mirrors = Self.liveMirrors(events, in: calendar)
                #expect(Set(mirrors.map(\.mirrorSource)).count == mirrors.count, "step \(step): no duplicate mirror in \(calendar.calendarID)")
            }
            #expect(events.filter { sourceIDs.contains($0.id) } == sources, "step \(step): the user's events are as they were")
        }
        #expect(Self.liveMirrors(events, in: Sample.b).first?.summary == "Busy" && Self.liveMirrors(events, in: Sample.b).first?.location == nil)
        #expect(Self.liveMirrors(events, in: Sample.a).count == 1 && Self.liveMirrors(events, in: Sample.b).count == 1)
    }

    @Test func workingHoursAndPatternsAreReadStrictly() {
        #expect(MirrorLink.WorkingHours.minutes("09:00-17:30")! == (540, 1050))
        for text in ["17:00-09:00", "9-17", "09:00-24:01", "09:60-10:00", "", "09:00-09:00", "-1:00-02:00"] {
            #expect(MirrorLink.WorkingHours.minutes(text) == nil, "\(text)")
        }
        #expect(
            MirrorLink.pattern("(unclosed") == nil && MirrorLink.pattern(String(repeating: "a", count: 201)) == nil && MirrorLink.pattern("") == nil)
    }
}
