import Basics
import Testing

/// Waits inside an attempt: short ones slept, long ones a snooze, none past the deadline.
@Suite struct AttemptWaitsTests {
    @Test func aShortWaitIsSleptOutsideAnAttempt() {
        #expect(AttemptWaits.decide(.milliseconds(300)) == .sleep(.milliseconds(300)))
        #expect(AttemptWaits.decide(AttemptWaits.longestSleep) == .sleep(AttemptWaits.longestSleep))
    }

    @Test(arguments: [Duration.seconds(6), .seconds(3600), .seconds(86_400 * 365)])
    func aWaitLongerThanAnAttemptSleepsIsLater(wait: Duration) {
        #expect(AttemptWaits.decide(wait) == .later(wait))
    }

    @Test func aNegativeWaitIsNone() {
        #expect(AttemptWaits.decide(.seconds(-30)) == .sleep(.zero))
    }

    @Test func aShortWaitThatWouldReachTheDeadlineIsNotSlept() {
        let now = ContinuousClock.now
        AttemptWaits.$deadline.withValue(now + .seconds(3)) {
            #expect(AttemptWaits.decide(.milliseconds(500), now: now) == .sleep(.milliseconds(500)), "ends before the reserve")
            #expect(AttemptWaits.decide(.seconds(2), now: now) == .noTime, "would reach into the last two seconds")
            #expect(AttemptWaits.decide(.seconds(60), now: now) == .later(.seconds(60)), "a long wait is a snooze whatever the deadline")
        }
        #expect(AttemptWaits.deadline == nil, "bound only inside")
    }

    @Test func aSleepEndsWhenTheJobIsStopped() {
        let started = ContinuousClock.now
        #expect(!AttemptWaits.sleep(.seconds(5), shouldAbort: { ContinuousClock.now - started > .milliseconds(100) }))
        #expect(ContinuousClock.now - started < .seconds(1))
        #expect(AttemptWaits.sleep(.milliseconds(20)))
    }
}
