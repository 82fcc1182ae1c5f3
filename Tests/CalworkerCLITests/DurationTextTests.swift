import Configuration
import Testing

@Suite struct DurationTextTests {
    @Test(arguments: [("500ms", 0.5), ("30s", 30.0), ("10m", 600.0), ("1h30m", 5400.0), ("2d", 172_800.0), ("45", 45.0)])
    func parsesWhatPeopleWrite(text: String, seconds: Double) throws {
        let duration = try #require(DurationText.parse(text))
        #expect(Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18 == seconds)
    }

    @Test(arguments: ["", "soon", "10x", "-5s", "1h-2m"])
    func refusesTheRest(text: String) {
        #expect(DurationText.parse(text) == nil)
    }
}
