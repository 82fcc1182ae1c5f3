import Basics
import Testing

/// The one conversion every module uses for C timeouts and figures; a duration can come from
/// outside (a job's args, a server's Retry-After), so the conversion must not trap.
struct DurationUnitsTests {
    @Test(arguments: [
        (Duration.milliseconds(1500), Int64(1500)),
        (.microseconds(999), 0),
        (.zero, 0),
        (.seconds(-2), -2000),
        (.seconds(86_400 * 365), 31_536_000_000),
    ])
    func wholeMillisecondsRoundDown(duration: Duration, expected: Int64) {
        #expect(duration.wholeMilliseconds == expected)
    }

    /// Before the shared helper, each module multiplied `components.seconds` by 1000 itself;
    /// past about 292 million years that trapped.
    @Test func durationsBeyondInt64MillisecondsSaturate() {
        #expect(Duration.seconds(Int64.max).wholeMilliseconds == .max)
        #expect(Duration.seconds(Int64.min).wholeMilliseconds == .min)
        #expect(Duration.seconds(Int64.max / 1000).wholeMilliseconds == Int64.max / 1000 * 1000)
    }

    @Test func fractionalUnitsKeepTheFraction() {
        #expect(Duration.milliseconds(2500).seconds == 2.5)
        #expect(Duration.microseconds(1500).milliseconds == 1.5)
    }
}
