import Configuration
import Testing

@Suite struct DurationTextTests {
    @Test(arguments: [("500ms", 0.5), ("30s", 30.0), ("10m", 600.0), ("1h30m", 5400.0), ("2d", 172_800.0), ("45", 45.0)])
    func parsesWhatPeopleWrite(text: String, seconds: Double) throws {
        let duration = try #require(DurationText.parse(text))
        #expect(Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18 == seconds)
    }

    @Test(arguments: ["", "soon", "10x", "-5s", "1h-2m", "1.2.3s", ".s", "٣s", "10 m"])
    func refusesTheRest(text: String) {
        #expect(DurationText.parse(text) == nil)
    }

    /// Values that overflowed and crashed the process (SIGILL) before the arithmetic was checked.
    @Test(arguments: [
        "99999999999999999999d", "1000000000000000d", "1000000000d", "9223372036854775807s",
        "1e308d", String(repeating: "9", count: 400) + "d", "36501d", "1d99999999999999999999h",
    ])
    func refusesDurationsPastTheMaximumWithoutOverflowing(text: String) {
        #expect(DurationText.parse(text) == nil)
        #expect(throws: DurationText.Problem.self) { _ = try DurationText.parse(text, in: .zero...DurationText.maximum) }
    }

    @Test func aRangeIsCheckedAndNamedInTheError() throws {
        #expect(try DurationText.parse("30s", in: .seconds(1) ... .seconds(86_400)) == .seconds(30))
        let error = try #require(throws: DurationText.Problem.self) { try DurationText.parse("2d", in: .seconds(1) ... .seconds(86_400)) }
        #expect(error.description.contains("from 1s to 1d"))
        let tooLong = try #require(throws: DurationText.Problem.self) { try DurationText.parse("99999999999999999999d", in: .zero ... .seconds(60)) }
        #expect(tooLong.description.contains("too long"))
        // A megabyte of typing is quoted by its start.
        let huge = try #require(throws: DurationText.Problem.self) {
            try DurationText.parse(String(repeating: "7", count: 1 << 20), in: .zero ... .seconds(60))
        }
        #expect(huge.description.count < 200)
    }

    @Test func describeAndFormatNeverTrap() {
        #expect(DurationText.describe(.milliseconds(500)) == "500ms")
        #expect(DurationText.describe(.seconds(90)) == "1m30s")
        #expect(DurationText.describe(.seconds(86_400)) == "1d")
        #expect(DurationText.format(seconds: .infinity) == "-")
        #expect(DurationText.format(seconds: .nan) == "-")
        #expect(DurationText.format(seconds: 1e300).hasSuffix("h"))
        #expect(DurationText.format(seconds: -90) == "-1m30s")
    }
}
