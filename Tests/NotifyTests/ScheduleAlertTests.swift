import Foundation
import Jobs
import Notify
import Postgres
import TestSupport
import Testing
import Worker

/// A schedule that stops firing (a dead scheduler, a timer switched off) is noticed: once it
/// has gone twice its longest normal gap without a fire, until a fire comes again.
@Suite struct ScheduleAlertTests {
    func alerts(_ fixture: NotifyFixture) throws -> JobFigures {
        switch try fixture.notify(#"{"alerts": true}"#) {
        case .success(let figures), .retry(_, _, let figures): return figures
        case .discard(let reason, _): throw ConnectError(message: reason)
        }
    }

    func fire(_ fixture: NotifyFixture, _ name: String, minutesAgo: Int) throws {
        try fixture.db.execute(
            """
            INSERT INTO calworker.schedule_fires (name, wall_time, fire_at) VALUES ($1, $2, now() - make_interval(mins => $3))
            """, [name, "t-\(minutesAgo)", minutesAgo])
    }

    @Test func aStoppedScheduleAlertsOnceAndItsNextFireResolvesIt() throws {
        let fixture = try NotifyFixture(now: Date())
        fixture.environment.notify.alertInterval = .seconds(0)
        fixture.environment.notify.schedulePeriods = { ["sync-accounts": 300, "backup": 86_400, "reminders": 60] }
        #expect(try alerts(fixture)["alerts_raised"] == 0, "no fire ever recorded: scheduling is not set up yet")

        try fire(fixture, "sync-accounts", minutesAgo: 25)
        try fire(fixture, "backup", minutesAgo: 60)
        try fire(fixture, "reminders", minutesAgo: 1)
        let late = try alerts(fixture)
        #expect(late["alerts_raised"] == 1 && late["sent"] == 1, "\(late.json)")
        let text = fixture.smtp.received().compactMap { QuotedPrintableTestDecoder.textPart(of: $0.text) }.last ?? ""
        #expect(text.contains("schedule sync-accounts has not fired since") && text.contains("every 5 min"), "\(text)")
        #expect(!text.contains("schedule backup") && !text.contains("schedule reminders"))
        #expect(try alerts(fixture)["alerts_raised"] == 0, "once while it lasts")

        try fire(fixture, "sync-accounts", minutesAgo: 0)
        #expect(try alerts(fixture)["alerts_raised"] == 1, "the resolution")
        let resolved = fixture.smtp.received().compactMap { QuotedPrintableTestDecoder.textPart(of: $0.text) }.last ?? ""
        #expect(resolved.contains("resolved: schedule sync-accounts has not fired since"))
    }
}
