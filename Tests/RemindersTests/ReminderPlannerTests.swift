import Foundation
import Reminders
import Testing

@Suite struct ReminderPlannerTests {
    static func utc(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }
    static let berlin = TimeZone(identifier: "Europe/Berlin")!

    static func timed(
        _ id: String, _ start: String, zone: String? = nil, recurrence: [String]? = nil, uid: String? = nil,
        calendar: String = "ada@example.com"
    ) -> ReminderEvent {
        ReminderEvent(
            calendarID: calendar, eventID: id, iCalUID: uid, summary: "Event \(id)", start: ReminderTime(instant: utc(start), timeZone: zone),
            recurrence: recurrence)
    }

    func due(_ events: [ReminderEvent], at now: String, _ preferences: ReminderPreferences = ReminderPreferences()) -> [DueReminder] {
        ReminderPlanner(preferences: preferences, now: Self.utc(now)).plan(events).due
    }

    @Test func aTimedEventIsDueFromItsLeadTimeUntilItStarts() {
        let shift = Self.timed("shift01", "2026-12-01T09:00:00Z")
        #expect(due([shift], at: "2026-12-01T08:29:00Z").isEmpty, "31 minutes before: not yet")
        let now = due([shift], at: "2026-12-01T08:30:00Z")
        #expect(now.count == 1 && now[0].minutesBefore == 30 && now[0].key == "ada@example.com/shift01#2026-12-01T09:00:00Z")
        #expect(due([shift], at: "2026-12-01T08:58:10Z").first?.minutesBefore == 2)
        #expect(due([shift], at: "2026-12-01T09:00:00Z").isEmpty, "started: too late for 'starts in N minutes'")
        #expect(due([shift], at: "2026-12-01T08:50:00Z", ReminderPreferences(leadMinutes: 5)).isEmpty)
    }

    @Test func aWeeklySeriesIsRemindedAtItsLocalTimeAfterTheClocksChange() {
        let standup = Self.timed("standup1", "2026-10-19T07:00:00Z", zone: "Europe/Berlin", recurrence: ["RRULE:FREQ=WEEKLY"])
        #expect(due([standup], at: "2026-10-19T06:31:00Z").count == 1, "summer time: 09:00 Berlin is 07:00Z")
        #expect(due([standup], at: "2026-10-26T06:31:00Z").isEmpty, "winter time: not at the old UTC time")
        let after = due([standup], at: "2026-10-26T07:31:00Z")
        #expect(after.count == 1 && after[0].start == Self.utc("2026-10-26T08:00:00Z"))
    }

    @Test func allDayEventsAreRemindedInTheUsersMorning() {
        let holiday = ReminderEvent(calendarID: "c", eventID: "holiday1", summary: "Holiday", start: ReminderTime(date: "2026-12-05"))
        let tokyo = ReminderPreferences(timeZone: TimeZone(identifier: "Asia/Tokyo")!)
        #expect(due([holiday], at: "2026-12-04T22:59:00Z", tokyo).isEmpty)
        let morning = due([holiday], at: "2026-12-04T23:00:00Z", tokyo)  // 08:00 on 5 December in Tokyo
        #expect(morning.count == 1 && morning[0].allDayDate == "2026-12-05" && morning[0].key == "c/holiday1#2026-12-05")
        #expect(due([holiday], at: "2026-12-04T23:00:00Z").isEmpty, "in UTC it is still the 4th")
        #expect(due([holiday], at: "2026-12-05T15:01:00Z", tokyo).isEmpty, "the day is over in Tokyo")
    }

    @Test func quietHoursHoldRemindersUntilTheyEndIfTheEventHasNotStarted() {
        let early = Self.timed("early001", "2026-12-01T06:15:00Z")  // 07:15 in Berlin
        let quiet = ReminderPreferences(timeZone: Self.berlin, quietStart: 22 * 60, quietEnd: 7 * 60)
        let held = ReminderPlanner(preferences: quiet, now: Self.utc("2026-12-01T05:50:00Z")).plan([early])
        #expect(held.due.isEmpty && held.quietHours == 1, "06:50 in Berlin is quiet")
        #expect(due([early], at: "2026-12-01T06:00:00Z", quiet).count == 1, "07:00: sent, 15 minutes ahead")
    }

    @Test func movedOccurrencesGetTheirNewTimeAndCancelledOnesNone() {
        let series = Self.timed("daily001", "2026-12-01T10:00:00Z", zone: "UTC", recurrence: ["RRULE:FREQ=DAILY"], uid: "daily001@google.com")
        var moved = Self.timed("daily001_20261203T100000Z", "2026-12-03T14:00:00Z", uid: "daily001@google.com")
        moved.recurringEventID = "daily001"
        moved.originalStart = ReminderTime(instant: Self.utc("2026-12-03T10:00:00Z"))
        var cancelled = ReminderEvent(
            calendarID: "ada@example.com", eventID: "daily001_20261204T100000Z", status: "cancelled",
            start: ReminderTime(), recurringEventID: "daily001",
            originalStart: ReminderTime(instant: Self.utc("2026-12-04T10:00:00Z")))
        cancelled.iCalUID = "daily001@google.com"
        let events = [series, moved, cancelled]
        #expect(due(events, at: "2026-12-02T09:45:00Z").map(\.key) == ["daily001@google.com#2026-12-02T10:00:00Z"])
        #expect(due(events, at: "2026-12-03T09:45:00Z").isEmpty, "the occurrence moved away")
        #expect(due(events, at: "2026-12-03T13:45:00Z").map(\.key) == ["daily001@google.com#2026-12-03T14:00:00Z"], "a new key: a new reminder")
        #expect(due(events, at: "2026-12-04T09:45:00Z").isEmpty, "cancelled")
    }

    @Test func mirrorsDeclinedCancelledAndDuplicatesGetNoExtraReminder() {
        var mirror = Self.timed("mirror01", "2026-12-01T09:00:00Z")
        mirror.isMirror = true
        var declined = Self.timed("declined", "2026-12-01T09:00:00Z")
        declined.selfDeclined = true
        var gone = Self.timed("gone0001", "2026-12-01T09:00:00Z")
        gone.status = "cancelled"
        let invitedTwice = [
            Self.timed("inv1", "2026-12-01T09:10:00Z", uid: "meet@x", calendar: "home"),
            Self.timed("inv2", "2026-12-01T09:10:00Z", uid: "meet@x", calendar: "work"),
        ]
        #expect(due([mirror, declined, gone] + invitedTwice, at: "2026-12-01T08:45:00Z").map(\.key) == ["meet@x#2026-12-01T09:10:00Z"])
    }

    @Test func aSeriesWithARuleThisBuildCannotExpandIsNamed() {
        let odd = Self.timed("odd00001", "2026-12-01T09:00:00Z", recurrence: ["RRULE:FREQ=YEARLY;BYWEEKNO=20;BYDAY=MO"])
        let plan = ReminderPlanner(preferences: ReminderPreferences(), now: Self.utc("2026-12-01T08:45:00Z")).plan([odd])
        #expect(plan.due.isEmpty && plan.unsupported.count == 1 && plan.unsupported[0].contains("BYWEEKNO"))
    }
}
