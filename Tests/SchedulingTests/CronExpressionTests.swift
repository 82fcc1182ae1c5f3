import Foundation
import Scheduling
import Testing

@Suite struct CronExpressionTests {
    static func utc(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    @Test func fieldsRangesStepsListsAndNames() throws {
        let cron = try CronExpression("*/15 9-17/4 1,15 jan-mar,dec mon-fri")
        #expect(cron.minutes == [0, 15, 30, 45] && cron.hours == [9, 13, 17] && cron.days == [1, 15])
        #expect(cron.months == [1, 2, 3, 12] && cron.weekdays == [1, 2, 3, 4, 5])
        #expect(try CronExpression("0 0 * * 7").weekdays == [0], "7 is Sunday")
        let hourly = try CronExpression("@hourly")
        #expect(hourly.minutes == [0] && hourly.hours == Set(0...23) && hourly.days == Set(1...31) && hourly.weekdays == Set(0...6))
        #expect(try CronExpression("5/20 * * * *").minutes == [5, 25, 45], "a start with a step runs to the end")
    }

    @Test(arguments: [
        "* * * *", "60 * * * *", "* 24 * * *", "* * 0 * *", "* * * 13 *", "* * * * 8", "*/0 * * * *", "5-1 * * * *",
        "1,,2 * * * *", "* * * smarch *", "@every 5m",
    ])
    func badExpressionsSayWhatIsWrong(text: String) {
        #expect(throws: CronExpression.ParseError.self) { try CronExpression(text) }
    }

    @Test func dayOfMonthAndWeekdayAreOrLikeCron() throws {
        // The 13th, or any Friday.
        let cron = try CronExpression("0 12 13 * fri")
        #expect(cron.matches(minute: 0, hour: 12, day: 13, month: 11, weekday: 2))
        #expect(cron.matches(minute: 0, hour: 12, day: 4, month: 12, weekday: 5))
        #expect(!cron.matches(minute: 0, hour: 12, day: 5, month: 12, weekday: 6))
    }

    @Test func everyFiveMinutesInAnHour() throws {
        let fires = CronSchedule(try CronExpression("*/5 * * * *"), timeZone: TimeZone(identifier: "UTC")!)
            .fires(after: Self.utc("2026-12-01T10:00:00Z"), through: Self.utc("2026-12-01T11:00:00Z"))
        #expect(fires.count == 12 && fires.first?.wallTime == "2026-12-01T10:05" && fires.last?.wallTime == "2026-12-01T11:00")
    }

    @Test func aTimeTheClockSkipsFiresOnceRightAfterTheGap() throws {
        // Berlin, 29 March 2026: 02:00 CET jumps to 03:00 CEST (01:00Z).
        let schedule = CronSchedule(try CronExpression("30 2 * * *"), timeZone: TimeZone(identifier: "Europe/Berlin")!)
        let fires = schedule.fires(after: Self.utc("2026-03-28T12:00:00Z"), through: Self.utc("2026-03-30T12:00:00Z"))
        #expect(fires.map(\.wallTime) == ["2026-03-29T02:30", "2026-03-30T02:30"])
        #expect(fires[0].at == Self.utc("2026-03-29T01:00:00Z"), "at 03:00 CEST, the first minute after the gap")
        #expect(fires[1].at == Self.utc("2026-03-30T00:30:00Z"))
    }

    @Test func aTimeThatHappensTwiceFiresOnce() throws {
        // Berlin, 25 October 2026: 03:00 CEST goes back to 02:00 CET; 02:30 happens twice.
        let schedule = CronSchedule(try CronExpression("30 2 * * *"), timeZone: TimeZone(identifier: "Europe/Berlin")!)
        let fires = schedule.fires(after: Self.utc("2026-10-24T12:00:00Z"), through: Self.utc("2026-10-25T12:00:00Z"))
        #expect(fires.map(\.at) == [Self.utc("2026-10-25T00:30:00Z")], "the first 02:30 only")
        let hourly = CronSchedule(try CronExpression("0 * * * *"), timeZone: TimeZone(identifier: "Europe/Berlin")!)
            .fires(after: Self.utc("2026-10-24T22:30:00Z"), through: Self.utc("2026-10-25T02:30:00Z"))
        #expect(hourly.map(\.wallTime) == ["2026-10-25T01:00", "2026-10-25T02:00", "2026-10-25T03:00"], "the repeated 02:00 once")
    }

    @Test func theLatestFireIsWhatAReturningSchedulerRunsOnce() throws {
        let schedule = CronSchedule(try CronExpression("0 * * * *"), timeZone: TimeZone(identifier: "UTC")!)
        #expect(
            schedule.latestFire(after: Self.utc("2026-12-01T00:30:00Z"), through: Self.utc("2026-12-01T05:10:00Z"))?.wallTime == "2026-12-01T05:00")
        #expect(schedule.latestFire(after: Self.utc("2026-12-01T05:00:00Z"), through: Self.utc("2026-12-01T05:59:00Z")) == nil)
    }

    @Test func systemdCalendarLinesSayTheSame() throws {
        #expect(SystemdCalendar.onCalendar(try CronExpression("*/15 * * * *"), timeZone: "UTC") == ["*-*-* *:00,15,30,45:00 UTC"])
        #expect(SystemdCalendar.onCalendar(try CronExpression("30 2 * * *"), timeZone: "UTC") == ["*-*-* 02:30:00 UTC"])
        #expect(
            SystemdCalendar.onCalendar(try CronExpression("0 9 * * mon-fri"), timeZone: "Europe/Berlin") == [
                "Mon,Tue,Wed,Thu,Fri *-*-* 09:00:00 Europe/Berlin"
            ])
        #expect(
            SystemdCalendar.onCalendar(try CronExpression("0 12 13 * fri"), timeZone: "UTC") == ["*-*-13 12:00:00 UTC", "Fri *-*-* 12:00:00 UTC"],
            "cron ORs the day fields; systemd ANDs them, so two lines")
    }
}

@Suite struct CronGapTests {
    @Test func theLongestGapIsWhatAHealthyScheduleMayGoWithoutAFire() throws {
        let start = ISO8601DateFormatter().date(from: "2026-12-02T10:00:30Z")!
        let utc = TimeZone(identifier: "UTC")!
        #expect(CronSchedule(try CronExpression("*/5 * * * *"), timeZone: utc).longestGap(after: start) == 300)
        #expect(CronSchedule(try CronExpression("30 2 * * *"), timeZone: utc).longestGap(after: start) == 86_400)
        #expect(CronSchedule(try CronExpression("0 9 * * 1-5"), timeZone: utc).longestGap(after: start) == 3 * 86_400, "Friday to Monday")
        #expect(CronSchedule(try CronExpression("0 0 1 1 *"), timeZone: utc).longestGap(after: start) == nil, "yearly: no two fires in 8 days")
    }
}
