import Basics
import Foundation

/// Exponential backoff with jitter: `base * 2^(attempt-1)`, capped, times a random factor
/// in `1 ± jitter` so that jobs failing together do not retry in lockstep.
public struct RetryBackoff: Sendable, Equatable {
    /// Delay after the first failed attempt. Default 15 s (Oban waits 15 s + 2^attempt).
    public var base: Duration = .seconds(15)
    /// Longest delay between attempts. Default 6 hours.
    public var cap: Duration = .seconds(6 * 3600)
    /// Relative spread of the random factor. Default 0.2 (±20%).
    public var jitter: Double = 0.2

    public init(base: Duration = .seconds(15), cap: Duration = .seconds(6 * 3600), jitter: Double = 0.2) {
        self.base = base
        self.cap = cap
        self.jitter = jitter
    }

    /// The nominal delay after `attempt` failed (before jitter).
    public func nominalDelay(afterAttempt attempt: Int) -> Double {
        let baseSeconds = base.seconds
        let exponent = Double(min(max(attempt - 1, 0), 60))
        return min(cap.seconds, baseSeconds * pow(2, exponent))
    }

    /// The delay in seconds after `attempt` failed, jitter included.
    public func delay<G: RandomNumberGenerator>(afterAttempt attempt: Int, using generator: inout G) -> Double {
        let factor = jitter > 0 ? Double.random(in: (1 - jitter)...(1 + jitter), using: &generator) : 1
        return nominalDelay(afterAttempt: attempt) * factor
    }

    public func delay(afterAttempt attempt: Int) -> Double {
        var generator = SystemRandomNumberGenerator()
        return delay(afterAttempt: attempt, using: &generator)
    }
}
