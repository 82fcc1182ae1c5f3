import JobQueue
import Testing

@Suite struct RetryBackoffTests {
    @Test func delaysDoubleUntilTheCap() {
        let backoff = RetryBackoff(base: .seconds(15), cap: .seconds(3600), jitter: 0)
        #expect(
            (1...10).map { backoff.nominalDelay(afterAttempt: $0) }
                == [15, 30, 60, 120, 240, 480, 960, 1920, 3600, 3600])
        #expect(backoff.nominalDelay(afterAttempt: 500) == 3600)
    }

    @Test func jitterStaysWithinItsBand() {
        let backoff = RetryBackoff(base: .seconds(10), cap: .seconds(3600), jitter: 0.2)
        var generator = SystemRandomNumberGenerator()
        let samples = (0..<1000).map { _ in backoff.delay(afterAttempt: 2, using: &generator) }
        #expect(samples.allSatisfy { (16.0...24.0).contains($0) })
        #expect(Set(samples.map { Int($0 * 10) }).count > 10, "jitter spreads retries out")
    }
}
